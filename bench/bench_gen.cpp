// Writes the benchmark's data set for N rows with the project's export generator: the first
// snapshot, the same rows as one jsonb per line for the COPY floor, a second snapshot with 10 %
// changed, 1 % gone and 1 % new, change files of 100 changes each, and one change file of 50 000
// changes in which 15 000 ids change twice.
//
//   ff_bench_gen --rows N --out DIR [--change-files K] [--seed S]
//
// Layout (each a FUEL_SOURCE_DIR for `fleetfuel import --source-dir`):
//   DIR/base/fuel_records/latest.json      N rows, ids 1..N
//   DIR/floor.copy                         the same N rows, COPY text format, one per line
//   DIR/changed/fuel_records/latest.json   10 % newer content, 1 % missing, 1 % new ids
//   DIR/changes/fuel_records/changes/*.json  K files of 100 changes (updates, inserts, deletes)
//   DIR/bigchange/fuel_records/changes/*.json  one file of 50 000 changes, 15 000 ids twice
// Files are streamed row by row, so a 1 000 000-row set needs no more memory than a 10-row one
// (only the large change file, 50 000 changes whatever N, is built in memory).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "support/export_generator.hpp"

namespace {

namespace fs = std::filesystem;
using fftest::ExportGenerator;
using fftest::GenRow;
using fftest::Ts;

struct Options {
    long long rows = 10000;
    long long change_files = 20;
    std::uint32_t seed = 20260611;
    fs::path out;
};

// Seconds between the base snapshot's rows and the changed one's; both well before "now", so
// change files (whose Last-Modified is the file's mtime) are always newer.
constexpr Ts kExportedBase = fftest::kBaseTime + 86400;
constexpr Ts kExportedChanged = kExportedBase + 3600;

Ts version_of(long long id) {
    return fftest::kBaseTime - (id % 86400);
}

// COPY text format: the row is one line; only backslashes need escaping (rows hold no tabs or
// newlines outside JSON escapes).
void write_copy_line(std::ofstream& out, std::string_view json) {
    for (char c : json) {
        if (c == '\\') out.put('\\');
        out.put(c);
    }
    out.put('\n');
}

// Streams {"table":…, "exported_at":…, "row_count":…, "rows":[…]} row by row.
class SnapshotWriter {
  public:
    SnapshotWriter(const fs::path& dir, Ts exported_at, long long row_count) {
        fs::create_directories(dir / "fuel_records");
        out_.open(dir / "fuel_records" / "latest.json", std::ios::binary);
        out_ << "{\"table\": \"logistics_department.fuel_records\", \"exported_at\": \""
             << fftest::format_ts(exported_at, 0) << "\", \"row_count\": " << row_count
             << ",\n \"rows\": [";
    }
    void add(const GenRow& row) {
        out_ << (first_ ? "\n  " : ",\n  ") << row.json;
        first_ = false;
    }
    void close() {
        out_ << "\n]}\n";
        out_.close();
    }

  private:
    std::ofstream out_;
    bool first_ = true;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        const char* v = argv[i + 1];
        if (a == "--rows")
            o.rows = std::atoll(v);
        else if (a == "--out")
            o.out = v;
        else if (a == "--change-files")
            o.change_files = std::atoll(v);
        else if (a == "--seed")
            o.seed = static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
        else
            throw std::runtime_error("unknown argument " + std::string(a));
    }
    if (o.out.empty() || o.rows < 100)
        throw std::runtime_error(
            "usage: ff_bench_gen --rows N(>=100) --out DIR [--change-files K] [--seed S]");
    return o;
}

void write_base_and_floor(const Options& o, ExportGenerator& gen) {
    SnapshotWriter snap(o.out / "base", kExportedBase, o.rows);
    std::ofstream floor(o.out / "floor.copy", std::ios::binary);
    for (long long id = 1; id <= o.rows; ++id) {
        // About 2 % soft-deleted in the source, as real exports carry.
        const bool deleted = id % 50 == 7;
        GenRow row =
            gen.row(id, version_of(id), deleted ? std::optional<Ts>(version_of(id)) : std::nullopt);
        snap.add(row);
        write_copy_line(floor, row.json);
    }
    snap.close();
}

// Ids 1..N with 1 % gone (id % 100 == 3), 10 % changed (id % 10 == 5, newer version), the rest
// byte-identical to the base (the generator is re-seeded), plus 1 % new ids after N.
void write_changed(const Options& o) {
    ExportGenerator same(o.seed);
    ExportGenerator fresh(o.seed + 1);
    const long long added = o.rows / 100;
    long long count = 0;
    for (long long id = 1; id <= o.rows; ++id) count += id % 100 != 3;
    SnapshotWriter snap(o.out / "changed", kExportedChanged, count + added);
    for (long long id = 1; id <= o.rows; ++id) {
        const bool deleted = id % 50 == 7;
        GenRow row = same.row(id, version_of(id),
                              deleted ? std::optional<Ts>(version_of(id)) : std::nullopt);
        if (id % 100 == 3) continue;
        if (id % 10 == 5) row = fresh.row(id, kExportedBase + 60);
        snap.add(row);
    }
    for (long long id = o.rows + 1; id <= o.rows + added; ++id)
        snap.add(fresh.row(id, kExportedBase + 120));
    snap.close();
}

// K files of 100 changes: 80 updates of existing rows, 15 inserts of new ids, 5 deletes.
void write_change_files(const Options& o) {
    ExportGenerator gen(o.seed + 2);
    const fs::path dir = o.out / "changes" / "fuel_records" / "changes";
    fs::create_directories(dir);
    long long next_new = o.rows * 2 + 1;
    for (long long f = 0; f < o.change_files; ++f) {
        std::vector<fftest::GenChange> changes;
        const Ts at = kExportedChanged + 600 + f * 60;
        for (int i = 0; i < 100; ++i) {
            fftest::GenChange c;
            if (i < 80) {
                c.op = i % 2 ? "update" : "upsert";
                c.id = 1 + static_cast<long long>(gen.rng()() % static_cast<unsigned>(o.rows));
                c.row = gen.row(c.id, at + i);
            } else if (i < 95) {
                c.op = "insert";
                c.id = next_new++;
                c.row = gen.row(c.id, at + i);
            } else {
                c.op = "delete";
                c.id = 1 + static_cast<long long>(gen.rng()() % static_cast<unsigned>(o.rows));
            }
            c.changed_at = at + i;
            changes.push_back(std::move(c));
        }
        char name[64];
        std::snprintf(name, sizeof name, "20260603T%06lldZ-%06lld.json", f, f);
        std::ofstream(dir / name, std::ios::binary) << gen.change_file(changes);
    }
}

// One file of 50 000 changes, as an exporter that fell behind writes them: ids 1..15 000 change
// twice (all first changes, then all second ones; the second change of every fourth id is a
// second older than its first, so stale), ids 15 001..35 000 once. Every version is newer than
// anything the earlier steps stored, so only those second changes are stale, whichever of the ids
// are stored by then (all of them from 100 000 rows up; at 10 000 rows most are inserted).
// Expected: 50 000 read, 15 000 duplicates, 3 750 stale.
void write_big_change_file(const Options& o) {
    ExportGenerator gen(o.seed + 3);
    const fs::path dir = o.out / "bigchange" / "fuel_records" / "changes";
    fs::create_directories(dir);
    const Ts at = kExportedChanged + 86400;
    std::vector<fftest::GenChange> changes;
    changes.reserve(50000);
    auto add = [&](long long id, Ts v) {
        changes.push_back({id % 2 ? "update" : "upsert", id, v, gen.row(id, v)});
    };
    for (long long id = 1; id <= 15000; ++id) add(id, at + id % 600);
    for (long long id = 1; id <= 15000; ++id) add(id, at + id % 600 + (id % 4 == 0 ? -1 : 1));
    for (long long id = 15001; id <= 35000; ++id) add(id, at + id % 600);
    std::ofstream(dir / "20260604T000000Z-000000.json", std::ios::binary)
        << gen.change_file(changes);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        ExportGenerator gen(o.seed);
        write_base_and_floor(o, gen);
        write_changed(o);
        write_change_files(o);
        write_big_change_file(o);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ff_bench_gen: " << e.what() << "\n";
        return 2;
    }
}
