// Connection slots without sockets: the caps, who yields a slot, and the waiting reserve.
#include "http/connection_slots.hpp"

#include <catch2/catch.hpp>

using ff::http::ConnectionSlots;
using Refusal = ConnectionSlots::Refusal;

TEST_CASE("a full server gives the newcomer the slot of the connection yielding longest",
          "[http]") {
    ConnectionSlots slots({3, 3, 1});
    const auto a = slots.admit("10.0.0.1").id;
    const auto b = slots.admit("10.0.0.2").id;
    const auto c = slots.admit("10.0.0.3").id;
    REQUIRE((a && b && c));
    const auto d = slots.admit("10.0.0.4");
    REQUIRE(d.id);
    CHECK(d.evicted == a);
    CHECK(slots.size() == 3);
    CHECK_FALSE(slots.contains(*a));
    slots.release(*a);  // the evicted session ends later: nothing happens
    CHECK(slots.size() == 3);

    // A connection that was answered yields again from then on: it is now the newest.
    REQUIRE(slots.begin_wait(*b));
    slots.end_wait(*b);
    CHECK(slots.admit("10.0.0.5").evicted == c);
}

TEST_CASE("a client at its own cap yields its own connections, never another client's", "[http]") {
    ConnectionSlots slots({10, 2, 0});
    const auto other = slots.admit("10.0.0.9").id;
    const auto a = slots.admit("10.0.0.1").id;
    const auto b = slots.admit("10.0.0.1").id;
    const auto c = slots.admit("10.0.0.1");
    REQUIRE(c.id);
    CHECK(c.evicted == a);
    CHECK(slots.contains(*other));
    CHECK(slots.from("10.0.0.1") == 2);
    // When all of its connections are being answered, it gets no more.
    REQUIRE(slots.begin_wait(*b));
    REQUIRE(slots.begin_wait(*c.id));
    const auto d = slots.admit("10.0.0.1");
    CHECK_FALSE(d.id);
    CHECK(d.refusal == Refusal::client_limit);
    CHECK(slots.admit("10.0.0.2").id);  // others still get in
}

TEST_CASE("waiting connections never take the reserved slots, so a probe always gets in",
          "[http]") {
    ConnectionSlots slots({4, 4, 2});
    const auto a = slots.admit("10.0.0.1").id;
    const auto b = slots.admit("10.0.0.1").id;
    const auto c = slots.admit("10.0.0.1").id;
    REQUIRE(slots.begin_wait(*a));
    REQUIRE(slots.begin_wait(*b));
    CHECK_FALSE(slots.begin_wait(*c));  // 4 - 2 reserved: the third must be answered "busy"
    CHECK(slots.waiting() == 2);
    const auto probe = slots.admit("127.0.0.1");
    REQUIRE(probe.id);
    CHECK_FALSE(probe.evicted);
    const auto second = slots.admit("127.0.0.1");  // full now: c, still yielding, makes room
    REQUIRE(second.id);
    CHECK(second.evicted == c);
    slots.end_wait(*a);
    CHECK(slots.waiting() == 1);
    slots.release(*b);
    CHECK(slots.waiting() == 0);
}

TEST_CASE("only when every slot is being answered is a new connection refused", "[http]") {
    ConnectionSlots slots({2, 2, 0});
    const auto a = slots.admit("10.0.0.1").id;
    const auto b = slots.admit("10.0.0.2").id;
    REQUIRE(slots.begin_wait(*a));
    REQUIRE(slots.begin_wait(*b));
    const auto c = slots.admit("10.0.0.3");
    CHECK_FALSE(c.id);
    CHECK(c.refusal == Refusal::connection_limit);
    slots.release(*a);
    CHECK(slots.admit("10.0.0.3").id);
}
