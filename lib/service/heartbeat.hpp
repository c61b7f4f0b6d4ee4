// The event loop's heartbeat: a steady timer that tells the watchdog and /healthz "still running".
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace ff::metrics {
struct HealthState;
}

namespace ff::service {

class Watchdog;

class Heartbeat {
  public:
    // `watchdog` and `health` must outlive the heartbeat; so must the heartbeat its coroutine
    // (stop it and let the loop run it out, or stop the loop).
    Heartbeat(boost::asio::any_io_executor executor, Watchdog& watchdog,
              metrics::HealthState& health,
              std::chrono::milliseconds every = std::chrono::seconds(1));

    void start();
    void stop();

  private:
    void beat();
    boost::asio::awaitable<void> run();

    boost::asio::steady_timer timer_;
    Watchdog& watchdog_;
    metrics::HealthState& health_;
    std::chrono::milliseconds every_;
    bool stopped_ = false;
};

}  // namespace ff::service
