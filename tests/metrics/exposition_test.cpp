// The registry and the text exposition writer, checked line by line.
#include "metrics/exposition.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "metrics/registry.hpp"

namespace {

using ff::metrics::Registry;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("label values escape backslash, double quote and newline") {
    Registry r;
    r.gauge("g", "a gauge", {"path"}).with({"a\\b\"c\nd"}).set(1);
    const auto text = ff::metrics::render(r.snapshot());
    CHECK(text.find("g{path=\"a\\\\b\\\"c\\nd\"} 1\n") != std::string::npos);
}

TEST_CASE("help text escapes backslash and newline but leaves quotes alone") {
    Registry r;
    r.counter("c_total", "one \"two\"\nthree \\ four").with({}).inc();
    const auto lines = lines_of(ff::metrics::render(r.snapshot()));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "# HELP c_total one \"two\"\\nthree \\\\ four");
    CHECK(lines[1] == "# TYPE c_total counter");
    CHECK(lines[2] == "c_total 1");
}

TEST_CASE("histogram buckets are cumulative and +Inf equals the count") {
    Registry r;
    auto h = r.histogram("d_seconds", "durations", {"op"}, {1, 2, 5}).with({"get"});
    for (const double v : {0.5, 1.0, 1.5, 3.0, 10.0}) h.observe(v);
    const auto lines = lines_of(ff::metrics::render(r.snapshot()));
    const std::vector<std::string> expected{
        "# HELP d_seconds durations",
        "# TYPE d_seconds histogram",
        "d_seconds_bucket{op=\"get\",le=\"1\"} 2",
        "d_seconds_bucket{op=\"get\",le=\"2\"} 3",
        "d_seconds_bucket{op=\"get\",le=\"5\"} 4",
        "d_seconds_bucket{op=\"get\",le=\"+Inf\"} 5",
        "d_seconds_sum{op=\"get\"} 16",
        "d_seconds_count{op=\"get\"} 5",
    };
    CHECK(lines == expected);
}

TEST_CASE("a histogram puts NaN observations in the +Inf bucket only") {
    Registry r;
    auto h = r.histogram("h", "h", {}, {1}).with({});
    h.observe(std::numeric_limits<double>::quiet_NaN());
    const auto text = ff::metrics::render(r.snapshot());
    CHECK(text.find("h_bucket{le=\"1\"} 0\n") != std::string::npos);
    CHECK(text.find("h_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("h_sum NaN\n") != std::string::npos);
}

TEST_CASE("each family is one block after its HELP and TYPE, whatever order series appear in") {
    Registry r;
    auto a = r.counter("a_total", "a", {"k"});
    auto b = r.gauge("b", "b", {"k"});
    a.with({"1"}).inc();
    b.with({"1"}).set(2);
    a.with({"2"}).inc();
    b.with({"2"}).set(3);
    const auto lines = lines_of(ff::metrics::render(r.snapshot()));
    const std::vector<std::string> expected{
        "# HELP a_total a", "# TYPE a_total counter", "a_total{k=\"1\"} 1", "a_total{k=\"2\"} 1",
        "# HELP b b",       "# TYPE b gauge",         "b{k=\"1\"} 2",       "b{k=\"2\"} 3",
    };
    CHECK(lines == expected);
}

TEST_CASE("the same label values always address the same series") {
    Registry r;
    auto family = r.counter("x_total", "x", {"a", "b"});
    family.with({"1", "2"}).inc(2);
    family.with({"1", "2"}).inc(3);
    family.with({"12", ""}).inc(1);
    CHECK(family.with({"1", "2"}).value() == 5);
    CHECK(r.snapshot().front().series.size() == 2);
}

TEST_CASE("values are written the way Go writes floats") {
    using ff::metrics::format_value;
    CHECK(format_value(0) == "0");
    CHECK(format_value(1) == "1");
    CHECK(format_value(-2.5) == "-2.5");
    CHECK(format_value(0.1) == "0.1");
    CHECK(format_value(123456) == "123456");
    CHECK(format_value(1e6) == "1e+06");
    CHECK(format_value(1781208003.5) == "1.7812080035e+09");
    CHECK(format_value(0.0001) == "0.0001");
    CHECK(format_value(0.00001) == "1e-05");
    CHECK(format_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

// std::to_chars does not terminate what it writes, and each call's buffer lies where the last
// call's did: a reader that runs past the end picks up the previous value's digits. A Release
// build showed it ("1e-04" for 0.0001 after a longer value); a Debug build's stack hid it.
TEST_CASE("a value is formatted from its own characters, not the previous value's") {
    using ff::metrics::format_value;
    for (const auto& [v, text] : std::vector<std::pair<double, std::string>>{
             {0.0001, "0.0001"}, {123456, "123456"}, {0.5, "0.5"}, {1e5, "100000"}}) {
        CHECK(format_value(1781208003.5) == "1.7812080035e+09");  // a long one first
        const std::string shown = format_value(v);  // from the same frame, so the same buffer
        CHECK(shown == text);
    }
}

TEST_CASE("a counter ignores decrements, a gauge takes them") {
    Registry r;
    auto c = r.counter("c_total", "c").with({});
    auto g = r.gauge("g", "g").with({});
    c.inc(3);
    c.inc(-1);
    g.set(3);
    g.inc(-1);
    CHECK(c.value() == 3);
    CHECK(g.value() == 2);
}

TEST_CASE("families without series are left out of the exposition") {
    Registry r;
    r.counter("unused_total", "never touched", {"k"});
    CHECK(ff::metrics::render(r.snapshot()).empty());
}

TEST_CASE("the registry refuses duplicate families, bad names and wrong label counts") {
    Registry r;
    auto f = r.counter("ok_total", "ok", {"k"});
    CHECK_THROWS_AS(r.gauge("ok_total", "again"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("bad-name", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("g", "x", {"__reserved"}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("h", "x", {"le"}, {1}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("h2", "x", {}, {2, 1}), std::invalid_argument);
    CHECK_THROWS_AS(f.with({}), std::invalid_argument);
    CHECK_THROWS_AS(f.with({"a", "b"}), std::invalid_argument);
}

TEST_CASE("the content type is the 0.0.4 text format") {
    CHECK(ff::metrics::kExpositionContentType == "text/plain; version=0.0.4; charset=utf-8");
}
