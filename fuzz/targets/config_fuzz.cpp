// Fuzz target: configuration value parsers, the .env parser and the whole-config validation.
// Properties: parsers fail only with std::invalid_argument / ConfigError; durations and byte
// sizes survive format -> parse; results stay in their documented ranges; a config error never
// quotes a secret; a .env error never quotes the line.
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "config/dotenv.hpp"
#include "config/value_parsers.hpp"
#include "core/secrets.hpp"
#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

namespace {

namespace config = ff::config;
using fffuzz::check;

constexpr const char* kSecretKey = "fuzz-secret-key-Zq9";
constexpr const char* kDbPassword = "fuzz-db-pass-Xk4";
constexpr const char* kToken = "fuzz-token-Wp2";

template <class F>
void expect_invalid_argument_only(F f) {
    try {
        f();
    } catch (const std::invalid_argument&) {
    }
}

void value_parsers(const std::string& text, std::uint8_t selector) {
    expect_invalid_argument_only([&] {
        const auto d = config::parse_duration(text);
        check(d.count() > 0, "duration not > 0");
        check(config::parse_duration(config::format_duration(d)) == d,
              "duration does not survive format/parse: " + text);
    });
    expect_invalid_argument_only([&] { (void)config::parse_bool(text); });
    expect_invalid_argument_only([&] {
        const double f = config::parse_fraction(text);
        check(f >= 0.0 && f <= 1.0, "fraction outside [0, 1]: " + text);
    });
    expect_invalid_argument_only([&] {
        const std::int64_t lo = selector & 1 ? std::numeric_limits<std::int64_t>::min() : 1;
        const std::int64_t hi = selector & 2 ? std::numeric_limits<std::int64_t>::max() : 65535;
        const auto v = config::parse_integer(text, lo, hi);
        check(v >= lo && v <= hi, "integer outside its range: " + text);
    });
    expect_invalid_argument_only([&] {
        const auto b = config::parse_bytes(text);
        check(b > 0, "byte size not > 0");
        check(config::parse_bytes(config::format_bytes(b)) == b,
              "byte size does not survive format/parse: " + text);
    });
    expect_invalid_argument_only([&] { (void)config::parse_choice(text, {"text", "json"}); });
    expect_invalid_argument_only([&] {
        const auto e = config::parse_endpoint(text);
        check(!e.host.empty(), "endpoint without host: " + text);
        check(e.port != 0, "endpoint with port 0: " + text);
    });
    expect_invalid_argument_only([&] { (void)config::parse_listen(text); });
    expect_invalid_argument_only([&] {
        const auto id = config::parse_identifier(text);
        check(!id.empty() && id.size() <= 63, "identifier length out of range");
    });
}

void whole_config(const std::string& dotenv) {
    config::Environment env;
    try {
        env = config::parse_dotenv(dotenv, ".env");
    } catch (const config::ConfigError& e) {
        check(std::string(e.what()).size() < 120, "a .env error seems to quote the line");
        return;
    }
    // Secrets are fixed (the registry keeps every value it sees) and never read from files.
    for (auto it = env.begin(); it != env.end();)
        it = it->first.ends_with("_FILE") ? env.erase(it) : std::next(it);
    env["RUSTFS_SECRET_KEY"] = kSecretKey;
    env["FUEL_ANALYTICS_TOKEN"] = kToken;
    env["DATABASE_URL"] = std::string("postgresql://ff:") + kDbPassword + "@db:5432/fleet";
    if (dotenv.find("fuzz-") != std::string::npos) return;  // the input could quote them itself
    try {
        const config::Config cfg = config::parse(env);
        (void)config::warnings(env);
        config::require_database(cfg);
        config::require_object_store(cfg);
    } catch (const config::ConfigError& e) {
        const std::string what = e.what();
        check(what.find(kSecretKey) == std::string::npos, "secret key in: " + what);
        check(what.find(kDbPassword) == std::string::npos, "database password in error");
        check(what.find(kToken) == std::string::npos, "token in error");
    }
}

}  // namespace

namespace fffuzz {

int config_one_input(const std::uint8_t* data, std::size_t size) {
    Input in(data, size);
    const std::uint8_t selector = in.byte();
    const std::string text = in.rest();
    if (selector & 4) {
        whole_config(text);
    } else {
        value_parsers(text, selector);
        (void)ff::secrets::redact_conninfo(text);
    }
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(config_one_input)
