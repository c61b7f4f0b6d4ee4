// AWS Signature Version 4 as a pure function: canonical request, string to sign and signature
// for one request, with the signing key cached per day. No I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ff::s3::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
    std::string access_key;
    std::string secret_key;
    std::string session_token;  // optional; signed as x-amz-security-token
};

struct Options {
    bool add_payload_hash_header = true;  // x-amz-content-sha256, required by S3
    bool normalize_path = false;          // remove . and .. and merge //; never for S3
};

struct Request {
    std::string method;
    std::string path;  // decoded: every segment is percent-encoded exactly once when signing
    Pairs query;       // decoded key/value pairs; a key without value has ""
    Pairs headers;     // as sent, including Host; repeated names allowed
    std::string payload_hash;  // hex SHA-256 of the body (empty_payload_hash for none)
};

struct Signature {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;      // 64 lowercase hex characters
    std::string authorization;  // the Authorization header value
    Pairs added_headers;        // x-amz-date and, as configured, payload hash and token
};

inline constexpr std::string_view empty_payload_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sha256_hex(std::string_view data);

// Percent-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash).
std::string uri_encode(std::string_view text, bool keep_slash);

// Reverses percent-encoding ('+' is left alone: it is a literal plus in S3 paths).
std::string uri_decode(std::string_view text);

class Signer {
  public:
    Signer(Credentials credentials, std::string region, std::string service, Options options = {});

    // Headers x-amz-date (and x-amz-content-sha256 / x-amz-security-token) are added unless the
    // request already carries them; they are returned in added_headers for the caller to send.
    Signature sign(const Request& request, std::chrono::system_clock::time_point now);

    const std::string& access_key() const { return credentials_.access_key; }

  private:
    const std::string& signing_key(const std::string& date);

    Credentials credentials_;
    std::string region_;
    std::string service_;
    Options options_;
    std::string key_date_;  // the day the cached key is for
    std::string key_;
};

}  // namespace ff::s3::sigv4
