// A seeded history large enough that an import takes a while to apply: snapshot A, snapshot B
// (updates, inserts, hard and source deletes of A's rows) and change files after A.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/export_generator.hpp"

namespace fftest {

struct BigFile {
    std::string key;  // relative to the prefix
    std::vector<GenChange> changes;
    std::string body;
};

struct BigHistory {
    Ts ea = 0, eb = 0;
    std::vector<GenRow> snap_a, snap_b;
    std::string snap_a_body, snap_b_body;
    std::vector<BigFile> files;  // key order = time order, all after ea
};

BigHistory make_big_history(std::uint32_t seed, int rows, int files);

}  // namespace fftest
