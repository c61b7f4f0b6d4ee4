// The SigV4 signer against AWS's published test vectors and the S3 API reference examples.
#include "s3/sigv4.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "s3/list_xml.hpp"

namespace {

using namespace ff::s3;
namespace fs = std::filesystem;

const fs::path data_dir = fs::path(FF_SOURCE_DIR) / "tests/data/sigv4";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::chrono::system_clock::time_point timestamp(const char* text) {
    auto tp = parse_iso8601(text);
    REQUIRE(tp);
    return *tp;
}

// request.txt: request line, then `Name:value` headers; path and query are given raw.
sigv4::Request parse_request_file(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    sigv4::Request req;
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    req.method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto qmark = target.find('?');
    req.path = sigv4::uri_decode(target.substr(0, qmark));
    if (qmark != std::string::npos) {
        std::istringstream query(target.substr(qmark + 1));
        std::string pair;
        while (std::getline(query, pair, '&')) {
            const auto eq = pair.find('=');
            req.query.emplace_back(
                sigv4::uri_decode(pair.substr(0, eq)),
                eq == std::string::npos ? "" : sigv4::uri_decode(pair.substr(eq + 1)));
        }
    }
    while (std::getline(in, line) && !line.empty()) {
        const auto colon = line.find(':');
        req.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    req.payload_hash = std::string(sigv4::empty_payload_hash);
    return req;
}

std::vector<std::string> vector_cases() {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(data_dir / "v4"))
        names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST_CASE("The signer reproduces all 21 AWS get-* header-signing vectors byte for byte",
          "[sigv4]") {
    const auto cases = vector_cases();
    REQUIRE(cases.size() == 21);
    for (const auto& name : cases) {
        DYNAMIC_SECTION(name) {
            const fs::path dir = data_dir / "v4" / name;
            const auto context = parse_json(read_file(dir / "context.json"));
            const auto& creds = context["credentials"];
            sigv4::Credentials credentials{
                creds["access_key_id"].GetString(), creds["secret_access_key"].GetString(),
                creds.HasMember("token") ? creds["token"].GetString() : ""};
            sigv4::Options options;
            options.add_payload_hash_header = false;  // the suite signs no x-amz-content-sha256
            options.normalize_path = context["normalize"].GetBool();
            sigv4::Signer signer(credentials, context["region"].GetString(),
                                 context["service"].GetString(), options);
            const auto sig = signer.sign(parse_request_file(read_file(dir / "request.txt")),
                                         timestamp(context["timestamp"].GetString()));
            CHECK(sig.canonical_request == read_file(dir / "header-canonical-request.txt"));
            CHECK(sig.string_to_sign == read_file(dir / "header-string-to-sign.txt"));
            CHECK(sig.signature == read_file(dir / "header-signature.txt"));
        }
    }
}

TEST_CASE("The signer reproduces the four worked examples of the S3 API reference", "[sigv4]") {
    const auto doc = parse_json(read_file(data_dir / "s3-doc-examples.json"));
    const auto& creds = doc["credentials"];
    sigv4::Signer signer(
        {creds["access_key_id"].GetString(), creds["secret_access_key"].GetString(), {}},
        doc["region"].GetString(), doc["service"].GetString());
    const auto now = timestamp(doc["timestamp"].GetString());
    REQUIRE(doc["examples"].Size() == 4);
    for (const auto& example : doc["examples"].GetArray()) {
        DYNAMIC_SECTION(example["name"].GetString()) {
            sigv4::Request req;
            req.method = example["method"].GetString();
            req.path = example["path"].GetString();
            for (const auto& q : example["query"].GetArray())
                req.query.emplace_back(q[0].GetString(), q[1].GetString());
            for (const auto& h : example["headers"].GetArray())
                req.headers.emplace_back(h[0].GetString(), h[1].GetString());
            req.payload_hash = sigv4::sha256_hex(example["payload"].GetString());
            const auto sig = signer.sign(req, now);
            const auto& expected = example["expected"];
            CHECK(sig.canonical_request == expected["canonical_request"].GetString());
            CHECK(sig.string_to_sign == expected["string_to_sign"].GetString());
            CHECK(sig.signature == expected["signature"].GetString());
            CHECK(sig.added_headers.empty());  // x-amz-date and the payload hash were given
        }
    }
}

TEST_CASE("The signer adds x-amz-date and the payload hash header when the request lacks them",
          "[sigv4]") {
    sigv4::Signer signer({"AKID", "secret", {}}, "us-east-1", "s3");
    sigv4::Request req{"GET",
                       "/fuel/a b+c:d=e~f/ü.json",
                       {{"list-type", "2"}},
                       {{"Host", "h:9000"}},
                       std::string(sigv4::empty_payload_hash)};
    const auto sig = signer.sign(req, timestamp("2024-05-01T10:00:00Z"));
    REQUIRE(sig.added_headers.size() == 2);
    CHECK(sig.added_headers[0] ==
          std::pair<std::string, std::string>{"x-amz-date", "20240501T100000Z"});
    CHECK(sig.added_headers[1].first == "x-amz-content-sha256");
    // Each byte outside the unreserved set is encoded once; '/' separates segments.
    CHECK(sig.canonical_request.starts_with(
        "GET\n/fuel/a%20b%2Bc%3Ad%3De~f/%C3%BC.json\nlist-type=2\n"));
    CHECK(sig.authorization.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKID/20240501/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="));
}

TEST_CASE("The signing key is recomputed when the day changes", "[sigv4]") {
    sigv4::Signer signer({"AKID", "secret", {}}, "us-east-1", "s3");
    sigv4::Request req{"GET", "/b/k", {}, {{"Host", "h"}}, std::string(sigv4::empty_payload_hash)};
    const auto day1 = signer.sign(req, timestamp("2024-05-01T23:59:59Z"));
    const auto day2 = signer.sign(req, timestamp("2024-05-02T00:00:00Z"));
    sigv4::Signer fresh({"AKID", "secret", {}}, "us-east-1", "s3");
    CHECK(day2.signature == fresh.sign(req, timestamp("2024-05-02T00:00:00Z")).signature);
    CHECK(day1.signature != day2.signature);
}
