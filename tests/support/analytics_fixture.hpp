// A migrated, seeded scratch database and the analytics routes served on 127.0.0.1:0.
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "http/server.hpp"
#include "support/pg_test.hpp"

namespace fftest::analytics {

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
    // The export it was loaded from (fuel_records/latest.json, fuel_records/changes/…).
    const std::filesystem::path& source_dir() const { return dir_; }
    PgSession& session() { return session_; }

  private:
    ScratchDatabase db_;
    PgSession session_;
    std::filesystem::path dir_;
};

// The analytics routes (and nothing else) on their own io thread.
class AnalyticsServer {
  public:
    AnalyticsServer(const std::string& database_url, const std::string& token = "");
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
};

// One blocking GET; `token` adds Authorization: Bearer <token> when not empty.
HttpReply http_get(std::uint16_t port, const std::string& target, const std::string& token = "");

}  // namespace fftest::analytics
