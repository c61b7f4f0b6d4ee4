// fleetfuel check through the real binary against the real services: every check ok,
// then each way a first deployment goes wrong, each with its line, its hint and exit 1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "s3/s3_client.hpp"
#include "support/pg_test.hpp"
#include "support/python_era.hpp"
#include "support/run_process.hpp"
#include "support/test_env.hpp"
#include "support/tls_ca.hpp"

using namespace fftest;
using Env = std::map<std::string, std::string>;

namespace {

std::string bucket_name() {
    std::string name = unique_name("ff-check-");
    for (auto& c : name)
        if (c == '_') c = '-';
    return name;
}

// A bucket on the test S3 server (`endpoint`, HTTP or HTTPS) holding `keys`.
void make_bucket(const std::string& bucket, const std::vector<std::string>& keys,
                 const std::string& endpoint = s3_endpoint(), const std::string& ca_file = "") {
    namespace net = boost::asio;
    net::io_context io;
    ff::s3::S3Options o;
    o.endpoint = endpoint;
    o.access_key = s3_access_key();
    o.secret_key = s3_secret_key();
    o.bucket = bucket;
    o.ca_file = ca_file;
    auto client = ff::s3::make_s3_client(io.get_executor(), o);
    auto task = [&]() -> net::awaitable<void> {
        co_await client->create_bucket();
        for (const auto& key : keys) co_await client->put_object(key, "{\"rows\":[]}");
    };
    auto done = net::co_spawn(io, task(), net::use_future);
    io.run();
    done.get();
}

// A migrated scratch database and a bucket with latest.json and three change files: all ok.
struct Setup {
    ScratchDatabase db;
    std::string bucket = bucket_name();
    Env env;

    Setup() {
        REQUIRE(run_fleetfuel({"migrate"}, {{"DATABASE_URL", db.url()}}).exit_code == 0);
        make_bucket(bucket, {"fuel_records/latest.json", "fuel_records/changes/a.json",
                             "fuel_records/changes/b.json", "fuel_records/changes/c.json"});
        env = {{"DATABASE_URL", db.url()},
               {"RUSTFS_ENDPOINT", s3_endpoint()},
               {"RUSTFS_ACCESS_KEY", s3_access_key()},
               {"RUSTFS_SECRET_KEY", s3_secret_key()},
               {"FUEL_BUCKET", bucket}};
    }
};

// The line of check `name` in the text output ("" when absent).
std::string line_of(const std::string& out, const std::string& status, const std::string& name) {
    std::size_t at = 0;
    while ((at = out.find(status, at)) != std::string::npos) {
        const bool line_start = at == 0 || out[at - 1] == '\n';
        const auto rest = out.find_first_not_of(' ', at + status.size());
        if (line_start && rest != std::string::npos && out.compare(rest, name.size(), name) == 0)
            return out.substr(at, out.find('\n', at) - at);
        ++at;
    }
    return {};
}

std::string hint_after(const std::string& out, const std::string& line) {
    const auto at = out.find(line);
    if (at == std::string::npos) return {};
    const auto next = out.find('\n', at) + 1;
    const auto end = out.find('\n', next);
    const auto candidate = out.substr(next, end - next);
    return candidate.find("hint: ") != std::string::npos ? candidate : std::string();
}

ProcessResult check(const Env& env, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"check"};
    for (auto& a : extra) args.push_back(std::move(a));
    return run_fleetfuel(args, env);
}

std::string with_host(const std::string& url, const std::string& host) {
    const auto at = url.find('@') + 1;
    return url.substr(0, at) + host + url.substr(url.find('/', at));
}

}  // namespace

TEST_CASE("check passes every check on a working setup, in text and in JSON",
          "[integration][check]") {
    Setup s;
    const auto r = check(s.env);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(line_of(r.out, "ok", "config"), Catch::Contains("FleetFuel variables set"));
    CHECK_THAT(line_of(r.out, "ok", "database"), Catch::Contains("PostgreSQL 15"));
    CHECK_THAT(line_of(r.out, "ok", "schema"),
               Catch::Contains("FleetFuel V0002, migrations current"));
    CHECK_THAT(line_of(r.out, "ok", "rules"), Catch::Contains("are this binary's"));
    CHECK_THAT(line_of(r.out, "ok", "writer lock"), Catch::Contains("free"));
    CHECK_THAT(line_of(r.out, "ok", "s3 endpoint"), Catch::Contains(s3_endpoint()));
    CHECK_THAT(line_of(r.out, "ok", "tls"), Catch::Contains("plain http"));
    // (The test server's access key equals its secret, so the output masks it.)
    CHECK_THAT(line_of(r.out, "ok", "s3 credentials"), Catch::Contains("accepted (access key"));
    CHECK_THAT(line_of(r.out, "ok", "bucket"), Catch::Contains(s.bucket));
    const auto latest = line_of(r.out, "ok", "latest.json");
    CHECK_THAT(latest, Catch::Contains("fuel_records/latest.json: 11 bytes, ETag \""));
    CHECK_THAT(latest, Catch::Contains("Last-Modified 20"));
    CHECK_THAT(line_of(r.out, "ok", "change files"),
               Catch::Contains("3 under fuel_records/changes/"));
    CHECK_THAT(r.out, Catch::EndsWith("all checks passed\n"));

    const auto json = check(s.env, {"--json"});
    CHECK(json.exit_code == 0);
    CHECK_THAT(json.out, Catch::StartsWith("{\"ok\":true,\"checks\":[{\"name\":\"config\","
                                           "\"status\":\"ok\""));
    CHECK_THAT(json.out, Catch::Contains("{\"name\":\"change files\",\"status\":\"ok\","
                                         "\"detail\":\"3 under fuel_records/changes/\""));
}

TEST_CASE("check is read-only: on an empty database it creates nothing and takes no lock",
          "[integration][check]") {
    Setup s;
    ScratchDatabase empty;
    PgSession pg(empty.url());
    const auto before = catalog_snapshot(pg);
    s.env["DATABASE_URL"] = empty.url();
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 0);
    CHECK_THAT(line_of(r.out, "ok", "schema"), Catch::Contains("none yet"));
    CHECK(catalog_snapshot(pg) == before);
    s.env["FUEL_MIGRATE_ON_START"] = "false";  // then nothing would create it: a failure
    const auto off = check(s.env);
    CHECK(off.exit_code == 1);
    CHECK_THAT(hint_after(off.out, line_of(off.out, "failed", "schema")),
               Catch::Contains("fleetfuel migrate"));
}

TEST_CASE("check names a wrong database password, and never prints it", "[integration][check]") {
    Setup s;
    const std::string url = required_env("FF_TEST_PASSWORD_URL");
    s.env["DATABASE_URL"] = url;
    CHECK_FALSE(line_of(check(s.env).out, "ok", "database").empty());  // the right one works

    const std::string wrong = "Wr0ngPassw0rdCheck";
    s.env["DATABASE_URL"] =
        url.substr(0, url.find(':', 14) + 1) + wrong + url.substr(url.find('@'));
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 1);
    const auto line = line_of(r.out, "failed", "database");
    CHECK_THAT(line, Catch::Contains("password authentication failed"));
    CHECK_THAT(hint_after(r.out, line), Catch::Contains("wrong user or password"));
    CHECK_FALSE(line_of(r.out, "skipped", "schema").empty());
    CHECK_FALSE(line_of(r.out, "skipped", "writer lock").empty());
    CHECK_FALSE(line_of(r.out, "ok", "latest.json").empty());  // the bucket is still checked
    CHECK(r.out.find(wrong) == std::string::npos);
    CHECK(r.err.find(wrong) == std::string::npos);
}

TEST_CASE("check tells an unknown host apart, with the network hint, for both services",
          "[integration][check]") {
    Setup s;
    s.env["DATABASE_URL"] = with_host(s.db.url(), "timescale-db.invalid:5432");
    s.env["RUSTFS_ENDPOINT"] = "http://rustfs.invalid:9000";
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 1);
    const auto db = line_of(r.out, "failed", "database");
    CHECK_THAT(db, Catch::Contains("cannot resolve timescale-db.invalid"));
    CHECK_THAT(hint_after(r.out, db), Catch::Contains("does not resolve from here"));
    CHECK_THAT(hint_after(r.out, db), Catch::Contains("network"));
    const auto s3 = line_of(r.out, "failed", "s3 endpoint");
    CHECK_THAT(s3, Catch::Contains("rustfs.invalid"));
    CHECK_THAT(hint_after(r.out, s3), Catch::Contains("does not resolve from here"));
    CHECK_FALSE(line_of(r.out, "skipped", "latest.json").empty());
}

TEST_CASE("check names a wrong S3 secret, a missing bucket and a missing latest.json",
          "[integration][check]") {
    Setup s;
    SECTION("wrong secret") {
        s.env["RUSTFS_SECRET_KEY"] = "S3Wr0ngSecretCheck";
        const auto r = check(s.env);
        INFO(r.out);
        CHECK(r.exit_code == 1);
        CHECK_FALSE(line_of(r.out, "ok", "s3 endpoint").empty());
        const auto line = line_of(r.out, "failed", "s3 credentials");
        CHECK_THAT(line, Catch::Contains("signature rejected"));
        CHECK_THAT(hint_after(r.out, line), Catch::Contains("RUSTFS_SECRET_KEY"));
        CHECK(r.out.find("S3Wr0ngSecretCheck") == std::string::npos);
    }
    SECTION("missing bucket") {
        s.env["FUEL_BUCKET"] = bucket_name();
        const auto r = check(s.env);
        INFO(r.out);
        CHECK(r.exit_code == 1);
        CHECK_FALSE(line_of(r.out, "ok", "s3 credentials").empty());
        const auto line = line_of(r.out, "failed", "bucket");
        CHECK_THAT(line, Catch::Contains("NoSuchBucket"));
        CHECK_THAT(hint_after(r.out, line), Catch::Contains("FUEL_BUCKET"));
    }
    SECTION("missing latest.json") {
        s.env["FUEL_PREFIX"] = "elsewhere/";
        const auto r = check(s.env);
        INFO(r.out);
        CHECK(r.exit_code == 1);
        const auto line = line_of(r.out, "failed", "latest.json");
        CHECK_THAT(line, Catch::Contains("elsewhere/latest.json is not there"));
        CHECK_THAT(hint_after(r.out, line), Catch::Contains("FUEL_PREFIX"));
        CHECK_THAT(line_of(r.out, "ok", "change files"), Catch::Contains("0 under elsewhere/"));
    }
}

TEST_CASE("check over TLS: verified against RUSTFS_CA_FILE alone, refused with another CA",
          "[integration][check]") {
    Setup s;
    const auto tls_endpoint = required_env("FF_TEST_S3_TLS_ENDPOINT");
    const auto ca = required_env("FF_TEST_S3_CA_FILE");
    make_bucket(s.bucket, {"fuel_records/latest.json"}, tls_endpoint, ca);
    s.env["RUSTFS_ENDPOINT"] = tls_endpoint;
    s.env["RUSTFS_CA_FILE"] = ca;
    const auto good = check(s.env);
    INFO(good.out);
    CHECK(good.exit_code == 0);
    CHECK_THAT(line_of(good.out, "ok", "tls"), Catch::Contains("RUSTFS_CA_FILE " + ca + " only"));

    s.env["RUSTFS_CA_FILE"] = another_ca_file();
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(line_of(r.out, "ok", "s3 endpoint").empty());
    const auto line = line_of(r.out, "failed", "tls");
    CHECK_THAT(line, Catch::Contains("verification failed"));
    CHECK_THAT(hint_after(r.out, line), Catch::Contains("RUSTFS_CA_FILE"));
}

TEST_CASE("check finds the Python tool's schema and points at --adopt-existing",
          "[integration][check]") {
    Setup s;
    ScratchDatabase legacy;
    PgSession pg(legacy.url());
    load_python_era(pg, "seed");
    s.env["DATABASE_URL"] = legacy.url();
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 1);
    const auto line = line_of(r.out, "failed", "schema");
    CHECK_THAT(line, Catch::Contains("foreign"));
    CHECK_THAT(line, Catch::Contains("fuel.records (1900 rows)"));
    CHECK_THAT(hint_after(r.out, line), Catch::Contains("fleetfuel migrate --adopt-existing"));
}

TEST_CASE("check shows who holds the writer lock", "[integration][check]") {
    Setup s;
    PgSession holder(s.db.url() + "?application_name=nightly-import");
    holder.exec("SELECT pg_advisory_lock(" + std::to_string(0x4646'5752'4954'4552LL) + ")");
    const auto pid = holder.scalar("SELECT pg_backend_pid()");
    const auto r = check(s.env);
    INFO(r.out);
    CHECK(r.exit_code == 0);  // a held lock is how a running daemon looks
    const auto line = line_of(r.out, "ok", "writer lock");
    CHECK_THAT(line, Catch::Contains("held by pid " + pid));
    CHECK_THAT(line, Catch::Contains("application_name \"nightly-import\""));
    CHECK_THAT(line, Catch::Contains("from 127.0.0.1"));
    CHECK_THAT(line, Catch::Contains("session since 20"));
    CHECK_THAT(hint_after(r.out, line), Catch::Contains("not a fleetfuel daemon"));
}

TEST_CASE("check gives up on hosts that never answer within its timeout", "[integration][check]") {
    // A listening socket nobody accepts on: the kernel completes the handshake and then nothing
    // ever answers, as with a host behind a firewall that swallows the traffic.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 64) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const std::string port = std::to_string(ntohs(addr.sin_port));

    Setup s;
    s.env["DATABASE_URL"] = with_host(s.db.url(), "127.0.0.1:" + port);
    s.env["RUSTFS_ENDPOINT"] = "http://127.0.0.1:" + port;
    const auto started = std::chrono::steady_clock::now();
    const auto r = check(s.env, {"--timeout", "2s"});
    const auto took = std::chrono::steady_clock::now() - started;
    ::close(fd);
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK(took < std::chrono::seconds(15));
    const auto db = line_of(r.out, "failed", "database");
    CHECK_THAT(db, Catch::Contains("timed out"));
    CHECK_THAT(hint_after(r.out, db), Catch::Contains("firewall"));
    CHECK_FALSE(line_of(r.out, "failed", "s3 endpoint").empty());
}

TEST_CASE("a configuration error is a failed check (exit 1), not a usage error",
          "[integration][check]") {
    const auto r = check({{"DATABASE_URL", "postgresql://u:pw@host/db"}, {"LOG_LEVEL", "loud"}});
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(line_of(r.out, "failed", "config"), Catch::Contains("LOG_LEVEL: must be one of"));
    CHECK_FALSE(line_of(r.out, "skipped", "database").empty());
    CHECK(check({}, {"--bogus"}).exit_code == 2);
}
