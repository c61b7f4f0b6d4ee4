// The full /metrics exposition checked by Prometheus' own linter, `promtool check metrics`.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "metrics/exposition.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "support/test_env.hpp"

namespace {

struct PromtoolResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Pipes `exposition` into `promtool check metrics` on stdin.
PromtoolResult promtool_check(const std::string& exposition) {
    REQUIRE(std::filesystem::exists(FF_PROMTOOL));
    const auto out_path =
        std::filesystem::temp_directory_path() / (fftest::unique_name("promtool") + ".out");
    const std::string command =
        std::string(FF_PROMTOOL) + " check metrics > " + out_path.string() + " 2>&1";
    FILE* pipe = popen(command.c_str(), "w");
    REQUIRE(pipe != nullptr);
    std::fwrite(exposition.data(), 1, exposition.size(), pipe);
    const int status = pclose(pipe);
    std::ifstream in(out_path);
    std::stringstream output;
    output << in.rdbuf();
    std::filesystem::remove(out_path);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output.str()};
}

}  // namespace

TEST_CASE("promtool accepts every FleetFuel and process metric with no complaint") {
    ff::metrics::Registry registry;
    ff::metrics::FleetMetrics fleet(registry, "0.1.0");
    ff::metrics::ProcessMetrics process(registry);

    // Every family populated, including label values no one pre-created.
    fleet.set_lag("changes", 42.5);
    fleet.set_source_age("snapshot", 3600);
    fleet.set_last_success("changes", std::chrono::system_clock::now());
    fleet.observe_cycle("snapshot", 12.25);
    fleet.observe_cycle("changes", 0.2);
    fleet.add_rows("changes", "inserted", 10);
    fleet.add_rows("snapshot", "soft_deleted", 2);
    fleet.add_flagged("price_mismatch", 3);
    fleet.add_files("quarantined");
    fleet.snapshot_refused("mass_delete");
    fleet.s3_request("list", "ok", 0.012);
    fleet.s3_request("get", "error", 31);
    fleet.s3_request("get", "not_modified", 0.004);
    fleet.set_db_up(true);
    fleet.set_leader(true);
    process.refresh();

    const std::string text = ff::metrics::render(registry.snapshot());
    for (const char* name :
         {"fleetfuel_ingest_lag_seconds{stream=\"changes\"} 42.5",
          "fleetfuel_source_age_seconds{stream=\"snapshot\"} 3600",
          "fleetfuel_last_success_timestamp_seconds{stream=\"snapshot\"} 0",
          "fleetfuel_cycle_duration_seconds_count{stream=\"snapshot\"} 1",
          "fleetfuel_rows_total{stream=\"changes\",action=\"inserted\"} 10",
          "fleetfuel_rows_total{stream=\"changes\",action=\"rejected\"} 0",
          "fleetfuel_rows_flagged_total{flag=\"price_mismatch\"} 3",
          "fleetfuel_files_total{outcome=\"quarantined\"} 1",
          "fleetfuel_snapshot_refused_total{reason=\"mass_delete\"} 1",
          "fleetfuel_s3_requests_total{op=\"get\",outcome=\"error\"} 1",
          "fleetfuel_s3_request_duration_seconds_bucket{op=\"list\",le=\"+Inf\"} 1",
          "fleetfuel_db_up 1",
          "fleetfuel_leader 1",
          "fleetfuel_build_info{version=\"0.1.0\"} 1",
          "process_resident_memory_bytes ",
          "process_cpu_seconds_total ",
          "process_open_fds ",
          "process_max_fds ",
          "process_start_time_seconds ",
          "process_virtual_memory_bytes "}) {
        INFO(name);
        CHECK(text.find(name) != std::string::npos);
    }

    const auto result = promtool_check(text);
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.empty());
}

TEST_CASE("process metrics report this process's memory and descriptors") {
    ff::metrics::Registry registry;
    ff::metrics::ProcessMetrics process(registry);
    process.refresh();
    const auto snapshot = registry.snapshot();
    auto value_of = [&](std::string_view name) {
        for (const auto& f : snapshot)
            if (f.name == name) return f.series.at(0).value;
        FAIL("no family " << name);
        return 0.0;
    };
    CHECK(value_of("process_resident_memory_bytes") > 1024 * 1024);
    CHECK(value_of("process_virtual_memory_bytes") >= value_of("process_resident_memory_bytes"));
    CHECK(value_of("process_open_fds") >= 3);
    CHECK(value_of("process_max_fds") >= value_of("process_open_fds"));
    const double start = value_of("process_start_time_seconds");
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(start > now - 24 * 3600);
    CHECK(start <= now + 1);
}

TEST_CASE("the promtool check notices a lint problem and a parse error") {
    // Guards the check above: it must be able to fail.
    const auto lint = promtool_check("# HELP bad a counter\n# TYPE bad counter\nbad 1\n");
    CHECK(lint.exit_code != 0);
    CHECK(lint.output.find("_total") != std::string::npos);
    const auto broken = promtool_check("# TYPE ok_total counter\nok_total 1");  // no final newline
    CHECK(broken.exit_code != 0);
}
