// Graceful shutdown of the daemon on SIGTERM or SIGINT, in the stages an operator expects: the
// first signal stops new work and waits, at most the grace period, for the work in flight; a
// second signal, or the grace running out, ends the process at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace ff::service {

class Shutdown {
  public:
    // `stop_work` is called once, on the first signal; the owner calls finished() when the work
    // has stopped. Both run on `io`'s thread.
    Shutdown(boost::asio::io_context& io, std::chrono::milliseconds grace,
             std::function<void()> stop_work);

    // Starts waiting for signals.
    void start();
    // The work has stopped: no more waiting for signals or for the grace period.
    void finished();

  private:
    void on_signal(const boost::system::error_code& ec, int signo);
    void on_grace_expired(const boost::system::error_code& ec);

    boost::asio::signal_set signals_;
    boost::asio::steady_timer grace_timer_;
    std::chrono::milliseconds grace_;
    std::function<void()> stop_work_;
    bool stopping_ = false;
};

}  // namespace ff::service
