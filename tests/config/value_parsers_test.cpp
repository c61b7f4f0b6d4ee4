// Every parse rule of the configuration value types, with the reasons an operator would read.
#include "config/value_parsers.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace ff::config;
using namespace std::chrono_literals;

namespace {

std::string reason_of(auto&& fn) {
    try {
        fn();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("durations take ms, s, m or h and a bare integer means seconds", "[config]") {
    CHECK(parse_duration("250ms") == 250ms);
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("30") == 30s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("8760h") == 8760h);
}

TEST_CASE("durations may combine several terms, as Go and systemd write them", "[config]") {
    CHECK(parse_duration("1h30m") == 90min);
    CHECK(parse_duration("2m30s") == 150s);
    CHECK(parse_duration("1m500ms") == 60'500ms);
    CHECK(parse_duration("0h45m") == 45min);
    CHECK(parse_duration("8759h60m") == 8760h);
    CHECK(reason_of([] { parse_duration("1h30"); }) ==
          "missing unit after \"30\" in \"1h30\" (use ms, s, m or h)");
    CHECK(reason_of([] { parse_duration("8760h1s"); }) == "too large: \"8760h1s\" (at most 8760h)");
    CHECK(reason_of([] { parse_duration("0h0m"); }) == "must be greater than zero: \"0h0m\"");
    CHECK(reason_of([] { parse_duration("1h 30m"); }) ==
          "unknown unit \" 30m\" in \"1h 30m\" (use ms, s, m or h)");
}

TEST_CASE("durations with bad units, signs, fractions or sizes are refused with the reason",
          "[config]") {
    CHECK(reason_of([] { parse_duration("30x"); }) ==
          "unknown unit \"x\" in \"30x\" (use ms, s, m or h)");
    CHECK(reason_of([] { parse_duration("30S"); }) ==
          "unknown unit \"S\" in \"30S\" (use ms, s, m or h)");
    CHECK(reason_of([] { parse_duration("1d"); }) ==
          "unknown unit \"d\" in \"1d\" (use ms, s, m or h)");
    CHECK(reason_of([] { parse_duration("-5s"); }) == "must not be negative: \"-5s\"");
    CHECK(reason_of([] { parse_duration("1.5h"); }) ==
          "unknown unit \".5h\" in \"1.5h\" (use ms, s, m or h)");
    CHECK(reason_of([] { parse_duration("s"); }) ==
          "not a duration (use an integer with ms, s, m or h): \"s\"");
    CHECK(reason_of([] { parse_duration("0s"); }) == "must be greater than zero: \"0s\"");
    CHECK(reason_of([] { parse_duration("8761h"); }) == "too large: \"8761h\" (at most 8760h)");
    CHECK(reason_of([] { parse_duration("99999999999999999999999s"); }) ==
          "too large: \"99999999999999999999999s\"");
    CHECK(reason_of([] { parse_duration("18446744073709551615h"); }) ==
          "too large: \"18446744073709551615h\" (at most 8760h)");
    CHECK(reason_of([] { parse_duration("10 s"); }) ==
          "unknown unit \" s\" in \"10 s\" (use ms, s, m or h)");
}

TEST_CASE("booleans accept true/false, 1/0, on/off and yes/no in any case", "[config]") {
    for (const auto* yes : {"true", "TRUE", "True", "1", "on", "ON", "yes", "Yes"})
        CHECK(parse_bool(yes));
    for (const auto* no : {"false", "FALSE", "0", "off", "Off", "no", "NO"})
        CHECK_FALSE(parse_bool(no));
    CHECK(reason_of([] { parse_bool("maybe"); }) ==
          "not a boolean: \"maybe\" (use true/false, 1/0, on/off or yes/no)");
    CHECK(reason_of([] { parse_bool("2"); }) ==
          "not a boolean: \"2\" (use true/false, 1/0, on/off or yes/no)");
    CHECK(reason_of([] { parse_bool("y"); }) ==
          "not a boolean: \"y\" (use true/false, 1/0, on/off or yes/no)");
}

TEST_CASE("fractions are decimals or percentages between 0 and 1", "[config]") {
    CHECK(parse_fraction("0.10") == Approx(0.10));
    CHECK(parse_fraction("10%") == Approx(0.10));
    CHECK(parse_fraction("12.5%") == Approx(0.125));
    CHECK(parse_fraction(".25") == Approx(0.25));
    CHECK(parse_fraction("0") == 0.0);
    CHECK(parse_fraction("1") == 1.0);
    CHECK(parse_fraction("100%") == 1.0);
    CHECK(reason_of([] { parse_fraction("1.5"); }) ==
          "must be between 0 and 1 (or 0% and 100%): \"1.5\"");
    CHECK(reason_of([] { parse_fraction("150%"); }) ==
          "must be between 0 and 1 (or 0% and 100%): \"150%\"");
    CHECK(reason_of([] { parse_fraction("-0.1"); }) == "must not be negative: \"-0.1\"");
    for (const auto* bad : {"ten", "nan", "inf", "1e-1", "0.1.2", "%", "0x1", "10 %"})
        CHECK(reason_of([&] { parse_fraction(bad); }) ==
              "not a fraction (use 0.10 or 10%): \"" + std::string(bad) + "\"");
}

TEST_CASE("integers are checked against their range", "[config]") {
    CHECK(parse_integer("3", 1, 20) == 3);
    CHECK(reason_of([] { parse_integer("0", 1, 20); }) == "must be between 1 and 20: \"0\"");
    CHECK(reason_of([] { parse_integer("21", 1, 20); }) == "must be between 1 and 20: \"21\"");
    CHECK(reason_of([] { parse_integer("3x", 1, 20); }) == "not an integer: \"3x\"");
    CHECK(reason_of([] { parse_integer("99999999999999999999", 1, 20); }) ==
          "too large: \"99999999999999999999\"");
}

TEST_CASE("sizes take decimal and binary units and a bare integer means bytes", "[config]") {
    CHECK(parse_bytes("1048576") == 1048576u);
    CHECK(parse_bytes("2GiB") == (2ull << 30));
    CHECK(parse_bytes("2gib") == (2ull << 30));
    CHECK(parse_bytes("500MB") == 500'000'000u);
    CHECK(parse_bytes("1KiB") == 1024u);
    CHECK(parse_bytes("7B") == 7u);
    CHECK(reason_of([] { parse_bytes("2GB!"); }) ==
          "unknown unit \"GB!\" in \"2GB!\" (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
    CHECK(reason_of([] { parse_bytes("99999999999TiB"); }) == "too large: \"99999999999TiB\"");
    CHECK(reason_of([] { parse_bytes("0"); }) == "must be greater than zero: \"0\"");
}

TEST_CASE("the S3 endpoint is http or https, a host and an optional port, nothing more",
          "[config]") {
    CHECK(parse_endpoint("http://127.0.0.1:9000") == Endpoint{false, "127.0.0.1", 9000});
    CHECK(parse_endpoint("https://s3.example") == Endpoint{true, "s3.example", 443});
    CHECK(parse_endpoint("http://s3.example/") == Endpoint{false, "s3.example", 80});
    CHECK(parse_endpoint("HTTPS://[::1]:9443") == Endpoint{true, "::1", 9443});
    CHECK(reason_of([] { parse_endpoint("s3.example"); }) == "not a URL: \"s3.example\"");
    CHECK(reason_of([] { parse_endpoint("s3.example:9000"); }) == "not a URL: \"s3.example:9000\"");
    CHECK(reason_of([] { parse_endpoint("ftp://s3.example"); }) ==
          "unsupported scheme \"ftp\" (use http or https): \"ftp://s3.example\"");
    CHECK(reason_of([] { parse_endpoint("http://s3.example/fuel"); }) ==
          "must not have a path, query or fragment (the bucket is FUEL_BUCKET): "
          "\"http://s3.example/fuel\"");
    CHECK(reason_of([] { parse_endpoint("http://s3.example:9000/fuel/"); }) ==
          "must not have a path, query or fragment (the bucket is FUEL_BUCKET): "
          "\"http://s3.example:9000/fuel/\"");
    CHECK(reason_of([] { parse_endpoint("http://s3.example?x=1"); }) ==
          "must not have a path, query or fragment (the bucket is FUEL_BUCKET): "
          "\"http://s3.example?x=1\"");
    CHECK(reason_of([] { parse_endpoint("http://"); }) == "no host: \"http://\"");
    CHECK(reason_of([] { parse_endpoint("http://:9000"); }) == "no host: \"http://:9000\"");
    CHECK(reason_of([] { parse_endpoint("http://h:99999"); }) == "bad port: \"http://h:99999\"");
    CHECK(reason_of([] { parse_endpoint("http://h:0"); }) == "bad port: \"http://h:0\"");
    CHECK(reason_of([] { parse_endpoint("http://h:x"); }) == "bad port: \"http://h:x\"");
    // Credentials are refused without being echoed.
    CHECK(reason_of([] { parse_endpoint("http://key:hunter22@h"); }) ==
          "must not contain credentials (use RUSTFS_ACCESS_KEY and RUSTFS_SECRET_KEY)");
}

TEST_CASE("the listen address is host:port", "[config]") {
    CHECK(parse_listen("0.0.0.0:8080") == ListenAddress{"0.0.0.0", 8080});
    CHECK(parse_listen("localhost:0") == ListenAddress{"localhost", 0});
    CHECK(parse_listen("[::]:9090") == ListenAddress{"::", 9090});
    CHECK(reason_of([] { parse_listen("8080"); }) == "not host:port: \"8080\"");
    CHECK(parse_listen(":8080") == ListenAddress{"0.0.0.0", 8080});  // every interface
    CHECK(reason_of([] { parse_listen(":"); }) == "bad port: \":\"");
    CHECK(reason_of([] { parse_listen("0.0.0.0:"); }) == "bad port: \"0.0.0.0:\"");
    CHECK(reason_of([] { parse_listen("0.0.0.0:65536"); }) == "bad port: \"0.0.0.0:65536\"");
    CHECK(reason_of([] { parse_listen("http://0.0.0.0:80"); }) ==
          "not host:port: \"http://0.0.0.0:80\"");
}

TEST_CASE("choices are matched in any case and listed when wrong", "[config]") {
    CHECK(parse_choice("JSON", {"text", "json"}) == "json");
    CHECK(reason_of([] {
              parse_choice("xml", {"text", "json"});
          }) == "must be one of text, json: \"xml\"");
}

TEST_CASE("role names are plain identifiers, so they can never inject SQL", "[config]") {
    CHECK(parse_identifier("fuel_reader") == "fuel_reader");
    CHECK(reason_of([] { parse_identifier("x; DROP TABLE y"); }) ==
          "not a plain PostgreSQL role name (letters, digits and _, at most 63): "
          "\"x; DROP TABLE y\"");
    CHECK(reason_of([] { parse_identifier(std::string(64, 'a')); }) != "(no error)");
    CHECK(reason_of([] { parse_identifier("1abc"); }) != "(no error)");
}

TEST_CASE("durations and sizes render in their largest exact unit", "[config]") {
    CHECK(format_duration(3'600'000ms) == "1h");
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(5min) == "5m");
    CHECK(format_duration(250ms) == "250ms");
    CHECK(format_bytes(2ull << 30) == "2GiB");
    CHECK(format_bytes(1000) == "1000B");
}

TEST_CASE("CORS origins are stored as browsers send them, wildcards and paths are refused",
          "[config]") {
    CHECK(parse_origins("https://fleetops.example.com") ==
          std::vector<std::string>{"https://fleetops.example.com"});
    CHECK(parse_origins(" HTTPS://FleetOps.Example.com:443 , http://localhost:5173,"
                        "http://localhost:5173") ==
          std::vector<std::string>{"https://fleetops.example.com", "http://localhost:5173"});
    CHECK(parse_origins("http://[::1]:8080") == std::vector<std::string>{"http://[::1]:8080"});
    CHECK(parse_origins("https://a.example/") == std::vector<std::string>{"https://a.example"});
    CHECK(reason_of([] { parse_origins("*"); }).find("list each origin") != std::string::npos);
    CHECK(reason_of([] { parse_origins("https://a.example/app"); }).find("without a path") !=
          std::string::npos);
    CHECK(reason_of([] { parse_origins("https://user@a.example"); }).find("without a path") !=
          std::string::npos);
    CHECK(reason_of([] { parse_origins("ftp://a.example"); }).find("unsupported scheme") !=
          std::string::npos);
    CHECK(reason_of([] {
              parse_origins("https://a.example,,https://b.example");
          }).find("empty origin") != std::string::npos);
}
