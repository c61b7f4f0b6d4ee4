// Blocking libpq helpers for tests: a scratch database per test and simple query helpers.
// Production code never uses these: it goes through lib/db's asynchronous connection.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

namespace fftest {

// Creates a fresh, empty database on the test cluster and drops it when destroyed.
class ScratchDatabase {
  public:
    ScratchDatabase();
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& name() const { return name_; }
    const std::string& url() const { return url_; }  // postgresql://.../<name>

  private:
    std::string name_;
    std::string url_;
};

using Row = std::vector<std::optional<std::string>>;

// A blocking connection that fails the test on any error.
class PgSession {
  public:
    explicit PgSession(const std::string& url);
    ~PgSession();
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    // Runs one or more statements; fails the test on error.
    void exec(const std::string& sql);
    // Runs a parameterised query and returns all rows as text (NULL as nullopt).
    std::vector<Row> query(const std::string& sql,
                           const std::vector<std::optional<std::string>>& params = {});
    // First column of the first row; fails the test if there is no row or it is NULL.
    std::string scalar(const std::string& sql,
                       const std::vector<std::optional<std::string>>& params = {});
    // The error message of a statement that is expected to fail (fails the test if it succeeds).
    std::string error_of(const std::string& sql);

    PGconn* raw() { return conn_; }

  private:
    PGconn* conn_ = nullptr;
};

// Replaces the database name in a postgresql:// URL.
std::string with_database(const std::string& url, const std::string& dbname);

}  // namespace fftest
