// The real fleetfuel binary: exit codes, one-line configuration errors, .env, and secrets.
#include <catch2/catch.hpp>
#include <filesystem>

#include "db/rules.hpp"
#include "support/run_process.hpp"
#include "support/test_env.hpp"

using fftest::run_fleetfuel;

TEST_CASE("fleetfuel --help prints usage and exits 0", "[cli][binary]") {
    const auto r = run_fleetfuel({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage: fleetfuel <command>") != std::string::npos);
    for (const auto* cmd : {"migrate", "import", "run", "healthcheck", "config", "rejects",
                            "requeue", "reset-watermark", "help"})
        CHECK(r.out.find(std::string("  ") + cmd + " ") != std::string::npos);
    CHECK(r.err.empty());
}

TEST_CASE("every command's --help and -h print its usage, exit 0 and do nothing else",
          "[cli][binary]") {
    // No DATABASE_URL, no S3 settings, nothing listening: a command that ran instead of printing
    // its help would fail or hang (run would wait for a database; healthcheck would probe).
    const auto help = run_fleetfuel({"--help"});
    std::vector<std::string> names;
    const std::string marker = "Commands:\n";
    auto at = help.out.find(marker) + marker.size();
    while (at < help.out.size() && help.out.compare(at, 2, "  ") == 0) {
        const auto end = help.out.find(' ', at + 2);
        names.push_back(help.out.substr(at + 2, end - at - 2));
        at = help.out.find('\n', at) + 1;
    }
    REQUIRE(names.size() >= 9);
    const auto dir = fftest::make_temp_dir();
    for (const auto& name : names) {
        for (const auto* flag : {"--help", "-h"}) {
            INFO(name << " " << flag);
            const auto r = run_fleetfuel({name, flag}, {}, dir);
            CHECK(r.exit_code == 0);
            CHECK(r.out.starts_with("Usage: fleetfuel " + name));
            CHECK(r.err.empty());
            CHECK(run_fleetfuel({"help", name}, {}, dir).out == r.out);
        }
    }
    CHECK(std::filesystem::is_empty(dir));  // nothing written, not even a log
}

TEST_CASE("docs/commands.md is what the command table generates", "[cli][binary]") {
    const auto r = run_fleetfuel({"help", "--markdown"});
    REQUIRE(r.exit_code == 0);
    INFO("regenerate with: fleetfuel help --markdown > docs/commands.md");
    CHECK(r.out == fftest::read_file(std::string(FF_SOURCE_DIR) + "/docs/commands.md"));
}

TEST_CASE("a command's bad usage exits 2 with the message and the command's usage line",
          "[cli][binary]") {
    const auto r =
        run_fleetfuel({"import", "--bogus"}, {{"DATABASE_URL", "postgresql://127.0.0.1:1/x"}});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("fleetfuel import: unknown argument \"--bogus\"\nusage: fleetfuel import "
                     "--snapshot|--changes") != std::string::npos);
    const auto run =
        run_fleetfuel({"run", "now"}, {{"DATABASE_URL", "postgresql://127.0.0.1:1/x"}});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("fleetfuel run: takes no options") != std::string::npos);
}

TEST_CASE("fleetfuel --version prints the version and exits 0", "[cli][binary]") {
    const auto r = run_fleetfuel({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string("fleetfuel ") + FF_VERSION + " (normalisation rules " +
                       ff::db::to_string(ff::db::build_rules()) + ")\n");
}

TEST_CASE("an unknown command exits 2 with one line saying so", "[cli][binary]") {
    const auto r = run_fleetfuel({"frobnicate"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "fleetfuel: unknown command \"frobnicate\"; see fleetfuel --help\n");
    CHECK(r.out.empty());
    CHECK(run_fleetfuel({}).exit_code == 2);
}

TEST_CASE("an invalid variable exits 2 with exactly one line naming it", "[cli][binary]") {
    const auto r = run_fleetfuel({"migrate"}, {{"DATABASE_URL", "postgresql://127.0.0.1/x"},
                                               {"RUSTFS_ENDPOINT", "s3.example"}});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "RUSTFS_ENDPOINT: not a URL: \"s3.example\"\n");
    CHECK(r.out.empty());
}

TEST_CASE("a database command without DATABASE_URL exits 2 naming the variable", "[cli][binary]") {
    for (const auto* cmd : {"migrate", "import", "rejects"}) {
        const auto r = run_fleetfuel({cmd});
        CHECK(r.exit_code == 2);
        CHECK(r.err == "DATABASE_URL: not set (set DATABASE_URL or DATABASE_URL_FILE)\n");
    }
}

TEST_CASE("a .env file in the working directory is read and the environment wins",
          "[cli][binary]") {
    const auto dir = fftest::make_temp_dir();
    fftest::write_file(dir + "/.env",
                       "FUEL_BUCKET=bucket-from-file\nexport FUEL_PREFIX=prefix-from-file/\n");
    const auto r = run_fleetfuel({"config"}, {{"FUEL_BUCKET", "bucket-from-env"}}, dir);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("FUEL_BUCKET=bucket-from-env\n") != std::string::npos);
    CHECK(r.out.find("FUEL_PREFIX=prefix-from-file/\n") != std::string::npos);

    fftest::write_file(dir + "/.env", "SNAPSHOT_INTERVAL=1 hour\n");
    const auto bad = run_fleetfuel({"config"}, {}, dir);
    CHECK(bad.exit_code == 2);
    CHECK(bad.err ==
          "SNAPSHOT_INTERVAL: unknown unit \" hour\" in \"1 hour\" (use ms, s, m or h)\n");
    std::filesystem::remove_all(dir);
}

TEST_CASE("config --env-example and --markdown print the committed files", "[cli][binary]") {
    // Works whatever the environment holds, even an invalid one.
    const auto r = run_fleetfuel({"config", "--env-example"}, {{"RUSTFS_ENDPOINT", "nope"}});
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("# FleetFuel configuration."));
    const auto md = run_fleetfuel({"config", "--markdown"});
    CHECK(md.exit_code == 0);
    CHECK(md.out.starts_with("# Configuration reference"));
    CHECK(run_fleetfuel({"config", "--bogus"}).exit_code == 2);
}

TEST_CASE("a mistyped FUEL_ variable is warned about on stderr", "[cli][binary]") {
    const auto r = run_fleetfuel({"config"}, {{"FUEL_BUKET", "x"}});
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("FUEL_BUKET is not a FleetFuel variable and is ignored; did you mean "
                     "FUEL_BUCKET?") != std::string::npos);
}

TEST_CASE("known secrets never appear in output, whatever the command or failure",
          "[cli][binary][secrets]") {
    const std::string password = "Sup3r-S3cret#Pass";
    const std::string encoded = "Sup3r-S3cret%23Pass";
    const std::string secret_key = "SecretKey-0123456789abcdef";
    const std::string token = "AnalyticsToken-zyxwvu987";
    const std::string port = std::to_string(fftest::closed_port());
    const std::map<std::string, std::string> base = {
        {"DATABASE_URL", "postgresql://fleetfuel:" + encoded + "@127.0.0.1:" + port + "/fuel"},
        {"RUSTFS_ENDPOINT", "http://127.0.0.1:" + port},
        {"RUSTFS_ACCESS_KEY", "access-key-id"},
        {"RUSTFS_SECRET_KEY", secret_key},
        {"FUEL_ANALYTICS_TOKEN", token},
        {"HTTP_LISTEN", "127.0.0.1:" + port},
        {"DB_CONNECT_TIMEOUT", "2s"},
        {"WRITER_LOCK_WAIT", "1s"},
        {"S3_CONNECT_TIMEOUT", "1s"},
        {"S3_MAX_ATTEMPTS", "1"},
        {"LOG_LEVEL", "trace"},
    };
    const auto with = [&](std::map<std::string, std::string> extra) {
        auto env = base;
        for (auto& [k, v] : extra) env[k] = v;
        return env;
    };
    struct Case {
        std::vector<std::string> args;
        std::map<std::string, std::string> env;
    };
    const std::vector<Case> cases = {
        {{"migrate"}, base},
        {{"migrate"}, with({{"LOG_FORMAT", "json"}})},
        {{"import", "--snapshot"}, base},
        {{"import", "--changes", "--json"}, with({{"LOG_FORMAT", "json"}})},
        {{"rejects"}, base},
        {{"healthcheck"}, base},
        {{"config"}, base},
        {{"migrate"}, with({{"RUSTFS_ENDPOINT", "ftp://127.0.0.1"}})},
        {{"migrate"}, with({{"LOG_FORMAT", "yaml"}})},
        {{"migrate"}, with({{"DATABASE_URL", "fleetfuel:" + password + "@127.0.0.1/fuel"}})},
        {{"migrate"}, with({{"DATABASE_URL_FILE", "/nonexistent"}})},
        {{"migrate"}, with({{"RUSTFS_SECRET_KEY_FILE", "/nonexistent"}})},
        {{"bogus-command"}, base},
    };
    for (const auto& c : cases) {
        const auto r = run_fleetfuel(c.args, c.env);
        const std::string all = r.out + r.err;
        INFO("fleetfuel " << c.args.front() << " exit " << r.exit_code << "\n" << all);
        CHECK(r.exit_code != 127);  // the binary ran
        CHECK(r.exit_code < 128);   // and was not killed by a signal
        CHECK_FALSE(all.empty());
        for (const auto& secret : {password, encoded, secret_key, token})
            CHECK(all.find(secret) == std::string::npos);
    }
}
