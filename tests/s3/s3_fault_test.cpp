// The S3 client under injected faults: retries, resumed reads and the final typed errors.
#include <catch2/catch.hpp>

#include "s3/errors.hpp"
#include "s3/s3_client.hpp"
#include "s3_test_util.hpp"
#include "support/fault_proxy.hpp"

namespace {

using namespace ff::s3;
using s3test::FaultProxy;
using s3test::run;
namespace net = boost::asio;

constexpr std::size_t object_size = 400 * 1024;  // several read chunks

struct Fixture {
    net::io_context io;
    std::string bucket = s3test::bucket_name();
    std::string content;
    FaultProxy proxy{fftest::s3_endpoint()};
    s3test::Observations observations;
    std::unique_ptr<S3Client> client;

    Fixture() {
        for (std::size_t i = 0; content.size() < object_size; ++i)
            content += "{\"row\":" + std::to_string(i) + "}\n";
        auto direct = make_s3_client(io.get_executor(), s3test::options_for(bucket));
        run(io, direct->create_bucket());
        run(io, direct->put_object("data.json", content));

        auto options = s3test::options_for(bucket);
        options.endpoint = proxy.endpoint();
        options.read_timeout = std::chrono::milliseconds(300);
        client = make_s3_client(io.get_executor(), options, observations.observer());
    }

    S3Error get_error() {
        try {
            run(io, s3test::read_object(*client, "data.json"));
        } catch (const S3Error& e) {
            return e;
        }
        FAIL("the GET succeeded");
        return S3Error(ErrorKind::network, "unreachable");
    }
};

bool has_header(const std::string& head, const std::string& line) {
    return head.find("\r\n" + line) != std::string::npos;
}

}  // namespace

TEST_CASE("A 503 SlowDown answer is retried and the object still arrives", "[integration]") {
    Fixture f;
    f.proxy.plan({FaultProxy::Fault::status_503});
    CHECK(run(f.io, s3test::read_object(*f.client, "data.json")) == f.content);
    CHECK(f.observations.count("get:retry") == 1);
    CHECK(f.observations.count("get:ok") == 1);
    CHECK(f.proxy.request_heads().size() == 2);
}

TEST_CASE("A connection reset mid-body is resumed with Range and If-Match, without duplicate bytes",
          "[integration]") {
    Fixture f;
    f.proxy.plan({FaultProxy::Fault::reset_mid_body});
    GetResult result;
    CHECK(run(f.io, s3test::read_object(*f.client, "data.json", {}, &result)) == f.content);
    CHECK(result.info.size == f.content.size());
    const auto heads = f.proxy.request_heads();
    REQUIRE(heads.size() == 2);
    CHECK_FALSE(has_header(heads[0], "Range:"));
    CHECK(heads[1].find("Range: bytes=") != std::string::npos);
    CHECK(heads[1].find("If-Match: \"" + result.info.etag + "\"") != std::string::npos);
}

TEST_CASE("A body cut short is retried, and when it keeps happening the error says short body",
          "[integration]") {
    Fixture f;
    f.proxy.plan({FaultProxy::Fault::cut_short});
    CHECK(run(f.io, s3test::read_object(*f.client, "data.json")) == f.content);

    f.proxy.plan(
        {FaultProxy::Fault::cut_short, FaultProxy::Fault::cut_short, FaultProxy::Fault::cut_short});
    const auto error = f.get_error();
    CHECK(error.kind() == ErrorKind::short_body);
    CHECK(std::string(error.what()).find("after 3 attempts") != std::string::npos);
}

TEST_CASE(
    "A server that stalls past the read timeout gives a timeout error after the bounded attempts",
    "[integration]") {
    Fixture f;
    f.proxy.plan({FaultProxy::Fault::stall, FaultProxy::Fault::stall, FaultProxy::Fault::stall});
    const auto error = f.get_error();
    CHECK(error.kind() == ErrorKind::timeout);
    CHECK(std::string(error.what()).find("after 3 attempts") != std::string::npos);
    CHECK(f.observations.count("get:retry") == 2);
    CHECK(f.observations.count("get:error") == 1);
}

TEST_CASE("Authentication failures are never retried", "[integration]") {
    Fixture f;
    auto options = s3test::options_for(f.bucket);
    options.endpoint = f.proxy.endpoint();
    options.secret_key = "wrong-secret-for-test";
    auto bad = make_s3_client(f.io.get_executor(), options);
    CHECK_THROWS_AS(run(f.io, s3test::read_object(*bad, "data.json")), S3Error);
    CHECK(f.proxy.request_heads().size() == 1);
}
