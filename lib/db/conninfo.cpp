// Connection parameters: a URL or keyword/value conninfo split into keywords, for
// PQconnectStartParams.
#include "db/conninfo.hpp"

#include <algorithm>

#include "core/secrets.hpp"
#include "db/connection.hpp"
#include "db/pq.hpp"

namespace ff::db {

ConninfoParams::ConninfoParams(const std::string& conninfo) {
    char* err = nullptr;
    pq::ConninfoHandle options(PQconninfoParse(conninfo.c_str(), &err));
    if (!options) {
        std::string message = err ? err : "out of memory";
        PQfreemem(err);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        throw DbError("invalid database URL (" + secrets::redact_conninfo(conninfo) +
                          "): " + secrets::scrub(message),
                      "", false);
    }
    for (auto* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        params_.emplace_back(o->keyword, o->val);
    }
    // The password may come from the URL alone; make sure no log line can ever show it.
    if (auto pw = get("password"); !pw.empty()) secrets::add(pw);
}

std::string ConninfoParams::get(const std::string& keyword) const {
    for (const auto& [k, v] : params_)
        if (k == keyword) return v;
    return {};
}

void ConninfoParams::set(const std::string& keyword, std::string value) {
    for (auto& [k, v] : params_) {
        if (k == keyword) {
            v = std::move(value);
            return;
        }
    }
    params_.emplace_back(keyword, std::move(value));
}

void ConninfoParams::set_default(const std::string& keyword, std::string value) {
    if (get(keyword).empty()) set(keyword, std::move(value));
}

std::vector<std::string> ConninfoParams::hosts_to_resolve() const {
    if (!get("hostaddr").empty()) return {};
    const std::string host = get("host");
    std::vector<std::string> hosts;
    std::size_t start = 0;
    while (start <= host.size()) {
        const auto comma = std::min(host.find(',', start), host.size());
        hosts.push_back(host.substr(start, comma - start));
        start = comma + 1;
    }
    // A Unix-socket directory (or libpq's default socket) needs no resolving; mixing is rare
    // enough that we then leave every host to libpq rather than build a partial hostaddr list.
    const bool any_socket = std::any_of(hosts.begin(), hosts.end(), [](const std::string& h) {
        return h.empty() || h.front() == '/' || h.front() == '@';
    });
    if (any_socket) return {};
    return hosts;
}

std::string ConninfoParams::describe() const {
    std::string host = get("host");
    if (host.empty()) host = get("hostaddr");
    if (host.empty()) host = "(local socket)";
    std::string port = get("port");
    std::string out = host + ":" + (port.empty() ? "5432" : port) + "/" + get("dbname");
    if (auto user = get("user"); !user.empty()) out += " user=" + user;
    return out;
}

void ConninfoParams::build_arrays() {
    keyword_ptrs_.clear();
    value_ptrs_.clear();
    for (const auto& [k, v] : params_) {
        keyword_ptrs_.push_back(k.c_str());
        value_ptrs_.push_back(v.c_str());
    }
    keyword_ptrs_.push_back(nullptr);
    value_ptrs_.push_back(nullptr);
}

const char* const* ConninfoParams::keywords() {
    build_arrays();
    return keyword_ptrs_.data();
}

const char* const* ConninfoParams::values() {
    if (value_ptrs_.size() != params_.size() + 1) build_arrays();
    return value_ptrs_.data();
}

}  // namespace ff::db
