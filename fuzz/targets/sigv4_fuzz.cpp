// Fuzz target: the SigV4 canonicaliser. Properties: uri_decode inverts uri_encode; uri_encode
// emits only unreserved bytes and %XX; signing any path/query/headers never throws, is
// deterministic, yields 64 lowercase hex digits and does not depend on the query's order.
#include <algorithm>
#include <chrono>
#include <string>

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"
#include "s3/sigv4.hpp"

namespace {

namespace sigv4 = ff::s3::sigv4;

bool unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

bool upper_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

void check_encoding(const std::string& text, bool keep_slash) {
    const std::string enc = sigv4::uri_encode(text, keep_slash);
    for (std::size_t i = 0; i < enc.size(); ++i) {
        const char c = enc[i];
        if (c == '%') {
            fffuzz::check(i + 2 < enc.size() && upper_hex(enc[i + 1]) && upper_hex(enc[i + 2]),
                          "uri_encode wrote a bad escape");
            i += 2;
        } else {
            fffuzz::check(unreserved(c) || (keep_slash && c == '/'),
                          "uri_encode left a reserved byte");
        }
    }
    fffuzz::check(sigv4::uri_decode(enc) == text, "uri_decode(uri_encode(x)) != x");
    // Encoding is idempotent on already-safe text.
    fffuzz::check(sigv4::uri_encode(enc, true) == sigv4::uri_encode(enc, true),
                  "uri_encode is not deterministic");
}

bool lower_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

namespace fffuzz {

int sigv4_one_input(const std::uint8_t* data, std::size_t size) {
    Input in(data, size);
    const std::string method = in.field();
    const std::string path = in.field();
    const std::uint8_t query_count = in.byte() % 8;
    sigv4::Pairs query;
    for (int i = 0; i < query_count; ++i) query.emplace_back(in.field(), in.field());
    sigv4::Pairs headers{{"Host", in.field()}};
    const std::uint8_t header_count = in.byte() % 4;
    for (int i = 0; i < header_count; ++i) headers.emplace_back(in.field(), in.field());
    const std::string rest = in.rest();

    check_encoding(path, true);
    check_encoding(path, false);
    check_encoding(rest, false);
    (void)sigv4::uri_decode(rest);  // arbitrary, possibly broken, escapes

    sigv4::Signer signer({"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""},
                         "us-east-1", "s3");
    const sigv4::Request request{method, path, query, headers,
                                 std::string(sigv4::empty_payload_hash)};
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'760'000'000));
    const sigv4::Signature first = signer.sign(request, now);
    check(lower_hex64(first.signature), "signature is not 64 lowercase hex digits");
    check(first.authorization.find(first.signature) != std::string::npos,
          "Authorization does not carry the signature");
    check(first.authorization.find("wJalrXUtnFEMI") == std::string::npos,
          "the secret key leaked into Authorization");
    check(first.canonical_request.find(sigv4::uri_encode(path, true)) != std::string::npos,
          "canonical request lacks the encoded path");

    sigv4::Request reversed = request;
    std::reverse(reversed.query.begin(), reversed.query.end());
    check(signer.sign(reversed, now).signature == first.signature,
          "the query order changed the signature");
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(sigv4_one_input)
