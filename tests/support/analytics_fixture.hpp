// A migrated, seeded scratch database and the analytics routes served on 127.0.0.1:0.
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/server.hpp"
#include "read/routes.hpp"
#include "support/pg_test.hpp"

namespace fftest::analytics {

// A NOLOGIN role on the test cluster for the analytics API to read as (FUEL_READER_ROLE), dropped
// again at the end (after the databases that granted it anything).
class ReaderRole {
  public:
    ReaderRole();
    ~ReaderRole();
    ReaderRole(const ReaderRole&) = delete;
    ReaderRole& operator=(const ReaderRole&) = delete;
    const std::string& name() const { return name_; }

  private:
    std::string name_;
};

// tracksolid.devices plus fuel.records rows dated relative to today in Nairobi: fills in and out
// of every period, a deleted fill, a NULL department, unmatched plates and flagged rows. The rows
// reach fuel.records through the real ingest path, from a contract-shaped export in source_dir().
class SeededDatabase {
  public:
    // ingest: migrated and loaded here. export_only: the export is written to source_dir() but
    // the database has only tracksolid.devices, for a daemon to migrate and load it.
    enum class Load { ingest, export_only };
    explicit SeededDatabase(Load load = Load::ingest);
    ~SeededDatabase();
    SeededDatabase(const SeededDatabase&) = delete;
    SeededDatabase& operator=(const SeededDatabase&) = delete;
    const std::string& url() const { return db_.url(); }
    // The role migrate granted the views to (FUEL_READER_ROLE); the daemon's own migrate grants
    // it for Load::export_only.
    const std::string& reader_role() const { return role_.name(); }
    // The export it was loaded from (fuel_records/latest.json, fuel_records/changes/…).
    const std::filesystem::path& source_dir() const { return dir_; }
    PgSession& session() { return session_; }

  private:
    ReaderRole role_;  // first: dropped after the database
    ScratchDatabase db_;
    PgSession session_;
    std::filesystem::path dir_;
};

// The analytics routes (and nothing else) on their own io thread, reading as the database's
// reader role.
class AnalyticsServer {
  public:
    explicit AnalyticsServer(const SeededDatabase& db, const std::string& token = "");
    // With every option chosen by the test (database_url and reader_role included).
    explicit AnalyticsServer(ff::read::AnalyticsOptions options);
    ~AnalyticsServer();
    std::uint16_t port() const { return server_->port(); }

  private:
    boost::asio::io_context io_;
    std::optional<ff::http::Server> server_;
    std::thread thread_;
};

struct HttpReply {
    int status = 0;
    std::string content_type;
    std::string body;
    std::map<std::string, std::string> headers;  // names in lower case
    bool chunked = false;
};

// One blocking GET; `token` adds Authorization: Bearer <token> when not empty.
HttpReply http_get(std::uint16_t port, const std::string& target, const std::string& token = "");

// One blocking request as written (`method target`, extra header lines), Connection: close.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace fftest::analytics
