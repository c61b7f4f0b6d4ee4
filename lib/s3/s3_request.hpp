// Building signed S3 HTTP requests (path style) from an endpoint, bucket, key and query. No I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "s3/sigv4.hpp"

namespace ff::s3 {

struct Endpoint {
    bool tls = false;
    std::string host;         // name or IP, no brackets
    std::string port;         // always set ("80"/"443" by default)
    std::string host_header;  // host[:port], port omitted when it is the scheme's default
};

// "http(s)://host[:port]" with no path; throws std::invalid_argument otherwise.
Endpoint parse_endpoint(std::string_view url);

struct HttpRequest {
    std::string method;
    std::string target;    // encoded path and query, exactly as signed
    sigv4::Pairs headers;  // including Host, x-amz-* and Authorization
    std::string body;
};

// `key` may be empty for bucket-level requests. Each path segment is percent-encoded once.
HttpRequest build_request(sigv4::Signer& signer, const Endpoint& endpoint, std::string method,
                          std::string_view bucket, std::string_view key, sigv4::Pairs query,
                          sigv4::Pairs extra_headers, std::string body,
                          std::chrono::system_clock::time_point now);

}  // namespace ff::s3
