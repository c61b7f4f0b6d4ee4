// Making the unrelated throwaway CA of tls_ca.hpp.
#include "support/tls_ca.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "support/run_process.hpp"

namespace fftest {

std::string another_ca_file() {
    static const std::string path = [] {
        const std::string dir = make_temp_dir();
        const std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
            "-subj '/CN=Another Test CA' -keyout '" +
            dir + "/other-ca.key' -out '" + dir + "/other-ca.pem' >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        return dir + "/other-ca.pem";
    }();
    return path;
}

}  // namespace fftest
