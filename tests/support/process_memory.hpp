// Resident memory and open descriptors of a process, from /proc, for "stays bounded" checks.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

namespace fftest {

// VmRSS in KiB of `pid` (this process by default); 0 when /proc is unavailable (the caller's
// bound check then still passes only if it is written as growth <= bound).
inline long rss_kib(const std::string& pid = "self") {
    std::ifstream status("/proc/" + pid + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(4096, '\n');
    }
    return 0;
}

// Open file descriptors of `pid`; -1 when /proc is unavailable.
inline long open_fds(const std::string& pid) {
    std::error_code ec;
    long n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + pid + "/fd", ec), end; !ec && it != end;
         it.increment(ec))
        ++n;
    return ec ? -1 : n;
}

}  // namespace fftest
