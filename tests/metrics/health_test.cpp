// /healthz and /readyz: status codes and JSON bodies for the states an operator will meet.
#include "metrics/health.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "core/secrets.hpp"

namespace {

using namespace std::chrono_literals;
using ff::metrics::HealthState;
using ff::metrics::Role;
using ff::metrics::TimePoint;

// 2026-06-11T20:00:00Z
const TimePoint kNow{std::chrono::seconds(1781208000)};

HealthState healthy_leader() {
    HealthState s;
    s.role = Role::leader;
    s.db_reachable = true;
    s.heartbeat = kNow - 1s;
    s.snapshot.interval = 1h;
    s.snapshot.last_success = kNow - 10min;
    s.changes.interval = 30s;
    s.changes.last_success = kNow - 20s;
    return s;
}

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document doc;
    doc.Parse(body.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace

TEST_CASE("a leader making progress is alive and ready") {
    const auto state = healthy_leader();
    const auto live = ff::metrics::render_healthz(state, kNow);
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(live.status == 200);
    CHECK(ready.status == 200);
    const auto doc = parse(live.body);
    CHECK(std::string(doc["status"].GetString()) == "ok");
    CHECK(std::string(doc["role"].GetString()) == "leader");
    CHECK(std::string(doc["streams"]["snapshot"]["last_success"].GetString()) ==
          "2026-06-11T19:50:00Z");
    CHECK(std::string(doc["streams"]["changes"]["last_success"].GetString()) ==
          "2026-06-11T19:59:40Z");
    CHECK(doc["streams"]["changes"]["last_error"].IsNull());
}

TEST_CASE("a cycle running past the cycle timeout makes /healthz report stuck") {
    auto state = healthy_leader();
    state.cycle_timeout = 30min;
    state.snapshot.cycle_started = kNow - 31min;
    const auto live = ff::metrics::render_healthz(state, kNow);
    CHECK(live.status == 503);
    const auto doc = parse(live.body);
    CHECK(std::string(doc["status"].GetString()) == "stuck");
    CHECK(std::string(doc["streams"]["snapshot"]["running_since"].GetString()) ==
          "2026-06-11T19:29:00Z");

    state.snapshot.cycle_started = kNow - 29min;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 200);
}

TEST_CASE("a stopped scheduler or a stale loop heartbeat makes /healthz report stuck") {
    auto state = healthy_leader();
    state.scheduler_running = false;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 503);

    state = healthy_leader();
    state.heartbeat_timeout = 60s;
    state.heartbeat = kNow - 61s;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 503);
}

TEST_CASE("an unreachable database fails /readyz but never /healthz") {
    auto state = healthy_leader();
    state.db_reachable = false;
    state.changes.last_error = "connection refused";
    state.changes.last_error_at = kNow - 5s;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 200);
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(ready.status == 503);
    const auto doc = parse(ready.body);
    CHECK(std::string(doc["status"].GetString()) == "not_ready");
    CHECK(std::string(doc["streams"]["changes"]["last_error"].GetString()) ==
          "2026-06-11T19:59:55Z");
    CHECK(std::string(doc["streams"]["changes"]["last_error_message"].GetString()) ==
          "connection refused");
}

TEST_CASE("a leader whose stream has not succeeded within twice its interval is not ready") {
    auto state = healthy_leader();
    state.changes.last_success = kNow - 61s;  // interval 30 s
    CHECK(ff::metrics::render_readyz(state, kNow).status == 503);
    state.changes.last_success = kNow - 59s;
    CHECK(ff::metrics::render_readyz(state, kNow).status == 200);
}

TEST_CASE("a leader that never succeeded is alive, not ready, and shows null times") {
    HealthState state;
    state.role = Role::leader;
    state.db_reachable = true;
    state.snapshot.interval = 1h;
    state.changes.interval = 30s;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 200);
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(ready.status == 503);
    const auto doc = parse(ready.body);
    for (const char* stream : {"snapshot", "changes"}) {
        CHECK(doc["streams"][stream]["last_success"].IsNull());
        CHECK(doc["streams"][stream]["last_error"].IsNull());
        CHECK(doc["streams"][stream]["running_since"].IsNull());
    }
}

TEST_CASE("a standby is ready as soon as the database is reachable") {
    HealthState state;
    state.role = Role::standby;
    state.db_reachable = true;
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(ready.status == 200);
    CHECK(std::string(parse(ready.body)["role"].GetString()) == "standby");
    state.db_reachable = false;
    CHECK(ff::metrics::render_readyz(state, kNow).status == 503);
}

TEST_CASE("error messages in the health body are valid JSON with secrets masked") {
    ff::secrets::add("s3cr3t-password");
    auto state = healthy_leader();
    state.snapshot.last_error = "auth failed for \"fleet\"\npassword=s3cr3t-password";
    state.snapshot.last_error_at = kNow;
    const auto live = ff::metrics::render_healthz(state, kNow);
    CHECK(live.body.find("s3cr3t-password") == std::string::npos);
    const auto doc = parse(live.body);
    const std::string message = doc["streams"]["snapshot"]["last_error_message"].GetString();
    CHECK(message.starts_with("auth failed for \"fleet\"\npassword="));
}

TEST_CASE("a daemon that has not yet tried the writer lock is alive but not ready") {
    HealthState state;
    state.starting = true;
    state.db_reachable = true;
    state.heartbeat = kNow - 1s;
    CHECK(ff::metrics::render_healthz(state, kNow).status == 200);
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(ready.status == 503);
    const auto doc = parse(ready.body);
    CHECK(std::string(doc["status"].GetString()) == "not_ready");
    CHECK(std::string(doc["role"].GetString()) == "starting");
    CHECK(std::string(doc["reason"].GetString()).starts_with("starting"));

    state.starting = false;  // the first attempt answered: someone else holds the lock
    CHECK(ff::metrics::render_readyz(state, kNow).status == 200);
}

TEST_CASE("a standby held back by the rules in force is alive, not ready, and says why") {
    auto state = healthy_leader();
    state.role = Role::standby;
    state.rules_block = "rules_newer_in_database";
    state.rules_detail = "the database's normalisation rules 3-cccccccccccc are newer";
    CHECK(ff::metrics::render_healthz(state, kNow).status == 200);
    const auto ready = ff::metrics::render_readyz(state, kNow);
    CHECK(ready.status == 503);
    const auto doc = parse(ready.body);
    CHECK(std::string(doc["status"].GetString()) == "not_ready");
    CHECK(std::string(doc["reason"].GetString()) == "rules_newer_in_database");
    CHECK(std::string(doc["detail"].GetString()) == state.rules_detail);
    CHECK(std::string(doc["role"].GetString()) == "standby");

    // An unreachable database is said first; without the block the standby is ready again.
    state.db_reachable = false;
    CHECK(std::string(parse(ff::metrics::render_readyz(state, kNow).body)["reason"].GetString()) ==
          "database unreachable");
    state.db_reachable = true;
    state.rules_block.clear();
    state.rules_detail.clear();
    const auto again = ff::metrics::render_readyz(state, kNow);
    CHECK(again.status == 200);
    CHECK_FALSE(parse(again.body).HasMember("detail"));
}
