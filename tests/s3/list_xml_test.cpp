// Parsing of ListObjectsV2 and <Error> XML bodies, and the retry decisions built on errors.
#include "s3/list_xml.hpp"

#include <catch2/catch.hpp>

#include "s3/errors.hpp"
#include "s3/retry_policy.hpp"

using namespace ff::s3;

namespace {

const char* const listing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>fuel</Name><Prefix>fuel_records/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>fuel_records/a&amp;b &lt;1&gt; &#x00FC;.json</Key>
    <LastModified>2024-05-01T12:00:00.250Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
    <Size>1234</Size><StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>fuel_records/latest.json</Key>
    <LastModified>2024-05-02T00:00:00Z</LastModified>
    <ETag>"abc-2"</ETag>
    <Size>0</Size>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";

}  // namespace

TEST_CASE("A ListObjectsV2 page yields keys with entities decoded, bare ETags, sizes and times",
          "[xml]") {
    const auto page = parse_list_objects_v2(listing);
    REQUIRE(page.objects.size() == 2);
    CHECK(page.objects[0].key == "fuel_records/a&b <1> \xC3\xBC.json");
    CHECK(page.objects[0].etag == "9b2cf535f27731c974343645a3985328");
    CHECK(page.objects[0].size == 1234);
    CHECK(page.objects[0].last_modified ==
          *parse_iso8601("2024-05-01T12:00:00Z") + std::chrono::milliseconds(250));
    CHECK(page.objects[1].key == "fuel_records/latest.json");
    CHECK(page.objects[1].etag == "abc-2");
    CHECK(page.is_truncated);
    CHECK(page.next_continuation_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST_CASE("The last ListObjectsV2 page is not truncated and may be empty", "[xml]") {
    const auto page = parse_list_objects_v2(
        "<ListBucketResult><Name>fuel</Name><IsTruncated>false</IsTruncated></ListBucketResult>");
    CHECK(page.objects.empty());
    CHECK_FALSE(page.is_truncated);
}

TEST_CASE("A listing that is not well-formed XML is a bad_response error", "[xml]") {
    try {
        parse_list_objects_v2("<ListBucketResult><Contents><Key>a</Contents>");
        FAIL("no error thrown");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::bad_response);
    }
    CHECK_THROWS_AS(parse_list_objects_v2("<Error><Code>x</Code></Error>"), S3Error);
}

TEST_CASE("A response that declares a DOCTYPE is refused before any entity is expanded", "[xml]") {
    const std::string bomb = R"(<?xml version="1.0"?>
<!DOCTYPE ListBucketResult [
  <!ENTITY a "aaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<ListBucketResult><IsTruncated>false</IsTruncated>
  <Contents><Key>&c;</Key><LastModified>2024-05-01T12:00:00Z</LastModified>
  <ETag>"e"</ETag><Size>1</Size></Contents>
</ListBucketResult>)";
    try {
        parse_list_objects_v2(bomb);
        FAIL("a listing with a DOCTYPE was accepted");
    } catch (const S3Error& e) {
        CHECK(e.kind() == ErrorKind::bad_response);
        CHECK(std::string(e.what()).find("unexpected DOCTYPE in S3 response") != std::string::npos);
    }
    CHECK_FALSE(parse_error_body(R"(<!DOCTYPE Error [<!ENTITY x "boom">]>
<Error><Code>&x;</Code><Message>m</Message></Error>)"));
}

TEST_CASE("An S3 error body gives its code and message", "[xml]") {
    const auto body = parse_error_body(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
<Key>a &amp; b</Key><RequestId>1</RequestId></Error>)");
    REQUIRE(body);
    CHECK(body->code == "NoSuchKey");
    CHECK(body->message == "The specified key does not exist.");
    CHECK_FALSE(parse_error_body(""));
    CHECK_FALSE(parse_error_body("<html><body>502 Bad Gateway</body></html>"));
}

TEST_CASE("A rejected signature says which settings to check and never shows the secret",
          "[errors]") {
    const auto e =
        make_s3_error("get s3://fuel/a.json", 403, "SignatureDoesNotMatch", "secret-in-message?");
    CHECK(std::string(e.what()).find(
              "signature rejected: check RUSTFS_ACCESS_KEY/RUSTFS_SECRET_KEY and "
              "RUSTFS_REGION") != std::string::npos);
    CHECK(std::string(e.what()).find("s3://fuel/a.json") != std::string::npos);
    CHECK_FALSE(e.retryable());
    const auto missing =
        make_s3_error("get s3://fuel/b", 404, "NoSuchKey", "The specified key does not exist.");
    CHECK(missing.kind() == ErrorKind::not_found);
    CHECK(missing.code() == "NoSuchKey");
}

TEST_CASE("Throttling, server errors and broken connections are retried, client errors are not",
          "[retry]") {
    const RetryPolicy policy{3, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
    CHECK(policy.should_retry(make_s3_error("x", 503, "SlowDown", ""), 1));
    CHECK(policy.should_retry(make_s3_error("x", 400, "RequestTimeout", ""), 1));
    CHECK(policy.should_retry(make_s3_error("x", 500, "", ""), 2));
    CHECK(policy.should_retry(make_s3_error("x", 502, "", ""), 1));
    CHECK(policy.should_retry(make_s3_error("x", 504, "", ""), 1));
    CHECK(policy.should_retry(make_s3_error("x", 429, "", ""), 1));
    CHECK(policy.should_retry(S3Error(ErrorKind::network, "reset"), 1));
    CHECK(policy.should_retry(S3Error(ErrorKind::timeout, "idle"), 1));
    CHECK(policy.should_retry(S3Error(ErrorKind::short_body, "cut"), 1));
    CHECK_FALSE(
        policy.should_retry(make_s3_error("x", 503, "SlowDown", ""), 3));  // attempts used up
    CHECK_FALSE(policy.should_retry(make_s3_error("x", 403, "AccessDenied", ""), 1));
    CHECK_FALSE(policy.should_retry(make_s3_error("x", 403, "SignatureDoesNotMatch", ""), 1));
    CHECK_FALSE(policy.should_retry(make_s3_error("x", 404, "NoSuchKey", ""), 1));
    CHECK_FALSE(policy.should_retry(make_s3_error("x", 400, "InvalidArgument", ""), 1));
    CHECK_FALSE(policy.should_retry(S3Error(ErrorKind::tls, "verify failed"), 1));
    CHECK_FALSE(policy.should_retry(S3Error(ErrorKind::too_large, "big"), 1));
}

TEST_CASE("Backoff is full jitter below an exponentially growing ceiling that stops at the cap",
          "[retry]") {
    const RetryPolicy policy{10, std::chrono::milliseconds(100), std::chrono::milliseconds(1000)};
    CHECK(policy.backoff(1, 0).count() == 0);
    CHECK(policy.backoff(1, 100).count() == 100);  // ceiling 100: draw 100 of [0, 100]
    CHECK(policy.backoff(1, 101).count() == 0);
    CHECK(policy.backoff(3, 400).count() == 400);  // ceiling 400
    CHECK(policy.backoff(3, 401).count() == 0);
    CHECK(policy.backoff(5, 1000).count() == 1000);  // 1600 capped to 1000
    CHECK(policy.backoff(60, ~0ull).count() <= 1000);
}
