// Heartbeat: beats once per period from the event loop itself, so a wedged loop stops beating.
#include "service/heartbeat.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "metrics/health.hpp"
#include "service/watchdog.hpp"

namespace ff::service {

namespace net = boost::asio;

Heartbeat::Heartbeat(net::any_io_executor executor, Watchdog& watchdog,
                     metrics::HealthState& health, std::chrono::milliseconds every)
    : timer_(executor), watchdog_(watchdog), health_(health), every_(every) {}

void Heartbeat::beat() {
    watchdog_.beat();
    health_.heartbeat = std::chrono::system_clock::now();
}

void Heartbeat::start() {
    beat();
    net::co_spawn(timer_.get_executor(), run(), [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("heartbeat: stopped by an unexpected error: {}", ex.what());
        }
    });
}

net::awaitable<void> Heartbeat::run() {
    while (!stopped_) {
        timer_.expires_after(every_);
        boost::system::error_code ec;
        co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
        if (!stopped_) beat();
    }
}

void Heartbeat::stop() {
    stopped_ = true;
    timer_.cancel();
}

}  // namespace ff::service
