// The leader's turn-taking as plain data on a given clock: which stream runs next (one at a time,
// earliest due first), when each is due again after a success or a failure (backing off), and
// when the changes cycle lists every object. The scheduler asks it; its unit tests run it on a
// fake clock.
#pragma once

#include <chrono>

#include "service/cycle_report.hpp"

namespace ff::service {

class Turns {
  public:
    using Clock = std::chrono::steady_clock;
    using ms = std::chrono::milliseconds;

    enum class Action { snapshot, changes, probe, sleep };
    struct Next {
        Action action;
        Clock::time_point until{};  // for sleep: when something is due
    };

    // Both streams, and a full listing, are due at `start`.
    Turns(ms snapshot_interval, ms changes_interval, ms retry_base, Clock::time_point start);

    // What the leader does at `now`: a due stream (a tie goes to the snapshot), else a database
    // probe when none succeeded for `readiness_every`, else sleep until one of them is due.
    Next next(Clock::time_point now, Clock::time_point last_db_ok, ms readiness_every) const;

    // Whether a changes cycle starting at `started` lists every object (at start, then every
    // snapshot interval), not only the recent ones.
    bool full_listing_due(Clock::time_point started) const { return started >= full_listing_; }

    // A cycle that started at `started` succeeded; `full_listing`: it was a full listing.
    void succeeded(Stream stream, Clock::time_point started, bool full_listing);
    // A cycle failed at `now`: it is retried after base * 2^(failures-1), at most its interval.
    // Returns the delay.
    ms failed(Stream stream, Clock::time_point now);

    Clock::time_point due(Stream stream) const { return due_[slot(stream)]; }

  private:
    static int slot(Stream s) { return static_cast<int>(s); }
    ms interval(Stream s) const;

    ms snapshot_interval_, changes_interval_, retry_base_;
    Clock::time_point due_[2];
    Clock::time_point full_listing_;
    int failures_[2] = {0, 0};
};

// base * 2^(attempt-1), capped; attempt counts from 1.
std::chrono::milliseconds backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                  int attempt);

}  // namespace ff::service
