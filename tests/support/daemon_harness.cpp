// The daemon test harness: child processes, HTTP, metric parsing and a private PostgreSQL cluster.
#include "support/daemon_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/test_env.hpp"

namespace fftest {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

fs::path make_temp_directory(const std::string& prefix) {
    fs::path dir = fs::temp_directory_path() / unique_name(prefix);
    fs::create_directories(dir);
    return dir;
}

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    const fs::path tmp = path.string() + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    fs::rename(tmp, path);  // the daemon never sees half a file
}

int connect_loopback(int port, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

HttpReply http_get(int port, const std::string& path) {
    HttpReply reply;
    const int fd = connect_loopback(port, 5s);
    if (fd < 0) return reply;
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
        ::close(fd);
        return reply;
    }
    std::string raw;
    char buf[8192];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, n);
    ::close(fd);
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return reply;
    reply.status = std::stoi(raw.substr(9, 3));
    if (const auto at = raw.find("\r\n\r\n"); at != std::string::npos)
        reply.body = raw.substr(at + 4);
    return reply;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (true) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(100ms);
    }
}

std::optional<double> metric(const std::string& exposition, const std::string& series) {
    std::istringstream lines(exposition);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

Daemon::Daemon(Env env, std::string binary) : dir_(make_temp_directory("daemon-")) {
    port_ = free_port();
    env["HTTP_LISTEN"] = "127.0.0.1:" + std::to_string(port_);
    // Its own directory, so no stray .env is read; stdout and stderr to the log.
    child_ = std::make_unique<ChildProcess>(Launch{.args = {"run"},
                                                   .env = std::move(env),
                                                   .binary = std::move(binary),
                                                   .cwd = dir_.string(),
                                                   .log_path = (dir_ / "daemon.log").string()});
}

Prometheus::Prometheus(const std::vector<int>& targets, const std::vector<std::string>& rule_files)
    : dir_(make_temp_directory("prometheus-")), port_(free_port()) {
    std::string config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n";
    for (const auto& f : rule_files) config += "  - '" + f + "'\n";
    config += "scrape_configs:\n  - job_name: fleetfuel\n    static_configs:\n      - targets: [";
    for (std::size_t i = 0; i < targets.size(); ++i)
        config += (i ? ", '" : "'") + std::string("127.0.0.1:") + std::to_string(targets[i]) + "'";
    config += "]\n";
    write_text(dir_ / "prometheus.yml", config);
    child_ = std::make_unique<ChildProcess>(
        Launch{.args = {"--config.file=" + (dir_ / "prometheus.yml").string(),
                        "--storage.tsdb.path=" + (dir_ / "tsdb").string(),
                        "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
               .binary = "/usr/bin/prometheus",
               .cwd = dir_.string(),
               .log_path = (dir_ / "prometheus.log").string()});
}

Prometheus::~Prometheus() {
    child_->signal(SIGTERM);
    if (!child_->wait_for(500ms)) child_->kill();
    child_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string Prometheus::api(const std::string& path) const {
    return http_get(port_, "/api/v1/" + path).body;
}

Daemon::~Daemon() {
    // FF_TEST_SHOW_DAEMON_LOG=1 prints each daemon's log when it is torn down (for debugging).
    if (const char* show = std::getenv("FF_TEST_SHOW_DAEMON_LOG"); show && *show == '1')
        std::fprintf(stderr, "---- fleetfuel log ----\n%s---- end ----\n", log().c_str());
    child_.reset();  // SIGKILLs it if still running
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

bool Daemon::wait_ready(Role role, std::chrono::milliseconds limit) const {
    // A standby is ready as soon as the database answers, so at startup (before the lock is
    // taken) /readyz says 200 for a leader-to-be too: wait for the role as well.
    const std::string want = role == Role::leader ? "\"role\":\"leader\"" : "\"role\":\"standby\"";
    return eventually(
        [&] {
            const auto reply = get("/readyz");
            return reply.status == 200 && reply.body.find(want) != std::string::npos;
        },
        limit);
}

void Daemon::signal(int signo) {
    child_->signal(signo);
}

std::optional<int> Daemon::wait_exit(std::chrono::milliseconds limit) {
    return child_->wait_for(limit);
}

std::string Daemon::log() const {
    std::ifstream in(dir_ / "daemon.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

namespace {

int shell(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

OwnCluster::OwnCluster()
    : dir_(make_temp_directory("pgcluster-")), bin_(required_env("FF_TEST_PGBIN")) {
    port_ = free_port();
    // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    REQUIRE(shell("chown postgres:postgres " + dir_.string()) == 0);
    REQUIRE(shell("runuser -u postgres -- " + bin_ + "/initdb -D " + dir_.string() +
                  "/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >" + dir_.string() +
                  "/initdb.log 2>&1") == 0);
    start();
}

OwnCluster::~OwnCluster() {
    if (running_)
        shell("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_.string() +
              "/data -m immediate stop >/dev/null 2>&1");
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void OwnCluster::start() {
    REQUIRE(shell("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_.string() + "/data -l " +
                  dir_.string() + "/server.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p " +
                  std::to_string(port_) + " -k " + dir_.string() +
                  " -c fsync=off\" start >/dev/null") == 0);
    running_ = true;
}

void OwnCluster::stop() {
    REQUIRE(shell("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_.string() +
                  "/data -m fast -w stop >/dev/null") == 0);
    running_ = false;
}

std::string OwnCluster::url(const std::string& dbname) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + dbname;
}

}  // namespace fftest
