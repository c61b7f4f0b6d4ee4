// The self-watchdog thread (see watchdog.hpp for why it exists).
#include "service/watchdog.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "core/exit_codes.hpp"

namespace ff::service {

Watchdog::Watchdog(Options options, OnWedged on_wedged)
    : options_(options), on_wedged_(std::move(on_wedged)), last_beat_ms_(now_ms()) {
    if (!on_wedged_) {
        on_wedged_ = [](const std::string& reason) {
            spdlog::critical("watchdog: {}; exiting with code {} so the service is restarted",
                             reason, static_cast<int>(kExitWatchdog));
            spdlog::default_logger()->flush();
            // Not exit(): destructors and atexit handlers could block on the wedged loop.
            std::_Exit(kExitWatchdog);
        };
    }
    for (auto& c : cycle_started_ms_) c.store(0);
    for (auto& n : cycle_names_) n.store("cycle");
    thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

long long Watchdog::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

void Watchdog::beat() {
    last_beat_ms_.store(now_ms(), std::memory_order_relaxed);
}

void Watchdog::cycle_started(int slot, const char* name) {
    cycle_names_.at(slot).store(name);
    cycle_started_ms_.at(slot).store(now_ms());
}

void Watchdog::cycle_finished(int slot) {
    cycle_started_ms_.at(slot).store(0);
}

void Watchdog::watch() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, options_.check_every, [this] { return stopping_; })) {
        const long long now = now_ms();
        const long long silent = now - last_beat_ms_.load(std::memory_order_relaxed);
        if (silent > options_.loop_timeout.count()) {
            on_wedged_("event loop has not run for " + std::to_string(silent / 1000) + " s");
            return;
        }
        for (int i = 0; i < kMaxCycles; ++i) {
            const long long started = cycle_started_ms_[i].load();
            if (started != 0 && now - started > options_.cycle_timeout.count()) {
                on_wedged_(std::string(cycle_names_[i].load()) + " cycle has been running for " +
                           std::to_string((now - started) / 1000) + " s");
                return;
            }
        }
    }
}

}  // namespace ff::service
