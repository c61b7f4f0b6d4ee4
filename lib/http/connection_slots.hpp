// Who gets a connection slot: caps overall and per client, and which connection yields its slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace ff::http {

// The server's connection bookkeeping, without sockets. A connection is *yielding* while it is
// not being answered: it is sending its request (a slowloris trickles here), lingering after a
// refusal, idle between keep-alive requests, or not reading its response. A yielding connection
// gives its slot to a newcomer when the server or its client is full, the one yielding longest
// first. A connection is *waiting* while an asynchronous route (a database query) answers it;
// waiting connections never yield, and at most total - reserved of them exist at once. Routes that
// answer at once (/healthz, /readyz, /metrics) never wait, so a new connection always finds a slot
// (free, or yielded) unless every slot is in the middle of a synchronous answer.
class ConnectionSlots {
  public:
    using Id = std::uint64_t;

    struct Limits {
        std::size_t total = 256;      // connections at once
        std::size_t per_client = 64;  // connections at once from one address
        std::size_t reserved = 32;    // slots waiting connections can never take
    };

    enum class Refusal { none, connection_limit, client_limit };

    struct Admission {
        std::optional<Id> id;             // the new connection's slot, unless refused
        std::optional<Id> evicted;        // a yielding connection whose slot it took: close it
        Refusal refusal = Refusal::none;  // why there is no slot
    };

    explicit ConnectionSlots(Limits limits);

    // A new connection from `client` (its address). An evicted connection's slot is already
    // free when this returns; its later release() is a no-op.
    Admission admit(const std::string& client);

    // The connection is being answered by an asynchronous route. False when the waiting
    // connections already fill total - reserved slots: answer it "busy" instead.
    bool begin_wait(Id id);
    // Its answer is ready: it yields again (from now, so it is the newest to yield).
    void end_wait(Id id);

    // The connection is closed. Unknown (already evicted) ids are ignored.
    void release(Id id);

    bool contains(Id id) const { return slots_.count(id) != 0; }
    std::size_t size() const { return slots_.size(); }
    std::size_t waiting() const { return waiting_; }
    std::size_t from(const std::string& client) const;

  private:
    struct Slot {
        std::string client;
        bool waiting = false;
        std::list<Id>::iterator yielding;  // its place in yielding_, when not waiting
    };

    std::optional<Id> oldest_yielding(const std::string* client) const;
    void forget(Id id);

    Limits limits_;
    Id next_id_ = 1;
    std::unordered_map<Id, Slot> slots_;
    std::list<Id> yielding_;  // oldest first
    std::unordered_map<std::string, std::size_t> per_client_;
    std::size_t waiting_ = 0;
};

}  // namespace ff::http
