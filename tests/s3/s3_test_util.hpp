// Helpers for the S3 integration tests: run a coroutine to completion, client options for the
// test server, and reading a whole object.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "s3/s3_client.hpp"
#include "support/test_env.hpp"

namespace s3test {

namespace net = boost::asio;

template <class T>
T run(net::io_context& io, net::awaitable<T> task) {
    auto future = net::co_spawn(io, std::move(task), net::use_future);
    io.restart();
    io.run();
    return future.get();
}

// Options for the HTTP test server with small timeouts and backoffs so failures are quick.
inline ff::s3::S3Options options_for(const std::string& bucket) {
    ff::s3::S3Options o;
    o.endpoint = fftest::s3_endpoint();
    o.access_key = fftest::s3_access_key();
    o.secret_key = fftest::s3_secret_key();
    o.bucket = bucket;
    o.connect_timeout = std::chrono::milliseconds(2'000);
    o.tls_timeout = std::chrono::milliseconds(2'000);
    o.read_timeout = std::chrono::milliseconds(5'000);
    o.backoff_base = std::chrono::milliseconds(10);
    o.backoff_cap = std::chrono::milliseconds(50);
    return o;
}

// s3rver wants lowercase DNS-style bucket names.
inline std::string bucket_name() {
    std::string name = fftest::unique_name("ff-");
    for (auto& c : name)
        if (c == '_') c = '-';
    return name;
}

inline net::awaitable<std::string> read_object(ff::s3::ObjectStore& store, std::string key,
                                               ff::s3::GetOptions options = {},
                                               ff::s3::GetResult* result = nullptr) {
    std::string body;
    auto r = co_await store.get(key, options, [&](std::string_view chunk) -> net::awaitable<void> {
        body += chunk;
        co_return;
    });
    if (result) *result = r;
    co_return body;
}

// Records every observer call as "op:outcome".
struct Observations {
    std::mutex mutex;
    std::vector<std::string> calls;
    ff::s3::RequestObserver observer() {
        return [this](std::string_view op, std::string_view outcome, double) {
            std::lock_guard lock(mutex);
            calls.push_back(std::string(op) + ":" + std::string(outcome));
        };
    }
    int count(const std::string& call) {
        std::lock_guard lock(mutex);
        return static_cast<int>(std::count(calls.begin(), calls.end(), call));
    }
};

}  // namespace s3test
