// The self-watchdog: a thread that only reads heartbeats and ends the process when the event
// loop stops beating or a cycle runs past its hard limit. Docker and Coolify only mark an
// unhealthy container; the restart comes from this exit (code 70) and the restart policy.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ff::service {

class Watchdog {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kMaxCycles = 4;  // cycle slots, indexed by the caller (e.g. 0 snapshot)

    struct Options {
        std::chrono::milliseconds loop_timeout{60'000};      // no beat for this long: wedged
        std::chrono::milliseconds cycle_timeout{1'800'000};  // a cycle running this long: wedged
        std::chrono::milliseconds check_every{1'000};
    };
    // Called on the watchdog thread with the reason. The default logs it and _Exit(70)s.
    using OnWedged = std::function<void(const std::string& reason)>;

    explicit Watchdog(Options options, OnWedged on_wedged = {});
    ~Watchdog();  // stops the thread
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    // Called from the event loop (a timer) to say it is alive.
    void beat();
    // Mark a cycle in slot `slot` as running / finished; `name` is for the exit reason.
    void cycle_started(int slot, const char* name);
    void cycle_finished(int slot);

  private:
    void watch();
    static long long now_ms();

    Options options_;
    OnWedged on_wedged_;
    std::atomic<long long> last_beat_ms_;
    std::array<std::atomic<long long>, kMaxCycles> cycle_started_ms_{};  // 0 = not running
    std::array<std::atomic<const char*>, kMaxCycles> cycle_names_{};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ff::service
