// The local-directory store behaves like a bucket: ordered listing, ETags, streamed reads.
#include "s3/local_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "s3/errors.hpp"
#include "support/test_env.hpp"

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using namespace ff::s3;

template <class T>
T run(net::awaitable<T> task) {
    net::io_context io;
    auto future = net::co_spawn(io, std::move(task), net::use_future);
    io.run();
    return future.get();
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / fftest::unique_name("ff_local_store_");
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& key, const std::string& content) const {
        fs::create_directories((path / key).parent_path());
        std::ofstream(path / key, std::ios::binary) << content;
    }
};

net::awaitable<std::string> read_all(ObjectStore& store, std::string key, std::size_t* chunks) {
    std::string out;
    co_await store.get(key, {}, [&](std::string_view chunk) -> net::awaitable<void> {
        out += chunk;
        ++*chunks;
        co_return;
    });
    co_return out;
}

}  // namespace

TEST_CASE("The local store lists files under a prefix in bytewise key order after start-after",
          "[local]") {
    TempDir dir;
    dir.write("fuel_records/b.json", "b");
    dir.write("fuel_records/a.json", "aa");
    dir.write("fuel_records/2024/05/c.json", "ccc");
    dir.write("other/x.json", "x");
    auto store = make_local_store(dir.path);
    const auto all = run(store->list("fuel_records/", ""));
    REQUIRE(all.size() == 3);
    CHECK(all[0].key == "fuel_records/2024/05/c.json");
    CHECK(all[1].key == "fuel_records/a.json");
    CHECK(all[1].size == 2);
    CHECK(all[2].key == "fuel_records/b.json");
    const auto after = run(store->list("fuel_records/", "fuel_records/a.json"));
    REQUIRE(after.size() == 1);
    CHECK(after[0].key == "fuel_records/b.json");
}

TEST_CASE(
    "The local store streams a large file in chunks and reports unchanged files as not modified",
    "[local]") {
    TempDir dir;
    const std::string content(300 * 1024, 'z');
    dir.write("big.json", content);
    auto store = make_local_store(dir.path);
    std::size_t chunks = 0;
    CHECK(run(read_all(*store, "big.json", &chunks)) == content);
    CHECK(chunks > 1);

    const auto info = run(store->head("big.json"));
    REQUIRE(info);
    CHECK(info->size == content.size());
    bool called = false;
    const auto result = run(store->get("big.json", GetOptions{info->etag},
                                       [&](std::string_view) -> net::awaitable<void> {
                                           called = true;
                                           co_return;
                                       }));
    CHECK(result.not_modified);
    CHECK_FALSE(called);

    dir.write("big.json", "changed");
    const auto changed = run(store->head("big.json"));
    REQUIRE(changed);
    CHECK(changed->etag != info->etag);
}

TEST_CASE("The local store reports missing keys and refuses keys that escape the directory",
          "[local]") {
    TempDir dir;
    auto store = make_local_store(dir.path);
    CHECK_FALSE(run(store->head("nope.json")));
    std::size_t chunks = 0;
    try {
        run(read_all(*store, "nope.json", &chunks));
        FAIL("no error thrown");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::not_found);
    }
    CHECK_THROWS_AS(run(read_all(*store, "../etc/passwd", &chunks)), S3Error);
}

TEST_CASE("The local store lists a large directory a page at a time, in key order", "[local]") {
    TempDir dir;
    for (int i = 2499; i >= 0; --i) {  // created in reverse: the directory's order means nothing
        char key[64];
        std::snprintf(key, sizeof key, "fuel_records/changes/%05d.json", i);
        dir.write(key, "x");
    }
    dir.write("fuel_records/latest.json", "{}");
    auto store = make_local_store(dir.path);
    std::vector<std::size_t> sizes;
    std::string last;
    bool ordered = true;
    auto consume = [&](std::span<const ObjectInfo> page) -> net::awaitable<void> {
        sizes.push_back(page.size());
        for (const auto& obj : page) {
            ordered = ordered && obj.key > last;
            last = obj.key;
        }
        co_return;
    };
    run(store->list_pages("fuel_records/changes/", "", consume));
    CHECK(sizes == std::vector<std::size_t>{1000, 1000, 500});
    CHECK(ordered);
    CHECK(last == "fuel_records/changes/02499.json");

    sizes.clear();
    last.clear();
    run(store->list_pages("fuel_records/changes/", "fuel_records/changes/01499.json", consume));
    CHECK(sizes == std::vector<std::size_t>{1000});
    CHECK(ordered);
    CHECK(run(store->list("fuel_records/nothing-here/", "")).empty());
}
