// Counts of one ingest run: adding them up and writing them as JSON or one summary line.
#include <fmt/format.h>

#include <iterator>

#include "ingest/ingest.hpp"

namespace ff::ingest {

Counts& Counts::operator+=(const Counts& o) {
    for (const CountField& f : count_fields) this->*f.member += o.*f.member;
    for (const auto& [flag, n] : o.flags) flags[flag] += n;
    return *this;
}

std::string to_json(const Counts& c) {
    std::string out = "{";
    for (const CountField& f : count_fields)
        fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", out.size() > 1 ? "," : "", f.key,
                       c.*f.member);
    return out + "}";
}

std::string summary(const Counts& c) {
    std::string out;
    for (const CountField& f : count_fields)
        fmt::format_to(std::back_inserter(out), "{}{} {}", out.empty() ? "" : ", ", f.label,
                       c.*f.member);
    return out;
}

const char* to_string(Refusal refusal) {
    switch (refusal) {
        case Refusal::none:
            return "none";
        case Refusal::mass_delete:
            return "mass_delete";
        case Refusal::older_snapshot:
            return "older_snapshot";
        case Refusal::empty:
            return "empty";
    }
    return "none";
}

}  // namespace ff::ingest
