// Retry classification and message wording of S3Error.
#include "s3/errors.hpp"

namespace ff::s3 {

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::network:
            return "network";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::http_status:
            return "http_status";
        case ErrorKind::s3_error:
            return "s3_error";
        case ErrorKind::not_found:
            return "not_found";
        case ErrorKind::too_large:
            return "too_large";
        case ErrorKind::short_body:
            return "short_body";
        case ErrorKind::bad_response:
            return "bad_response";
        case ErrorKind::io:
            return "io";
    }
    return "unknown";
}

bool S3Error::retryable() const {
    switch (kind_) {
        case ErrorKind::network:
        case ErrorKind::timeout:
        case ErrorKind::short_body:
            return true;
        case ErrorKind::http_status:
        case ErrorKind::s3_error:
            if (code_ == "SlowDown" || code_ == "RequestTimeout" || code_ == "InternalError" ||
                code_ == "ServiceUnavailable" || code_ == "Throttling" ||
                code_ == "ThrottlingException")
                return true;
            return http_status_ == 429 || http_status_ == 500 || http_status_ == 502 ||
                   http_status_ == 503 || http_status_ == 504;
        default:
            return false;
    }
}

S3Error make_s3_error(const std::string& what, int http_status, const std::string& code,
                      const std::string& message) {
    const std::string status = " (HTTP " + std::to_string(http_status) + ")";
    if (code == "SignatureDoesNotMatch")
        return S3Error(ErrorKind::s3_error,
                       what +
                           ": signature rejected: check RUSTFS_ACCESS_KEY/RUSTFS_SECRET_KEY "
                           "and RUSTFS_REGION" +
                           status,
                       http_status, code);
    if (code == "InvalidAccessKeyId")
        return S3Error(
            ErrorKind::s3_error,
            what + ": access key unknown to the server: check RUSTFS_ACCESS_KEY" + status,
            http_status, code);
    const bool missing =
        code == "NoSuchKey" || code == "NoSuchBucket" || (code.empty() && http_status == 404);
    const ErrorKind kind = missing        ? ErrorKind::not_found
                           : code.empty() ? ErrorKind::http_status
                                          : ErrorKind::s3_error;
    std::string text = what + ": " + (code.empty() ? std::string("HTTP error") : code) + status;
    if (!message.empty()) text += ": " + message;
    return S3Error(kind, text, http_status, code);
}

}  // namespace ff::s3
