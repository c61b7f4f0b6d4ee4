// Contract section 1 (v1.1): a change file that is not in the ledger is found and applied however
// late it lands, and an object under changes/ that is not a change file is recorded once and
// never moves the watermark. Each poll lists only the newest keys; a full listing finds the rest.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Listing;

namespace {

// A change file inserting `id`, its row last updated at `at`.
std::string one_insert(long long id, Ts at) {
    ExportGenerator gen(static_cast<std::uint32_t>(id));
    return gen.change_file({GenChange{"insert", id, at, gen.row(id, at)}});
}

std::string key(const std::string& time) {
    return "changes/2026-06-02T" + time + "Z.json";
}

// Puts a change file inserting `id`, named at `time` (hh:mm:ss on 2026-06-02).
void put_file(EngineFixture& fx, const std::string& time, long long id) {
    fx.put(key(time), one_insert(id, kBaseTime + 86400 + id));
}

bool stored(EngineFixture& fx, long long id) {
    return fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id = $1",
                          {std::to_string(id)}) == "1";
}

std::string watermark(EngineFixture& fx) {
    return fx.pg().scalar(
        "SELECT coalesce(watermark, '(none)') FROM fuel.ingest_state WHERE stream = 'changes'");
}

// As if every file had been processed three days ago and nothing had arrived since: longer than
// any lookback window a poll could have used (CHANGES_LOOKBACK was 24 h).
void quiet_for_three_days(EngineFixture& fx) {
    fx.pg().exec("UPDATE fuel.change_files SET processed_at = now() - interval '3 days'");
}

}  // namespace

TEST_CASE("A change file named a month before every processed file is applied when it lands",
          "[integration]") {
    EngineFixture fx;
    put_file(fx, "00:10:00", 901);
    put_file(fx, "00:20:00", 902);
    REQUIRE(fx.changes().counts.files_applied == 2);

    // A restored backup, or an exporter that retried very late: the name is a month old.
    fx.put("changes/2026-05-01T00:00:00Z.json", one_insert(903, kBaseTime));
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 1);
    CHECK(stored(fx, 903));
    CHECK(watermark(fx) == "fuel_records/" + key("00:20:00"));  // a late file never lowers it
    CHECK(fx.changes().counts.files_applied == 0);              // and is applied once
    fx.expect_verified();
}

TEST_CASE("A late file is applied after the stream was quiet for longer than any lookback window",
          "[integration]") {
    EngineFixture fx;
    put_file(fx, "00:10:00", 911);
    put_file(fx, "00:30:00", 913);
    REQUIRE(fx.changes().counts.files_applied == 2);
    quiet_for_three_days(fx);

    put_file(fx, "00:20:00", 912);  // late: sorts before the watermark
    put_file(fx, "00:40:00", 914);  // new
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 2);
    CHECK(stored(fx, 912));
    CHECK(stored(fx, 914));
    CHECK(watermark(fx) == "fuel_records/" + key("00:40:00"));
    fx.expect_verified();
}

TEST_CASE(
    "_SUCCESS and manual.txt under changes/ are recorded once, never move the watermark, and "
    "correctly named files after a quiet period still apply",
    "[integration]") {
    EngineFixture fx;
    put_file(fx, "00:10:00", 921);
    REQUIRE(fx.changes().counts.files_applied == 1);

    fx.put("changes/_SUCCESS", "");
    fx.put("changes/manual.txt", "notes for the exporter team");
    auto strays = fx.changes();
    CHECK(strays.counts.files_applied == 0);
    CHECK(strays.counts.files_quarantined == 2);
    CHECK(watermark(fx) == "fuel_records/" + key("00:10:00"));
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'file'") == "2");

    // Rewritten by the next export run: still not a change file, so not reported again.
    fx.put("changes/_SUCCESS", "done");
    CHECK(fx.changes().counts.files_quarantined == 0);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'file'") == "2");

    quiet_for_three_days(fx);
    put_file(fx, "00:20:00", 922);
    put_file(fx, "00:30:00", 923);
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 2);
    CHECK(stored(fx, 922));
    CHECK(stored(fx, 923));
    CHECK(watermark(fx) == "fuel_records/" + key("00:30:00"));
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'quarantined' "
                         "AND reason LIKE 'not a change file%'") == "2");
    fx.expect_verified();
}

TEST_CASE(
    "A poll lists the newest keys only, a file below them is found by the full listing and "
    "counted late",
    "[integration]") {
    EngineFixture fx;
    fx.options.listing_overlap = 1;  // a poll lists again only the newest processed file
    for (const auto& [time, id] :
         {std::pair{"00:10:00", 931}, {"00:20:00", 932}, {"00:30:00", 933}, {"00:40:00", 934}})
        put_file(fx, time, id);
    REQUIRE(fx.changes().counts.files_applied == 4);

    put_file(fx, "00:15:00", 935);  // below where polls list from: after 00:30
    put_file(fx, "00:35:00", 936);  // late too, but within the newest keys a poll lists
    fx.options.listing = Listing::recent;
    auto poll = fx.changes();
    CHECK(poll.counts.files_applied == 1);
    CHECK(stored(fx, 936));
    CHECK_FALSE(stored(fx, 935));
    CHECK(poll.late_files == 0);
    CHECK(poll.listing_start == "fuel_records/" + key("00:30:00"));
    CHECK(fx.changes().counts.files_applied == 0);  // the next poll does not find it either

    fx.options.listing = Listing::full;
    auto full = fx.changes();
    CHECK(full.full_listing);
    CHECK(full.counts.files_applied == 1);
    CHECK(stored(fx, 935));
    CHECK(full.late_files == 1);
    REQUIRE(full.oldest_late_modified);
    const auto age = std::chrono::system_clock::now() - *full.oldest_late_modified;
    CHECK(age >= std::chrono::seconds(0));
    CHECK(age < std::chrono::minutes(5));  // its Last-Modified: when it landed
    CHECK(watermark(fx) == "fuel_records/" + key("00:40:00"));
    CHECK(fx.changes().late_files == 0);
    fx.expect_verified();
}

TEST_CASE(
    "An idle poll is one ListObjectsV2 request however many files there are, the full listing "
    "pages through them all",
    "[integration]") {
    EngineFixture fx(StoreKind::s3, 10);  // ten keys a page
    fx.options.listing_overlap = 5;
    char time[16];
    for (int i = 0; i < 35; ++i) {
        std::snprintf(time, sizeof time, "01:%02d:00", i);
        put_file(fx, time, 940 + i);
    }
    fx.put("changes/_SUCCESS", "");
    const int before_full = fx.list_requests();
    auto full = fx.changes();
    CHECK(full.counts.files_applied == 35);
    CHECK(full.counts.files_quarantined == 1);
    CHECK(full.objects_listed == 36);
    CHECK(fx.list_requests() - before_full == 4);  // 36 objects, ten a page

    fx.options.listing = Listing::recent;
    const int before_poll = fx.list_requests();
    auto idle = fx.changes();
    CHECK(idle.counts.files_applied + idle.counts.files_quarantined == 0);
    CHECK(idle.objects_listed == 6);  // the five newest again, and _SUCCESS
    CHECK(fx.list_requests() - before_poll == 1);

    fx.options.listing = Listing::full;
    const int before_idle_full = fx.list_requests();
    CHECK(fx.changes().counts.files_applied == 0);
    CHECK(fx.list_requests() - before_idle_full == 4);
    fx.expect_verified();
}
