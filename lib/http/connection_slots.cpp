// ConnectionSlots: admission, eviction of the longest-yielding connection, the waiting reserve.
#include "http/connection_slots.hpp"

#include <algorithm>

namespace ff::http {

ConnectionSlots::ConnectionSlots(Limits limits) : limits_(limits) {
    limits_.total = std::max<std::size_t>(limits_.total, 1);
    limits_.per_client = std::clamp<std::size_t>(limits_.per_client, 1, limits_.total);
    limits_.reserved = std::min(limits_.reserved, limits_.total - 1);
}

std::optional<ConnectionSlots::Id> ConnectionSlots::oldest_yielding(
    const std::string* client) const {
    // Linear, but only when full, and over at most `total` entries.
    for (const Id id : yielding_) {
        if (client == nullptr || slots_.at(id).client == *client) return id;
    }
    return std::nullopt;
}

ConnectionSlots::Admission ConnectionSlots::admit(const std::string& client) {
    Admission out;
    if (from(client) >= limits_.per_client) {
        out.evicted = oldest_yielding(&client);
        if (!out.evicted) {
            out.refusal = Refusal::client_limit;
            return out;
        }
    } else if (slots_.size() >= limits_.total) {
        out.evicted = oldest_yielding(nullptr);
        if (!out.evicted) {
            out.refusal = Refusal::connection_limit;
            return out;
        }
    }
    if (out.evicted) forget(*out.evicted);

    const Id id = next_id_++;
    Slot& slot = slots_[id];
    slot.client = client;
    slot.yielding = yielding_.insert(yielding_.end(), id);
    ++per_client_[client];
    out.id = id;
    return out;
}

bool ConnectionSlots::begin_wait(Id id) {
    auto it = slots_.find(id);
    if (it == slots_.end() || it->second.waiting) return false;
    if (waiting_ >= limits_.total - limits_.reserved) return false;
    yielding_.erase(it->second.yielding);
    it->second.waiting = true;
    ++waiting_;
    return true;
}

void ConnectionSlots::end_wait(Id id) {
    auto it = slots_.find(id);
    if (it == slots_.end() || !it->second.waiting) return;
    it->second.waiting = false;
    it->second.yielding = yielding_.insert(yielding_.end(), id);
    --waiting_;
}

void ConnectionSlots::release(Id id) {
    if (slots_.count(id) != 0) forget(id);
}

void ConnectionSlots::forget(Id id) {
    auto it = slots_.find(id);
    if (it->second.waiting)
        --waiting_;
    else
        yielding_.erase(it->second.yielding);
    auto count = per_client_.find(it->second.client);
    if (--count->second == 0) per_client_.erase(count);
    slots_.erase(it);
}

std::size_t ConnectionSlots::from(const std::string& client) const {
    const auto it = per_client_.find(client);
    return it == per_client_.end() ? 0 : it->second;
}

}  // namespace ff::http
