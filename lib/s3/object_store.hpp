// The object-store interface that ingest sees: list, head and streamed get, all asynchronous on
// the caller's io_context. Implemented by the S3 client (s3_client.hpp) and by a local directory
// (local_store.hpp). Failures throw ff::s3::S3Error (s3/errors.hpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ff::s3 {

struct ObjectInfo {
    std::string key;
    std::string etag;  // as the server sends it, quotes stripped
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point last_modified{};
};

// Receives the body of an object chunk by chunk, in order. It may suspend (e.g. to write to the
// database) and the next chunk is not read until it returns: that is the backpressure.
// Throwing aborts the transfer.
using ChunkConsumer = std::function<boost::asio::awaitable<void>(std::string_view chunk)>;

// Receives one page of a listing: keys in bytewise order, each after every key of the pages
// before. The next page is not requested until it returns, so a listing of any length holds one
// page in memory. Throwing ends the listing.
using PageConsumer = std::function<boost::asio::awaitable<void>(std::span<const ObjectInfo> page)>;

struct GetOptions {
    std::optional<std::string> if_none_match;  // ETag; a match returns not_modified
};

struct GetResult {
    bool not_modified = false;  // 304: the consumer was not called
    ObjectInfo info;            // key, etag, size (Content-Length), last_modified
};

class ObjectStore {
  public:
    virtual ~ObjectStore() = default;

    // Every object under `prefix` whose key sorts (bytewise) after `start_after`, in key order,
    // one page at a time (one ListObjectsV2 request per page for S3), to the end.
    virtual boost::asio::awaitable<void> list_pages(std::string prefix, std::string start_after,
                                                    PageConsumer consumer) = 0;

    // The same listing collected into one vector: for listings known to be short.
    boost::asio::awaitable<std::vector<ObjectInfo>> list(std::string prefix,
                                                         std::string start_after);

    // Metadata of one object, or nullopt when it does not exist.
    virtual boost::asio::awaitable<std::optional<ObjectInfo>> head(std::string key) = 0;

    // Streams one object to `consumer`. Never holds the whole body in memory.
    virtual boost::asio::awaitable<GetResult> get(std::string key, GetOptions options,
                                                  ChunkConsumer consumer) = 0;

    // A short description for logs ("s3://fuel at https://rustfs:9000", "dir /data/exports").
    virtual std::string describe() const = 0;
};

}  // namespace ff::s3
