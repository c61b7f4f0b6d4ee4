// Exports and environments for the daemon tests.
#include "support/daemon_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "s3/s3_client.hpp"
#include "support/test_env.hpp"

namespace fftest {

std::string snapshot_body(long long first, int n, Ts exported_at) {
    ExportGenerator gen(static_cast<std::uint32_t>(first + n));
    std::vector<GenRow> rows;
    for (long long id = first; id < first + n; ++id) rows.push_back(gen.row(id, kBaseTime - 60));
    return gen.snapshot_object(rows, exported_at);
}

std::string insert_changes(const std::vector<long long>& ids, Ts at) {
    ExportGenerator gen(static_cast<std::uint32_t>(ids.front()));
    std::vector<GenChange> changes;
    for (long long id : ids) changes.push_back({"insert", id, at, gen.row(id, at)});
    return gen.change_file(changes);
}

Env local_env(const std::string& database_url, const std::filesystem::path& source_dir) {
    return {{"DATABASE_URL", database_url},
            {"FUEL_SOURCE_DIR", source_dir.string()},
            {"CHANGES_INTERVAL", "500ms"},
            {"SNAPSHOT_INTERVAL", "1h"},
            {"LOG_LEVEL", "debug"}};
}

void s3_put(const std::string& bucket, const std::string& key, const std::string& body,
            bool create) {
    namespace net = boost::asio;
    net::io_context io;
    ff::s3::S3Options o;
    o.endpoint = s3_endpoint();
    o.access_key = s3_access_key();
    o.secret_key = s3_secret_key();
    o.bucket = bucket;
    auto client = ff::s3::make_s3_client(io.get_executor(), o);
    auto task = [&]() -> net::awaitable<void> {
        if (create) co_await client->create_bucket();
        co_await client->put_object(key, body);
    };
    auto done = net::co_spawn(io, task(), net::use_future);
    io.run();
    done.get();
}

}  // namespace fftest
