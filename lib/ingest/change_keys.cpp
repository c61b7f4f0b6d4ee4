// The change-file naming rule (change_keys.hpp), read left to right without a regex engine.
#include "ingest/change_keys.hpp"

#include <algorithm>

namespace ff::ingest {
namespace {

constexpr std::string_view kChangesDir = "changes/";

// Reads `n` digits at `pos` as a number within [lo, hi]; advances `pos` on success.
bool field(std::string_view s, std::size_t& pos, std::size_t n, int lo, int hi) {
    if (pos + n > s.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    if (value < lo || value > hi) return false;
    pos += n;
    return true;
}

// Skips one optional separator out of `seps`.
void skip_one(std::string_view s, std::size_t& pos, std::string_view seps) {
    if (pos < s.size() && seps.find(s[pos]) != std::string_view::npos) ++pos;
}

bool date_and_time(std::string_view s) {
    std::size_t pos = 0;
    if (!field(s, pos, 4, 0, 9999)) return false;
    const bool dashed = pos < s.size() && s[pos] == '-';
    if (dashed) ++pos;
    if (!field(s, pos, 2, 1, 12)) return false;
    if (dashed && (pos >= s.size() || s[pos++] != '-')) return false;
    if (!field(s, pos, 2, 1, 31)) return false;
    if (pos >= s.size() || std::string_view("Tt _").find(s[pos]) == std::string_view::npos)
        return false;
    ++pos;
    if (!field(s, pos, 2, 0, 23)) return false;
    skip_one(s, pos, ":-");
    return field(s, pos, 2, 0, 59);  // seconds, a fraction, a zone may follow: any text may
}

}  // namespace

bool is_change_file_name(std::string_view name) {
    constexpr std::string_view suffix = ".json";
    if (name.size() <= suffix.size() || !name.ends_with(suffix)) return false;
    if (name.find('/') != std::string_view::npos) return false;
    return date_and_time(name.substr(0, name.size() - suffix.size()));
}

bool is_change_file(std::string_view key, std::string_view prefix) {
    if (!key.starts_with(prefix)) return false;
    key.remove_prefix(prefix.size());
    if (!key.starts_with(kChangesDir)) return false;
    return is_change_file_name(key.substr(kChangesDir.size()));
}

std::string stray_reason(std::string_view key, std::string_view prefix) {
    const std::string_view name =
        key.substr(std::min(key.size(), prefix.size() + kChangesDir.size()));
    const char* why = name.find('/') != std::string_view::npos ? "in a folder below changes/"
                      : !name.ends_with(".json")
                          ? "not a .json file"
                          : "its name does not start with a UTC date and time";
    return std::string("not a change file (") + why +
           "): recorded once, never applied, never moves the watermark";
}

}  // namespace ff::ingest
