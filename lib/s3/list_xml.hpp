// Parsers for the XML bodies S3 answers with: ListObjectsV2 results and <Error> documents.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/object_store.hpp"

namespace ff::s3 {

struct ListPage {
    std::vector<ObjectInfo> objects;  // in the order the server sent them
    bool is_truncated = false;
    std::string next_continuation_token;
};

struct ErrorBody {
    std::string code;     // e.g. "NoSuchKey"
    std::string message;  // the server's human-readable text
};

// Throws S3Error(bad_response) when the document is not well-formed XML.
ListPage parse_list_objects_v2(std::string_view xml);

// nullopt when the body is not an S3 <Error> document (e.g. empty, HTML from a proxy).
std::optional<ErrorBody> parse_error_body(std::string_view xml);

// "2024-05-01T12:00:00.000Z" -> time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// "Wed, 01 May 2024 12:00:00 GMT" (HTTP Last-Modified) -> time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// Removes the surrounding quotes S3 puts around ETags.
std::string strip_etag_quotes(std::string_view etag);

}  // namespace ff::s3
