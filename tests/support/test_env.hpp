// Access to the services that scripts/test.sh starts for the tests (see docs/testing.md).
#pragma once

#include <string>

namespace fftest {

// The value of an environment variable the test script sets; fails the test when it is missing,
// so a test that needs a real service can never pass without one.
std::string required_env(const char* name);

// postgresql://... of the throwaway cluster's maintenance database (FF_TEST_DATABASE_URL).
std::string database_url();

// FF_TEST_DATABASE_LOCALE: the default collation of every scratch database ("icu:tr-TR",
// "libc:C.UTF-8"), or "" for the cluster's own (C.UTF-8). CTest runs the normalisation tests once
// per locale (tests/CMakeLists.txt, ff_add_locale_runs).
std::string database_locale();

// S3 server started by the test script (FF_TEST_S3_ENDPOINT, ..._ACCESS_KEY, ..._SECRET_KEY).
std::string s3_endpoint();
std::string s3_access_key();
std::string s3_secret_key();

// Path of the built fleetfuel binary.
std::string fleetfuel_binary();

// A name unique to this process and call, for databases, buckets and temp dirs.
std::string unique_name(const std::string& prefix);

}  // namespace fftest
