// Secret registry and scrubbing; the logger runs every line through scrub() as a last line of
// defence.
#include "core/secrets.hpp"

#include <algorithm>
#include <mutex>
#include <regex>
#include <vector>

namespace ff::secrets {
namespace {

struct Registry {
    std::mutex mutex;
    std::vector<std::string> values;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

void add(std::string_view value) {
    if (value.size() < 4) return;
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (std::find(r.values.begin(), r.values.end(), value) == r.values.end())
        r.values.emplace_back(value);
    // Longest first, so a secret that contains another is masked whole.
    std::sort(r.values.begin(), r.values.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string scrub(std::string_view text) {
    std::string out(text);
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (const auto& secret : r.values) {
        for (auto pos = out.find(secret); pos != std::string::npos;
             pos = out.find(secret, pos + 3)) {
            out.replace(pos, secret.size(), "***");
        }
    }
    return out;
}

std::string redact_conninfo(std::string_view conninfo) {
    std::string s(conninfo);
    // URL form: scheme://user:password@host -> scheme://user:***@host. Greedy up to the last '@'
    // before the query, so a password holding a raw '@' is masked whole.
    static const std::regex url_pw(R"(^([a-z]+://[^:/@]*):[^?]*@)", std::regex::icase);
    if (std::regex_search(s, url_pw)) return std::regex_replace(s, url_pw, "$1:***@");
    // URL query form (?password=...) and keyword/value form (password=...)
    static const std::regex kv_pw(R"((^|[\s?&])password\s*=\s*('([^'\\]|\\.)*'|[^\s&]*))",
                                  std::regex::icase);
    return std::regex_replace(s, kv_pw, "$1password=***");
}

}  // namespace ff::secrets
