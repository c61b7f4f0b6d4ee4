// Test environment accessors; every missing variable is a test failure, never a skip.
#include "support/test_env.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>

namespace fftest {

std::string required_env(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0')
        FAIL(name
             << " is not set: run the tests through scripts/test.sh, which starts the services");
    return v;
}

std::string database_url() {
    return required_env("FF_TEST_DATABASE_URL");
}
std::string database_locale() {
    const char* v = std::getenv("FF_TEST_DATABASE_LOCALE");
    return v ? v : "";
}

std::string s3_endpoint() {
    return required_env("FF_TEST_S3_ENDPOINT");
}
std::string s3_access_key() {
    return required_env("FF_TEST_S3_ACCESS_KEY");
}
std::string s3_secret_key() {
    return required_env("FF_TEST_S3_SECRET_KEY");
}

std::string fleetfuel_binary() {
    if (const char* v = std::getenv("FF_TEST_FLEETFUEL_BIN"); v && *v) return v;
    return std::string(FF_BINARY_DIR) + "/daemon/fleetfuel";
}

std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return prefix + std::to_string(::getpid()) + "_" + std::to_string(now % 1000000) + "_" +
           std::to_string(counter++);
}

}  // namespace fftest
