// The S3 implementation of ObjectStore (SigV4, HTTP or HTTPS, retries), plus the write calls
// that tests, the benchmark and fixtures use to seed a bucket.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "s3/object_store.hpp"

namespace ff::s3 {

struct S3Options {
    std::string endpoint;  // http(s)://host[:port]
    std::string access_key;
    std::string secret_key;  // secret: never logged
    std::string region = "us-east-1";
    std::string bucket;
    std::string ca_file;                // PEM CAs to trust instead of the system store (pinning)
    bool insecure_skip_verify = false;  // logs a warning when set
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds tls_timeout{5'000};
    std::chrono::milliseconds read_timeout{30'000};  // idle time allowed between bytes
    int max_attempts = 3;
    std::chrono::milliseconds backoff_base{200};
    std::chrono::milliseconds backoff_cap{20'000};
    std::uint64_t max_object_bytes = 2ull << 30;
    int list_page_size = 1000;   // max-keys per ListObjectsV2 page
    std::size_t list_limit = 0;  // a listing stops after the page that reaches this many; 0 = none
};

// Called once per attempt: op is get|list|head|put, outcome ok|error|not_modified|retry.
using RequestObserver =
    std::function<void(std::string_view op, std::string_view outcome, double seconds)>;

class S3Client : public ObjectStore {
  public:
    // Uploads `body` (signed with its real SHA-256); returns the new ETag, quotes stripped.
    virtual boost::asio::awaitable<std::string> put_object(std::string key, std::string body) = 0;

    // Creates the configured bucket; an existing bucket owned by us is fine.
    virtual boost::asio::awaitable<void> create_bucket() = 0;
};

// Throws std::invalid_argument for a malformed endpoint and S3Error(tls) for an unreadable CA
// file. The client runs on `executor` and starts no threads.
std::unique_ptr<S3Client> make_s3_client(boost::asio::any_io_executor executor, S3Options options,
                                         RequestObserver observer = {});

}  // namespace ff::s3
