// The leader's turn-taking (turns.hpp).
#include "service/turns.hpp"

#include <algorithm>

namespace ff::service {

using std::chrono::milliseconds;

milliseconds backoff(milliseconds base, milliseconds cap, int attempt) {
    milliseconds delay = base;
    for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
    return std::min(delay, cap);
}

Turns::Turns(ms snapshot_interval, ms changes_interval, ms retry_base, Clock::time_point start)
    : snapshot_interval_(snapshot_interval),
      changes_interval_(changes_interval),
      retry_base_(retry_base),
      due_{start, start},
      full_listing_(start) {}

Turns::ms Turns::interval(Stream s) const {
    return s == Stream::snapshot ? snapshot_interval_ : changes_interval_;
}

Turns::Next Turns::next(Clock::time_point now, Clock::time_point last_db_ok,
                        ms readiness_every) const {
    const auto snap = due_[slot(Stream::snapshot)];
    const auto chg = due_[slot(Stream::changes)];
    if (snap <= now && snap <= chg) return {Action::snapshot};
    if (chg <= now) return {Action::changes};
    if (now - last_db_ok >= readiness_every) return {Action::probe};
    return {Action::sleep, std::min({snap, chg, last_db_ok + readiness_every})};
}

void Turns::succeeded(Stream stream, Clock::time_point started, bool full_listing) {
    const int i = slot(stream);
    failures_[i] = 0;
    if (stream == Stream::changes && full_listing) full_listing_ = started + snapshot_interval_;
    due_[i] = started + interval(stream);
    // A full listing due sooner than the next poll brings the poll forward.
    if (stream == Stream::changes) due_[i] = std::min(due_[i], full_listing_);
}

Turns::ms Turns::failed(Stream stream, Clock::time_point now) {
    const int i = slot(stream);
    const ms delay =
        std::min(backoff(retry_base_, interval(stream), ++failures_[i]), interval(stream));
    due_[i] = now + delay;
    return delay;
}

}  // namespace ff::service
