// ff::secrets: scrubbing registered values and redacting PostgreSQL connection strings.
#include "core/secrets.hpp"

#include <catch2/catch.hpp>

using namespace ff::secrets;

TEST_CASE("registered secrets are replaced by *** wherever they appear", "[core][secrets]") {
    add("scrub-me-please");
    CHECK(scrub("a scrub-me-please b scrub-me-please") == "a *** b ***");
    CHECK(scrub("nothing to hide") == "nothing to hide");
}

TEST_CASE("a secret containing another is masked whole", "[core][secrets]") {
    add("inner-secret");
    add("outer-inner-secret-x");
    CHECK(scrub("[outer-inner-secret-x] [inner-secret]") == "[***] [***]");
}

TEST_CASE("values shorter than four characters are not treated as secrets", "[core][secrets]") {
    add("abc");
    CHECK(scrub("abc abcd") == "abc abcd");
}

TEST_CASE("a URL's password is redacted, special characters included", "[core][secrets]") {
    CHECK(redact_conninfo("postgresql://fleet:s3cret@db:5432/fuel") ==
          "postgresql://fleet:***@db:5432/fuel");
    CHECK(redact_conninfo("postgres://fleet:p%40ss%2Fw%3Ard%23x@db/fuel?sslmode=require") ==
          "postgres://fleet:***@db/fuel?sslmode=require");
    CHECK(redact_conninfo("postgresql://fleet:pa ss;'\"\\@db/fuel") ==
          "postgresql://fleet:***@db/fuel");
    CHECK(redact_conninfo("postgresql://db:5432/fuel?user=u&password=qu%26ery&sslmode=disable") ==
          "postgresql://db:5432/fuel?user=u&password=***&sslmode=disable");
    CHECK(redact_conninfo("postgresql://fleet@db/fuel") == "postgresql://fleet@db/fuel");
    // A raw '@' inside the password must not leave its tail visible.
    CHECK(redact_conninfo("postgresql://fleet:p@ss-word@db/fuel") ==
          "postgresql://fleet:***@db/fuel");
}

TEST_CASE("a keyword/value conninfo's password is redacted, quoted or not", "[core][secrets]") {
    CHECK(redact_conninfo("host=db user=fleet password=plain-pw dbname=fuel") ==
          "host=db user=fleet password=*** dbname=fuel");
    CHECK(redact_conninfo("host=db password = 'with space \\' and quote' dbname=fuel") ==
          "host=db password=*** dbname=fuel");
    CHECK(redact_conninfo("password=first host=db") == "password=*** host=db");
    CHECK(redact_conninfo("host=db user=fleet") == "host=db user=fleet");
}
