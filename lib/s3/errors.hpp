// The typed failure of an object-store operation: what kind, which bucket and key, and whether a
// retry could help. Messages never contain credentials.
#pragma once

#include <stdexcept>
#include <string>

namespace ff::s3 {

enum class ErrorKind {
    network,       // resolve, connect, TLS handshake or a broken connection
    timeout,       // connect, TLS or idle-read timeout
    tls,           // certificate verification failed (not retried)
    http_status,   // an HTTP error status without a parseable S3 error body
    s3_error,      // an S3 <Error> body (code() says which)
    not_found,     // NoSuchKey / NoSuchBucket / 404
    too_large,     // object larger than the configured maximum
    short_body,    // the connection ended before Content-Length bytes arrived
    bad_response,  // a response we cannot understand (bad XML, missing headers)
    io,            // local-directory store: file system error
};

const char* to_string(ErrorKind kind);

class S3Error : public std::runtime_error {
  public:
    S3Error(ErrorKind kind, const std::string& message, int http_status = 0, std::string code = {})
        : std::runtime_error(message),
          kind_(kind),
          http_status_(http_status),
          code_(std::move(code)) {}

    ErrorKind kind() const { return kind_; }
    int http_status() const { return http_status_; }   // 0 when no response was received
    const std::string& code() const { return code_; }  // S3 error code, e.g. "NoSuchKey"

    // AWS SDK standard-mode rule: transient network faults, throttling and server errors.
    bool retryable() const;

  private:
    ErrorKind kind_;
    int http_status_;
    std::string code_;
};

// Builds the error for an S3 error response: maps the code to a kind and writes a message such
// as `get fuel/a.json: NoSuchKey (HTTP 404): The specified key does not exist.`
S3Error make_s3_error(const std::string& what, int http_status, const std::string& code,
                      const std::string& message);

}  // namespace ff::s3
