// A throwaway certificate authority of the test's own, unrelated to the one that signed the test
// S3 server's certificate: for proving that a certificate from another CA is refused.
#pragma once

#include <string>

namespace fftest {

// Path of a PEM file holding a fresh self-signed CA certificate (made once per process with the
// openssl command line tool, in a temp directory).
std::string another_ca_file();

}  // namespace fftest
