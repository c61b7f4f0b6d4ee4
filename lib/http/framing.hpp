// RFC 9112 rules a request's header must pass before its body is read: Host, Transfer-Encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ff::http {

// Why a request header is refused: the status to answer (400 or 501) and a short reason. The
// connection is always closed afterwards, since the end of the message is not known.
struct FramingError {
    int status = 400;
    std::string reason;
};

using HeaderFields = std::vector<std::pair<std::string_view, std::string_view>>;

// Checks what Beast's parser lets through and RFC 9112 forbids. `version` is 10 or 11.
// - Host (§3.2): HTTP/1.1 needs exactly one; no request may carry two or an invalid value.
// - Transfer-Encoding (§6.1, §6.3): only in HTTP/1.1, never beside Content-Length, and its codings
//   must end with chunked, applied once. Anything else leaves the body's end unknown, and a
//   proxy that reads it the other way would see our "next request" in it (smuggling): 400.
//   Other codings before chunked (gzip, chunked) are well framed but not supported: 501.
std::optional<FramingError> check_framing(unsigned version, const HeaderFields& fields);

}  // namespace ff::http
