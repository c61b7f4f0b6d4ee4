// The S3 client against a real S3 server (s3rver, which verifies SigV4 signatures).
#include "s3/s3_client.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "s3/errors.hpp"
#include "s3_test_util.hpp"
#include "support/tls_ca.hpp"

namespace {

using namespace ff::s3;
using s3test::run;
namespace net = boost::asio;

struct Fixture {
    net::io_context io;
    std::string bucket = s3test::bucket_name();
    s3test::Observations observations;
    std::unique_ptr<S3Client> client;

    explicit Fixture(int page_size = 1000) {
        auto options = s3test::options_for(bucket);
        options.list_page_size = page_size;
        client = make_s3_client(io.get_executor(), options, observations.observer());
        run(io, client->create_bucket());
    }
};

std::vector<std::string> keys_of(const std::vector<ObjectInfo>& objects) {
    std::vector<std::string> keys;
    for (const auto& o : objects) keys.push_back(o.key);
    return keys;
}

}  // namespace

TEST_CASE("Objects whose keys hold : + = spaces ~ and non-ASCII are put, listed and fetched",
          "[integration]") {
    Fixture f;
    const std::vector<std::string> keys = {
        "fuel_records/a:b+c=d e~f.json",
        "fuel_records/plain.json",
        "fuel_records/\xC3\xBCn\xC3\xAF/\xE2\x82\xAC 2024.json",
    };
    for (const auto& key : keys) run(f.io, f.client->put_object(key, "content of " + key));

    const auto listed = run(f.io, f.client->list("fuel_records/", ""));
    CHECK(keys_of(listed) == keys);  // already in bytewise order
    for (const auto& key : keys) {
        GetResult result;
        CHECK(run(f.io, s3test::read_object(*f.client, key, {}, &result)) == "content of " + key);
        CHECK(result.info.size == ("content of " + key).size());
        CHECK_FALSE(result.info.etag.empty());
        CHECK(result.info.etag.find('"') == std::string::npos);
        const auto head = run(f.io, f.client->head(key));
        REQUIRE(head);
        CHECK(head->etag == result.info.etag);
    }
}

TEST_CASE("Listing follows pagination across page boundaries and honours start-after",
          "[integration]") {
    Fixture f(2);
    std::vector<std::string> keys;
    for (int i = 0; i < 7; ++i) keys.push_back("p/obj-" + std::to_string(i) + ".json");
    for (const auto& key : keys) run(f.io, f.client->put_object(key, key));
    run(f.io, f.client->put_object("q/outside.json", "x"));

    const auto all = run(f.io, f.client->list("p/", ""));
    CHECK(keys_of(all) == keys);
    CHECK(f.observations.count("list:ok") == 4);  // 2 + 2 + 2 + 1

    const auto rest = run(f.io, f.client->list("p/", "p/obj-2.json"));
    CHECK(keys_of(rest) == std::vector<std::string>(keys.begin() + 3, keys.end()));
    CHECK(run(f.io, f.client->list("none/", "")).empty());
}

TEST_CASE("A GET with the current ETag in If-None-Match is reported as not modified",
          "[integration]") {
    Fixture f;
    const auto etag = run(f.io, f.client->put_object("latest.json", "[1,2,3]"));
    GetResult first;
    CHECK(run(f.io, s3test::read_object(*f.client, "latest.json", {}, &first)) == "[1,2,3]");
    CHECK(first.info.etag == etag);

    GetResult second;
    CHECK(run(f.io, s3test::read_object(*f.client, "latest.json", GetOptions{etag}, &second))
              .empty());
    CHECK(second.not_modified);
    CHECK(f.observations.count("get:not_modified") == 1);

    GetResult third;
    CHECK(run(f.io, s3test::read_object(*f.client, "latest.json", GetOptions{"0123"}, &third)) ==
          "[1,2,3]");
    CHECK_FALSE(third.not_modified);
}

TEST_CASE("A wrong secret key is reported as a rejected signature without the secret",
          "[integration]") {
    Fixture f;
    run(f.io, f.client->put_object("a.json", "{}"));
    auto options = s3test::options_for(f.bucket);
    options.secret_key = "not-the-right-secret-123";
    auto bad = make_s3_client(f.io.get_executor(), options);
    try {
        run(f.io, s3test::read_object(*bad, "a.json"));
        FAIL("a request signed with the wrong secret was accepted");
    } catch (const S3Error& e) {
        const std::string message = e.what();
        CHECK(e.code() == "SignatureDoesNotMatch");
        CHECK(message.find("signature rejected: check RUSTFS_ACCESS_KEY/RUSTFS_SECRET_KEY and "
                           "RUSTFS_REGION") != std::string::npos);
        CHECK(message.find(f.bucket + "/a.json") != std::string::npos);
        CHECK(message.find("not-the-right-secret-123") == std::string::npos);
    }
    CHECK_THROWS_AS(run(f.io, bad->list("", "")), S3Error);
}

TEST_CASE("A missing key is a NoSuchKey error and head reports it as absent", "[integration]") {
    Fixture f;
    try {
        run(f.io, s3test::read_object(*f.client, "no/such/key.json"));
        FAIL("no error for a missing key");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::not_found);
        CHECK(e.code() == "NoSuchKey");
        CHECK(std::string(e.what()).find("no/such/key.json") != std::string::npos);
    }
    CHECK_FALSE(run(f.io, f.client->head("no/such/key.json")));
    CHECK(f.observations.count("get:retry") == 0);
}

TEST_CASE("An object larger than the configured maximum fails cleanly", "[integration]") {
    Fixture f;
    run(f.io, f.client->put_object("big.json", std::string(10'000, 'x')));
    auto options = s3test::options_for(f.bucket);
    options.max_object_bytes = 1'000;
    auto capped = make_s3_client(f.io.get_executor(), options);
    try {
        run(f.io, s3test::read_object(*capped, "big.json"));
        FAIL("no error for an oversized object");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::too_large);
    }
}

TEST_CASE("HTTPS works when the CA file is trusted and fails verification without it",
          "[integration]") {
    net::io_context io;
    const std::string bucket = s3test::bucket_name();
    auto options = s3test::options_for(bucket);
    options.endpoint = fftest::required_env("FF_TEST_S3_TLS_ENDPOINT");
    options.ca_file = fftest::required_env("FF_TEST_S3_CA_FILE");
    auto client = make_s3_client(io.get_executor(), options);
    run(io, client->create_bucket());
    run(io, client->put_object("tls.json", "secure"));
    CHECK(run(io, s3test::read_object(*client, "tls.json")) == "secure");

    options.ca_file.clear();
    auto untrusting = make_s3_client(io.get_executor(), options);
    try {
        run(io, s3test::read_object(*untrusting, "tls.json"));
        FAIL("TLS without the CA was accepted");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::tls);
        CHECK(std::string(e.what()).find("verif") != std::string::npos);
    }
}

TEST_CASE(
    "RUSTFS_CA_FILE pins: a certificate from another CA is refused even where the system "
    "store trusts it",
    "[integration]") {
    // The system store stands in as OpenSSL's SSL_CERT_FILE, here trusting the server's CA.
    const std::string server_ca = fftest::required_env("FF_TEST_S3_CA_FILE");
    const char* previous = std::getenv("SSL_CERT_FILE");
    const std::string saved = previous ? previous : "";
    ::setenv("SSL_CERT_FILE", server_ca.c_str(), 1);
    struct Restore {
        std::string value;
        bool had;
        ~Restore() {
            had ? (void)::setenv("SSL_CERT_FILE", value.c_str(), 1)
                : (void)::unsetenv("SSL_CERT_FILE");
        }
    } restore{saved, previous != nullptr};

    net::io_context io;
    auto options = s3test::options_for(s3test::bucket_name());
    options.endpoint = fftest::required_env("FF_TEST_S3_TLS_ENDPOINT");
    options.max_attempts = 1;
    auto system_store = make_s3_client(io.get_executor(), options);
    run(io, system_store->create_bucket());  // trusted through the (stand-in) system store

    options.ca_file = fftest::another_ca_file();
    auto pinned = make_s3_client(io.get_executor(), options);
    try {
        run(io, pinned->list("", ""));
        FAIL("a certificate from a CA outside RUSTFS_CA_FILE was accepted");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::tls);
        CHECK_THAT(e.what(), Catch::Contains("verif"));
    }

    options.ca_file = server_ca;  // pinning the right CA works
    auto right = make_s3_client(io.get_executor(), options);
    CHECK(run(io, right->list("", "")).empty());
}

TEST_CASE("Creating a bucket that already exists and is ours succeeds", "[integration]") {
    Fixture f;  // created once
    run(f.io, f.client->create_bucket());
    run(f.io, f.client->put_object("again.json", "still usable"));
    CHECK(run(f.io, s3test::read_object(*f.client, "again.json")) == "still usable");
}
