// The self-watchdog notices a silent loop and a wedged cycle, and stays quiet otherwise.
#include "service/watchdog.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

using namespace std::chrono_literals;

namespace {

ff::service::Watchdog::Options fast(std::chrono::milliseconds loop,
                                    std::chrono::milliseconds cycle) {
    ff::service::Watchdog::Options o;
    o.loop_timeout = loop;
    o.cycle_timeout = cycle;
    o.check_every = 10ms;
    return o;
}

}  // namespace

TEST_CASE("the watchdog reports a loop that stopped beating") {
    std::promise<std::string> reason;
    ff::service::Watchdog dog(fast(100ms, 10s), [&](const std::string& r) { reason.set_value(r); });
    auto f = reason.get_future();
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK_THAT(f.get(), Catch::Contains("event loop has not run"));
}

TEST_CASE("the watchdog stays quiet while the loop beats and cycles finish") {
    std::atomic<bool> fired{false};
    {
        ff::service::Watchdog dog(fast(200ms, 200ms), [&](const std::string&) { fired = true; });
        for (int i = 0; i < 30; ++i) {
            dog.beat();
            dog.cycle_started(1, "changes");
            std::this_thread::sleep_for(20ms);
            dog.cycle_finished(1);
        }
    }
    CHECK_FALSE(fired);
}

TEST_CASE("the watchdog reports a cycle wedged past its hard limit, naming it") {
    std::promise<std::string> reason;
    ff::service::Watchdog dog(fast(10s, 100ms), [&](const std::string& r) { reason.set_value(r); });
    dog.cycle_started(0, "snapshot");
    auto f = reason.get_future();
    for (int i = 0; i < 500 && f.wait_for(0s) != std::future_status::ready; ++i) {
        dog.beat();
        std::this_thread::sleep_for(10ms);
    }
    REQUIRE(f.wait_for(0s) == std::future_status::ready);
    CHECK_THAT(f.get(), Catch::Contains("snapshot cycle has been running"));
}
