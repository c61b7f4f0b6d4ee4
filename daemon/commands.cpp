// The command table: each command's name, handler, usage and help, read by the dispatcher,
// `fleetfuel --help`, `fleetfuel <command> --help` and docs/commands.md.
#include "commands.hpp"

#include <iostream>

#include "config/config_command.hpp"
#include "core/exit_codes.hpp"
#include "core/secrets.hpp"

namespace ff::cmd {

namespace {

using config::CommandSpec;

constexpr CommandSpec kCommands[] = {
    {"migrate", "create or upgrade the fuel schema and the reporting views, then exit",
     "migrate [--adopt-existing]",
     "Applies the SQL migrations embedded in this binary (sql/V*.sql once each, sql/R__*.sql\n"
     "whenever their text changed) to DATABASE_URL, under an advisory lock, and logs what ran.\n"
     "Refuses a database migrated by a newer FleetFuel, and one whose fuel schema or reporting\n"
     "views FleetFuel did not create (it names what it found and changes nothing).\n"
     "\n"
     "  --adopt-existing  take such a database over: in one transaction, rename the schema fuel\n"
     "                    to fuel_legacy (fuel_legacy_2, ... when taken) with every object and\n"
     "                    row, move the old reporting.v_fuel_* views into it, and create\n"
     "                    FleetFuel's schema and views. Refused, changing nothing, when an\n"
     "                    object outside them depends on what would move. FleetFuel never\n"
     "                    touches the legacy schema again. Without a foreign schema it is a\n"
     "                    plain migrate. See docs/runbook.md, \"Replacing import_fuel.py\".\n",
     true, true, migrate},
    {"import", "one-shot import: --snapshot and/or --changes; a dry run without --apply",
     "import --snapshot|--changes [--apply] [--force] [--source-dir DIR] [--json]",
     "Runs one snapshot reconcile and/or one pass over the change files under the writer lock\n"
     "(waiting WRITER_LOCK_WAIT), by the same rules as the daemon. Without --apply everything "
     "runs\n"
     "in a transaction that is rolled back: the counts are exact and nothing is written.\n"
     "\n"
     "  --snapshot        reconcile <prefix>latest.json\n"
     "  --changes         apply the change files not applied yet, in key order\n"
     "  --apply           commit (default: a dry run)\n"
     "  --force           apply a snapshot that a safety guard refused (exit 3 without it)\n"
     "  --source-dir DIR  read the export from a local directory instead of the bucket\n"
     "  --json            print the counts as one JSON object on stdout\n",
     true, true, import},
    {"run", "the daemon: snapshot and change cycles, /healthz, /readyz and /metrics", "run",
     "Runs until SIGTERM or SIGINT: migrates at start (FUEL_MIGRATE_ON_START), takes the writer\n"
     "lock or waits as a standby, reconciles the snapshot every SNAPSHOT_INTERVAL and applies new\n"
     "change files every CHANGES_INTERVAL, and serves /healthz, /readyz and /metrics (and the\n"
     "analytics API when FUEL_ANALYTICS=on) on HTTP_LISTEN. The first signal finishes the work\n"
     "in flight within SHUTDOWN_GRACE and exits 0; a second exits at once. Exits 70 when its\n"
     "watchdog finds the event loop or a cycle wedged. Takes no options.\n",
     true, true, run},
    {"healthcheck", "GET the local /healthz; exit 0 when healthy, 1 otherwise", "healthcheck",
     "The container's health check (the runtime image has no curl): asks the daemon on\n"
     "HTTP_LISTEN for /healthz, with a 2 s limit. Takes no options.\n",
     false, true, healthcheck},
    {"check", "prove the configuration, the database and the bucket work from here",
     "check [--json] [--timeout DURATION]",
     "Run it where the daemon runs (inside its container) before the first start, or when\n"
     "something is wrong. One line per check, with a hint for each that fails:\n"
     "  config          the configuration parses and names a database and an object store\n"
     "  database        connects (the host resolves, the password is right): server version\n"
     "  schema          none yet, FleetFuel's (its version, migrations to apply) or foreign\n"
     "  writer lock     free, or which session holds it: application, client address, since\n"
     "  s3 endpoint     the endpoint resolves and answers\n"
     "  tls             how the certificate was verified\n"
     "  s3 credentials  the access key and secret are accepted\n"
     "  bucket          FUEL_BUCKET exists\n"
     "  latest.json     present: size, ETag, Last-Modified\n"
     "  change files    how many (counted up to 1000)\n"
     "With FUEL_SOURCE_DIR, the directory is checked instead of S3. Read-only: it takes no lock\n"
     "and writes nothing. A check without an answer within the timeout fails. Secrets are never\n"
     "printed. Exit 0 when every check passes, 1 otherwise.\n"
     "\n"
     "  --json                print one JSON object: {\"ok\":...,\"checks\":[...]}\n"
     "  --timeout DURATION    the limit for each check (default 10s)\n",
     false, false, check},
    {"config", "print the effective configuration; --env-example or --markdown for docs",
     "config [--env-example | --markdown]",
     "  (no option)     print the effective configuration, secrets masked\n"
     "  --env-example   print config/fleetfuel.env.example as generated from the code\n"
     "  --markdown      print docs/configuration.md as generated from the code\n",
     false, false, config_command},
    {"rejects", "list quarantined change files and rejected rows", "rejects [--json] [--limit N]",
     "Lists the quarantined change files and the newest rejected rows, refused snapshots and\n"
     "other rejects recorded in fuel.rejects. Read-only.\n"
     "\n"
     "  --json       print one JSON object on stdout\n"
     "  --limit N    at most N rejects (default 50)\n",
     true, true, rejects},
    {"requeue", "re-queue a quarantined change file (a dry run without --apply)",
     "requeue KEY [--apply]",
     "Makes the next poll retry the quarantined change file KEY (as `rejects` lists it, or\n"
     "relative to the prefix or to <prefix>changes/). Applied files are never reapplied.\n"
     "\n"
     "  --apply   do it, under the writer lock (default: say what would be done)\n",
     true, true, requeue},
    {"reset-watermark", "move the change stream's watermark (a dry run without --apply)",
     "reset-watermark [--to KEY] [--apply]",
     "Sets the change stream's watermark to KEY, or clears it without --to. Each poll of the\n"
     "daemon lists the change files after the 100 newest at or below the watermark, so moving\n"
     "it back makes the next poll look at older keys at once; the poll after moves it back up.\n"
     "(The daemon's full listing every SNAPSHOT_INTERVAL finds every file not in the ledger in\n"
     "any case.)\n"
     "\n"
     "  --to KEY  the new watermark (a change-file key, or relative to <prefix>changes/)\n"
     "  --apply   do it, under the writer lock (default: say what would be done)\n",
     true, true, reset_watermark},
    {"verify", "check that what is stored agrees with the rules; read-only, beside the daemon",
     "verify [--json] [--limit N] [--source-dir DIR]",
     "Checks, in one read-only transaction and without the writer lock (safe while the daemon\n"
     "runs): every stored row's typed columns equal fuel.normalise(raw); every change file in\n"
     "the bucket is in the change-file ledger (one older than SNAPSHOT_INTERVAL +\n"
     "CHANGES_INTERVAL that is not, is a difference); the watermark is a change file's key, and\n"
     "where the next poll lists from. Prints each check and its first differences (id, column,\n"
     "stored, expected). Exits 0 when everything agrees, 1 when something differs. Without an\n"
     "object store (RUSTFS_*, FUEL_SOURCE_DIR or --source-dir) the bucket is not listed.\n"
     "\n"
     "  --json            print one JSON object on stdout\n"
     "  --limit N         list at most N differences per check (default 20; all are counted)\n"
     "  --source-dir DIR  list the change files of a local directory instead of the bucket\n",
     true, true, verify},
    {"help", "print this help, a command's help, or docs/commands.md (--markdown)",
     "help [COMMAND | --markdown]",
     "  COMMAND      the same as fleetfuel COMMAND --help\n"
     "  --markdown   print docs/commands.md as generated from the command table\n",
     false, false, help},
};

}  // namespace

std::span<const config::CommandSpec> command_table() {
    return kCommands;
}

int usage_error(std::string_view name, std::string_view message) {
    const auto* spec = config::find_command(kCommands, name);
    std::cerr << (spec ? config::usage_message(*spec, message)
                       : "fleetfuel " + std::string(name) + ": " + std::string(message) + "\n");
    return kExitUsage;
}

int config_command(const config::Config&, const Args& args) {
    try {
        return config::config_command(args, config::load_environment(), std::cout, std::cerr);
    } catch (const config::ConfigError& e) {
        std::cerr << secrets::scrub(e.what()) << std::endl;
        return kExitUsage;
    }
}

int help(const config::Config&, const Args& args) {
    if (args.size() == 1 && args.front() == "--markdown") {
        std::cout << config::commands_markdown(kCommands);
        return kExitOk;
    }
    if (!args.empty()) return usage_error("help", "unknown argument \"" + args.front() + "\"");
    std::cout << config::help_text(kCommands, FF_VERSION);
    return kExitOk;
}

}  // namespace ff::cmd
