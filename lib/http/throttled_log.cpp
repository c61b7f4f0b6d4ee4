// ThrottledLog: one timer per episode of repeated warnings; nothing runs while all is quiet.
#include "http/throttled_log.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>

namespace ff::http {

struct ThrottledLog::State {
    State(boost::asio::any_io_executor ex, std::string s, std::chrono::milliseconds w)
        : timer(std::move(ex)), summary(std::move(s)), window(w) {}

    boost::asio::steady_timer timer;
    std::string summary;
    std::chrono::milliseconds window;
    bool in_episode = false;    // the window timer is armed
    std::uint64_t counted = 0;  // occurrences in the current window after the first
    bool closed = false;

    void arm(const std::shared_ptr<State>& self) {
        in_episode = true;
        timer.expires_after(window);
        timer.async_wait([weak = std::weak_ptr<State>(self)](boost::system::error_code ec) {
            auto state = weak.lock();
            if (ec || !state || state->closed) return;
            state->window_ended(state);
        });
    }

    void window_ended(const std::shared_ptr<State>& self) {
        if (counted == 0) {
            in_episode = false;  // quiet for a whole window: the next one is logged at once
            return;
        }
        if (window >= std::chrono::seconds(1))
            spdlog::warn("{}: {} more in the last {} s", summary, counted,
                         std::chrono::duration_cast<std::chrono::seconds>(window).count());
        else
            spdlog::warn("{}: {} more in the last {} ms", summary, counted, window.count());
        counted = 0;
        arm(self);
    }
};

ThrottledLog::ThrottledLog(boost::asio::any_io_executor executor, std::string summary,
                           std::chrono::milliseconds window)
    : state_(std::make_shared<State>(std::move(executor), std::move(summary), window)) {}

ThrottledLog::~ThrottledLog() {
    state_->closed = true;
    state_->timer.cancel();
}

void ThrottledLog::warn(const std::string& message) {
    if (state_->in_episode) {
        ++state_->counted;
        return;
    }
    spdlog::warn("{}", message);
    state_->arm(state_);
}

void ThrottledLog::flush() {
    if (state_->counted > 0) spdlog::warn("{}: {} more", state_->summary, state_->counted);
    state_->counted = 0;
    state_->in_episode = false;
    state_->timer.cancel();
}

std::uint64_t ThrottledLog::pending() const {
    return state_->counted;
}

}  // namespace ff::http
