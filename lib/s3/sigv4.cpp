// SigV4 signing: canonicalisation rules of the AWS signing spec, HMAC-SHA256 via OpenSSL.
#include "s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>

namespace ff::s3::sigv4 {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xf];
    }
    return out;
}

std::string hmac(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
             &len) == nullptr)
        throw std::runtime_error("HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Trims and collapses runs of spaces, as the spec asks for header values.
std::string canonical_value(std::string_view value) {
    std::string out;
    bool space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// RFC 3986 dot-segment removal plus merging of empty segments; only for non-S3 services.
std::string normalize(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const auto next = std::min(path.find('/', pos), path.size());
        const std::string segment(path.substr(pos, next - pos));
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        pos = next + 1;
    }
    std::string out;
    for (const auto& s : segments) out += "/" + s;
    const bool trailing =
        !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
    if (out.empty() || trailing) out += "/";
    return out;
}

bool has_header(const Pairs& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return lower(h.first) == name; });
}

std::string amz_date(std::chrono::system_clock::time_point now) {
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[20];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return to_hex(out, len);
}

std::string uri_encode(std::string_view text, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 0xf];
        }
    }
    return out;
}

std::string uri_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

Signer::Signer(Credentials credentials, std::string region, std::string service, Options options)
    : credentials_(std::move(credentials)),
      region_(std::move(region)),
      service_(std::move(service)),
      options_(options) {}

const std::string& Signer::signing_key(const std::string& date) {
    if (date != key_date_ || key_.empty()) {
        const auto k_date = hmac("AWS4" + credentials_.secret_key, date);
        const auto k_region = hmac(k_date, region_);
        const auto k_service = hmac(k_region, service_);
        key_ = hmac(k_service, "aws4_request");
        key_date_ = date;
    }
    return key_;
}

Signature Signer::sign(const Request& request, std::chrono::system_clock::time_point now) {
    Signature result;
    const std::string timestamp = amz_date(now);
    const std::string date = timestamp.substr(0, 8);

    Pairs headers = request.headers;
    auto add = [&](std::string name, std::string value) {
        if (has_header(headers, name)) return;
        headers.emplace_back(name, value);
        result.added_headers.emplace_back(std::move(name), std::move(value));
    };
    add("x-amz-date", timestamp);
    if (options_.add_payload_hash_header) add("x-amz-content-sha256", request.payload_hash);
    if (!credentials_.session_token.empty())
        add("x-amz-security-token", credentials_.session_token);

    // Repeated headers join with ',' in the order sent; std::map sorts the names.
    std::map<std::string, std::string> canonical;
    for (const auto& [name, value] : headers) {
        auto& slot = canonical[lower(name)];
        if (!slot.empty()) slot += ',';
        slot += canonical_value(value);
    }
    std::string canonical_headers, signed_headers;
    for (const auto& [name, value] : canonical) {
        canonical_headers += name + ':' + value + '\n';
        if (!signed_headers.empty()) signed_headers += ';';
        signed_headers += name;
    }

    std::vector<std::pair<std::string, std::string>> query;
    for (const auto& [k, v] : request.query)
        query.emplace_back(uri_encode(k, false), uri_encode(v, false));
    std::sort(query.begin(), query.end());
    std::string canonical_query;
    for (const auto& [k, v] : query) {
        if (!canonical_query.empty()) canonical_query += '&';
        canonical_query += k + '=' + v;
    }

    const std::string path = options_.normalize_path ? normalize(request.path) : request.path;
    result.canonical_request = request.method + '\n' + uri_encode(path, true) + '\n' +
                               canonical_query + '\n' + canonical_headers + '\n' + signed_headers +
                               '\n' + request.payload_hash;

    const std::string scope = date + '/' + region_ + '/' + service_ + "/aws4_request";
    result.string_to_sign = "AWS4-HMAC-SHA256\n" + timestamp + '\n' + scope + '\n' +
                            sha256_hex(result.canonical_request);
    const auto mac = hmac(signing_key(date), result.string_to_sign);
    result.signature = to_hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
    result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials_.access_key + '/' + scope +
                           ", SignedHeaders=" + signed_headers + ", Signature=" + result.signature;
    return result;
}

}  // namespace ff::s3::sigv4
