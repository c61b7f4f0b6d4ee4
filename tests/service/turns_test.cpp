// The leader's turn-taking on a fake clock (lib/service/turns.hpp): one stream at a time, the
// earliest due first, the snapshot on a tie, retries that back off up to the interval, a full
// listing of changes/ at start and every snapshot interval, and a database probe when idle.
#include "service/turns.hpp"

#include <catch2/catch.hpp>

using ff::service::Stream;
using ff::service::Turns;
using namespace std::chrono_literals;

namespace {

const Turns::Clock::time_point t0{};

Turns hourly_snapshot() {
    return Turns(3'600'000ms, 30'000ms, 1'000ms, t0);
}

}  // namespace

TEST_CASE("At start the snapshot runs first, then the changes with a full listing",
          "[service][unit]") {
    Turns turns = hourly_snapshot();
    CHECK(turns.next(t0, t0, 5s).action == Turns::Action::snapshot);
    turns.succeeded(Stream::snapshot, t0, false);
    const auto after = t0 + 2s;
    CHECK(turns.next(after, after, 5s).action == Turns::Action::changes);
    CHECK(turns.full_listing_due(after));
    turns.succeeded(Stream::changes, after, true);
    // The next polls list only the recent files, until a snapshot interval has passed.
    CHECK_FALSE(turns.full_listing_due(after + 30s));
    CHECK(turns.due(Stream::changes) == after + 30s);
    CHECK(turns.full_listing_due(after + 3'600s));
}

TEST_CASE("An idle leader sleeps until the earliest due stream, or probes the database first",
          "[service][unit]") {
    Turns turns = hourly_snapshot();
    turns.succeeded(Stream::snapshot, t0, false);
    turns.succeeded(Stream::changes, t0, true);
    const auto now = t0 + 1s;
    const auto idle = turns.next(now, now, 5s);
    CHECK(idle.action == Turns::Action::sleep);
    CHECK(idle.until == now + 5s);  // the readiness probe is due before the next poll
    CHECK(turns.next(t0 + 6s, t0, 5s).action == Turns::Action::probe);
    const auto later = turns.next(t0 + 10s, t0 + 10s, 60s);
    CHECK(later.action == Turns::Action::sleep);
    CHECK(later.until == t0 + 30s);  // the next poll
}

TEST_CASE(
    "When both streams are due the snapshot goes first, and a late one does not starve the "
    "other",
    "[service][unit]") {
    Turns turns = hourly_snapshot();
    turns.succeeded(Stream::snapshot, t0, false);
    turns.succeeded(Stream::changes, t0, true);
    // An hour later both are due: the one due earlier (the changes poll) runs first.
    const auto hour = t0 + 3'600s;
    CHECK(turns.next(hour, hour, 5s).action == Turns::Action::changes);
    turns.succeeded(Stream::changes, hour, true);
    CHECK(turns.next(hour + 1s, hour, 5s).action == Turns::Action::snapshot);

    Turns tie(30'000ms, 30'000ms, 1'000ms, t0);
    CHECK(tie.next(t0, t0, 5s).action == Turns::Action::snapshot);
}

TEST_CASE(
    "A failed cycle is retried after 1, 2, 4 ... seconds, never later than its interval, "
    "and a success resets the backoff",
    "[service][unit]") {
    Turns turns = hourly_snapshot();
    auto now = t0;
    CHECK(turns.failed(Stream::changes, now) == 1s);
    CHECK(turns.failed(Stream::changes, now) == 2s);
    CHECK(turns.failed(Stream::changes, now) == 4s);
    for (int i = 0; i < 10; ++i) turns.failed(Stream::changes, now);
    CHECK(turns.failed(Stream::changes, now) == 30s);  // capped at CHANGES_INTERVAL
    CHECK(turns.due(Stream::changes) == now + 30s);
    // The other stream's backoff is its own.
    CHECK(turns.failed(Stream::snapshot, now) == 1s);
    turns.succeeded(Stream::changes, now, false);
    CHECK(turns.failed(Stream::changes, now) == 1s);
}

TEST_CASE("A failed full listing is tried again as a full listing", "[service][unit]") {
    Turns turns = hourly_snapshot();
    turns.succeeded(Stream::snapshot, t0, false);
    turns.failed(Stream::changes, t0);
    CHECK(turns.full_listing_due(turns.due(Stream::changes)));
    const auto retry = turns.due(Stream::changes);
    turns.succeeded(Stream::changes, retry, true);
    CHECK_FALSE(turns.full_listing_due(retry + 30s));
    CHECK(turns.full_listing_due(retry + 3'600s));
}
