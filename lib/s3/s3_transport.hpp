// One HTTP/1.1 exchange with the S3 endpoint over plain TCP or TLS, reusing idle keep-alive
// connections. Internal to lib/s3; keeps Beast out of every header.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "s3/object_store.hpp"
#include "s3/s3_request.hpp"

namespace ff::s3 {

struct TransportOptions {
    std::string ca_file;  // when set, the only CAs trusted (the system store is not loaded)
    bool insecure_skip_verify = false;
    std::chrono::milliseconds connect_timeout{5'000};
    std::chrono::milliseconds tls_timeout{5'000};
    std::chrono::milliseconds read_timeout{30'000};
    std::uint64_t max_collected_body = 32u << 20;  // bodies read into memory (listings, errors)
};

struct ResponseHead {
    int status = 0;
    std::optional<std::uint64_t> content_length;
    std::string etag;           // raw header value
    std::string last_modified;  // raw header value
};

struct Response {
    ResponseHead head;
    std::string body;  // collected body (empty when it was streamed)
};

// For a 2xx response: on_head may throw to refuse the body (too large, unexpected status);
// the body then goes to on_chunk instead of Response::body.
struct BodyStream {
    std::function<void(const ResponseHead&)> on_head;
    ChunkConsumer on_chunk;
};

class Transport {
  public:
    Transport(boost::asio::any_io_executor executor, Endpoint endpoint, TransportOptions options);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Failures throw S3Error (network, timeout, tls, short_body, too_large); `what` names the
    // operation and object for messages. `stream` may be null; HEAD requests read no body.
    boost::asio::awaitable<Response> exchange(const HttpRequest& request, std::string what,
                                              BodyStream* stream);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ff::s3
