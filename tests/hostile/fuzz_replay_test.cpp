// Replays every checked-in fuzz seed and saved crasher (fuzz/corpus, fuzz/regressions) through
// the same entry functions the libFuzzer binaries call, built with g++ and the sanitizers.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;
using Entry = int (*)(const std::uint8_t*, std::size_t);

const std::map<std::string, Entry>& targets() {
    static const std::map<std::string, Entry> t = {
        {"framer", fffuzz::framer_one_input},
        {"sigv4", fffuzz::sigv4_one_input},
        {"s3_xml", fffuzz::s3_xml_one_input},
        {"config", fffuzz::config_one_input},
        {"http_routes", fffuzz::http_routes_one_input},
        {"http_parser", fffuzz::http_parser_one_input},
    };
    return t;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Runs every file under fuzz/<kind>/<target>/; returns how many ran.
int replay(const std::string& kind) {
    int count = 0;
    for (const auto& [name, entry] : targets()) {
        const fs::path dir = fs::path(FF_SOURCE_DIR) / "fuzz" / kind / name;
        if (!fs::is_directory(dir)) continue;
        for (const auto& file : fs::directory_iterator(dir)) {
            if (!file.is_regular_file()) continue;
            const std::string data = read_file(file.path());
            INFO(kind << "/" << name << "/" << file.path().filename().string());
            CHECK_NOTHROW(entry(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
            ++count;
        }
    }
    return count;
}

}  // namespace

TEST_CASE("every fuzz seed input passes its target's properties", "[hostile][fuzz]") {
    CHECK(replay("corpus") >= 30);
}

TEST_CASE("every input a fuzzer once crashed on now passes", "[hostile][fuzz]") {
    CHECK(replay("regressions") >= 1);
}
