// Connection parameters: a URL or keyword/value conninfo split into keywords, for
// PQconnectStartParams.
#pragma once

#include <string>
#include <vector>

namespace ff::db {

// The parsed keywords of a conninfo (URL or keyword/value), in the order libpq lists them.
// Throws DbError (without the password) when libpq cannot parse it.
class ConninfoParams {
  public:
    explicit ConninfoParams(const std::string& conninfo);

    std::string get(const std::string& keyword) const;  // "" when absent
    void set(const std::string& keyword, std::string value);
    void set_default(const std::string& keyword, std::string value);  // only when absent

    // The hosts to resolve: the comma-separated `host` list, or empty when libpq will use a
    // Unix socket (no host, or a host that is a directory path) or `hostaddr` is already set.
    std::vector<std::string> hosts_to_resolve() const;

    // "host:port/dbname user=name": for logs, never the password.
    std::string describe() const;

    // Null-terminated arrays for PQconnectStartParams; valid while this object lives unchanged.
    const char* const* keywords();
    const char* const* values();

  private:
    std::vector<std::pair<std::string, std::string>> params_;
    std::vector<const char*> keyword_ptrs_;
    std::vector<const char*> value_ptrs_;
    void build_arrays();
};

}  // namespace ff::db
