// Builds the seeded large history of big_history.hpp.
#include "big_history.hpp"

#include <cstdio>
#include <map>

namespace fftest {

BigHistory make_big_history(std::uint32_t seed, int rows, int files) {
    ExportGenerator gen(seed);
    BigHistory h;
    h.ea = kBaseTime + 86400;
    for (long long id = 1; id <= rows; ++id) {
        std::optional<Ts> del;
        if (id % 17 == 0) del = kBaseTime + id;
        h.snap_a.push_back(gen.row(id, kBaseTime + id, del));
    }
    h.snap_a_body = gen.snapshot_object(h.snap_a, h.ea);

    // Snapshot B an hour later: a third of the rows edited, 5 % gone, some source-deleted, a
    // tenth more rows.
    h.eb = h.ea + 3600;
    for (const auto& r : h.snap_a) {
        const int roll = gen.pick(100);
        if (roll < 5) continue;
        if (roll < 35)
            h.snap_b.push_back(gen.row(r.id, h.ea + 60 + gen.pick(3000)));
        else if (roll < 38)
            h.snap_b.push_back(gen.row(r.id, h.ea + 100, h.ea + 100));
        else
            h.snap_b.push_back(r);
    }
    for (long long id = rows + 1; id <= rows + rows / 10; ++id)
        h.snap_b.push_back(gen.row(id, h.ea + 200));
    h.snap_b_body = gen.snapshot_object(h.snap_b, h.eb);

    // Change files after A: each touches a share of the ids, with inserts, stale updates and
    // deletes, so the files' order matters.
    long long next_id = rows + 1;
    for (int f = 0; f < files; ++f) {
        BigFile file;
        char key[64];
        std::snprintf(key, sizeof key, "changes/2026-06-02T%02d:00:00.000Z.json", f + 1);
        file.key = key;
        const Ts at = h.ea + (f + 1) * 3600;
        for (int i = 0; i < rows / 2; ++i) {
            const long long id = 1 + gen.pick(rows);
            const int roll = gen.pick(100);
            if (roll < 10)
                file.changes.push_back({gen.mixed_case("delete"), id, at + i, std::nullopt});
            else if (roll < 15)  // stale: older than what A already holds
                file.changes.push_back({"update", id, at + i, gen.row(id, kBaseTime)});
            else
                file.changes.push_back({"update", id, at + i, gen.row(id, at + i)});
        }
        for (int i = 0; i < rows / 20; ++i, ++next_id)
            file.changes.push_back({"insert", next_id, at, gen.row(next_id, at)});
        file.body = gen.change_file(file.changes, f % 2 == 1);
        h.files.push_back(std::move(file));
    }
    return h;
}

}  // namespace fftest
