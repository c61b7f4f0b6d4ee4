// The change-file naming rule of contract section 1: what is applied and what is a stray object.
#include "ingest/change_keys.hpp"

#include <catch2/catch.hpp>

using ff::ingest::is_change_file;
using ff::ingest::is_change_file_name;
using ff::ingest::stray_reason;

TEST_CASE("Names that start with a UTC date and time and end in .json are change files") {
    for (const char* name : {
             "2026-06-11T20:15:00.123Z.json",  // the contract's examples
             "20260611T201500Z-000123.json",   //
             "2026-06-01T01-00-00Z.json",      // dashes in the time
             "2026-06-02T10:00:00Z \"; DROP TABLE fuel.records; --.json",  // anything may follow
             "2026-06-02T10:01:00Z a+b=c.json",
             "2026-06-11t20:15Z.json",     // lower-case t, no seconds
             "2026-06-11 20:15:00Z.json",  // a space instead of T
             "20261231T2359.json",
         }) {
        INFO(name);
        CHECK(is_change_file_name(name));
    }
}

TEST_CASE("Markers, temporary files and other names under changes/ are not change files") {
    for (const char* name : {
             "_SUCCESS",
             "manual.txt",
             "manual.json",
             ".json",
             "2026-06-11T20:15:00Z.json.tmp",
             ".2026-06-11T20:15:00Z.json",  // a hidden upload in progress
             "2026-06-11T20:15:00Z.JSON",   // the suffix is exact
             "2026/06/11T20:15:00Z.json",   // a folder
             "sub/2026-06-11T20:15:00Z.json",
             "2026-13-11T20:15:00Z.json",  // month 13
             "2026-06-00T20:15:00Z.json",  // day 0
             "2026-06-11T24:00:00Z.json",  // hour 24
             "2026-06-11T20:60:00Z.json",  // minute 60
             "2026-0611T20:15:00Z.json",   // half dashed
             "2026-06-11X20:15:00Z.json",  // no date/time separator
             "2026-06-11.json",
             "backup-2026-06-11T20:15:00Z.json",
         }) {
        INFO(name);
        CHECK_FALSE(is_change_file_name(name));
    }
}

TEST_CASE("A change file's key is <prefix>changes/<name>, and a stray gets a reason") {
    CHECK(is_change_file("fuel_records/changes/2026-06-11T20:15:00Z.json", "fuel_records/"));
    CHECK_FALSE(is_change_file("fuel_records/2026-06-11T20:15:00Z.json", "fuel_records/"));
    CHECK_FALSE(is_change_file("other/changes/2026-06-11T20:15:00Z.json", "fuel_records/"));
    CHECK(is_change_file("changes/2026-06-11T20:15:00Z.json", ""));
    CHECK(stray_reason("fuel_records/changes/_SUCCESS", "fuel_records/")
              .starts_with("not a change file (not a .json file)"));
    CHECK(stray_reason("fuel_records/changes/manual.json", "fuel_records/")
              .starts_with("not a change file (its name does not start with a UTC date"));
    CHECK(stray_reason("fuel_records/changes/a/2026-06-11T20:15:00Z.json", "fuel_records/")
              .starts_with("not a change file (in a folder below changes/)"));
}
