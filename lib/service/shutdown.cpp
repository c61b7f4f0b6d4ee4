// Signals to shutdown stages: stop new work, wait within the grace period, or exit at once.
#include "service/shutdown.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>

#include "core/exit_codes.hpp"

namespace ff::service {

namespace {

// Ends the process without unwinding: the loop may be in the middle of a transaction, which
// PostgreSQL rolls back when the session ends.
[[noreturn]] void exit_now() {
    spdlog::default_logger()->flush();
    std::_Exit(kExitFailed);
}

}  // namespace

Shutdown::Shutdown(boost::asio::io_context& io, std::chrono::milliseconds grace,
                   std::function<void()> stop_work)
    : signals_(io, SIGTERM, SIGINT),
      grace_timer_(io),
      grace_(grace),
      stop_work_(std::move(stop_work)) {}

void Shutdown::start() {
    signals_.async_wait([this](const auto& ec, int signo) { on_signal(ec, signo); });
}

void Shutdown::finished() {
    grace_timer_.cancel();
    signals_.cancel();
}

void Shutdown::on_signal(const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled by finished()
    if (stopping_) {
        spdlog::warn("run: second signal ({}); exiting at once", signo);
        exit_now();
    }
    stopping_ = true;
    spdlog::info("run: signal {}; finishing the work in flight (at most {} ms)", signo,
                 grace_.count());
    grace_timer_.expires_after(grace_);
    grace_timer_.async_wait([this](const auto& e) { on_grace_expired(e); });
    start();  // a second signal must still be seen
    stop_work_();
}

void Shutdown::on_grace_expired(const boost::system::error_code& ec) {
    if (ec) return;  // the work stopped in time
    spdlog::error("run: shutdown grace expired; exiting, the transaction in flight is rolled back");
    exit_now();
}

}  // namespace ff::service
