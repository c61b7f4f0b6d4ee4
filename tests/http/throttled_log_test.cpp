// ThrottledLog: the first warning at once, then one count per window, then quiet again.
#include "http/throttled_log.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>

namespace {

// Sends the default logger's lines to a string for the test's lifetime.
class CapturedLog {
  public:
    CapturedLog() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(text_);
        sink->set_pattern("%v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
    }
    ~CapturedLog() { spdlog::set_default_logger(previous_); }
    std::string lines() const { return text_.str(); }

  private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream text_;
};

}  // namespace

TEST_CASE("a repeated warning is logged once, then as a count once per window", "[http]") {
    CapturedLog log;
    boost::asio::io_context io;
    ff::http::ThrottledLog warning(io.get_executor(), "http: refused",
                                   std::chrono::milliseconds(50));
    for (int i = 0; i < 1000; ++i) warning.warn("http: refused client " + std::to_string(i));
    CHECK(log.lines() == "http: refused client 0\n");
    CHECK(warning.pending() == 999);

    // The window ends: one line with the count. The next window is quiet, which ends the episode.
    io.run();
    CHECK(log.lines() == "http: refused client 0\nhttp: refused: 999 more in the last 50 ms\n");
    CHECK(warning.pending() == 0);

    // A new episode starts with a full line again.
    io.restart();
    warning.warn("http: refused client 1000");
    CHECK(log.lines().ends_with("more in the last 50 ms\nhttp: refused client 1000\n"));
    io.run();
}

TEST_CASE("flush reports what is counted and leaves no timer behind", "[http]") {
    CapturedLog log;
    boost::asio::io_context io;
    ff::http::ThrottledLog warning(io.get_executor(), "http: refused", std::chrono::hours(1));
    warning.warn("http: refused client 0");
    warning.warn("http: refused client 1");
    warning.flush();
    CHECK(log.lines() == "http: refused client 0\nhttp: refused: 1 more\n");
    const auto start = std::chrono::steady_clock::now();
    io.run();  // returns at once: the hour-long window is gone
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::minutes(1));
}
