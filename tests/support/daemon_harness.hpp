// Helpers for the daemon tests: the real fleetfuel binary as a child process, HTTP GETs against
// it, metric lookups, and a PostgreSQL cluster of a test's own that it may stop and restart.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace fftest {

using Env = std::map<std::string, std::string>;

int free_port();
std::filesystem::path make_temp_directory(const std::string& prefix);
void write_text(const std::filesystem::path& path, const std::string& text);

struct HttpReply {
    int status = 0;  // 0: no answer
    std::string body;
};
// A socket connected to 127.0.0.1:port, with send and receive timeouts (the send one bounds the
// connect), or -1.
int connect_loopback(int port, std::chrono::milliseconds timeout);
HttpReply http_get(int port, const std::string& path);

// Polls `done` every 100 ms until it is true or `limit` passes; returns its last answer.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(60));

// The value of the sample whose line starts with `series` (e.g. `fleetfuel_leader` or
// `fleetfuel_ingest_lag_seconds{stream="snapshot"}`), or nullopt.
std::optional<double> metric(const std::string& exposition, const std::string& series);

// `fleetfuel run` with exactly `env` (plus PATH and sanitizer settings), stderr to a log file.
// `binary` is another build of fleetfuel (tests/rules), or empty for the one under test.
class Daemon {
  public:
    explicit Daemon(Env env, std::string binary = {});
    ~Daemon();  // SIGKILLs it if still running
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    int port() const { return port_; }
    int pid() const { return child_->pid(); }
    HttpReply get(const std::string& path) const { return http_get(port_, path); }
    std::string metrics() const { return get("/metrics").body; }
    enum class Role { leader, standby };
    // /readyz is 200 and reports `role`.
    bool wait_ready(Role role = Role::leader,
                    std::chrono::milliseconds limit = std::chrono::seconds(60)) const;

    void signal(int signo);
    // The exit code (128 + signal when killed), or nullopt if still running after `limit`.
    std::optional<int> wait_exit(std::chrono::milliseconds limit);
    std::string log() const;

  private:
    int port_ = 0;
    std::filesystem::path dir_;
    std::unique_ptr<ChildProcess> child_;
};

// A real Prometheus (Debian's /usr/bin/prometheus) scraping `targets` (127.0.0.1 ports) every
// second as job "fleetfuel", evaluating `rule_files` every second, at today's clock.
class Prometheus {
  public:
    Prometheus(const std::vector<int>& targets, const std::vector<std::string>& rule_files = {});
    ~Prometheus();  // SIGTERM, then SIGKILL
    Prometheus(const Prometheus&) = delete;
    Prometheus& operator=(const Prometheus&) = delete;

    // GET /api/v1/<path> (e.g. "query?query=up", "alerts"); the JSON body.
    std::string api(const std::string& path) const;

  private:
    std::filesystem::path dir_;
    int port_ = 0;
    std::unique_ptr<ChildProcess> child_;
};

// A throwaway PostgreSQL cluster (initdb into a temp dir, as scripts/services.sh does) that a
// test may stop and start without disturbing the shared one.
class OwnCluster {
  public:
    OwnCluster();
    ~OwnCluster();
    void start();
    void stop();
    std::string url(const std::string& dbname = "postgres") const;

  private:
    std::filesystem::path dir_;
    std::string bin_;
    int port_ = 0;
    bool running_ = false;
};

}  // namespace fftest
