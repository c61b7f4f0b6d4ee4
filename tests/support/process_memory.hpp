// Resident memory of this process, from /proc/self/status, for "memory stays bounded" checks.
#pragma once

#include <fstream>
#include <string>

namespace fftest {

// VmRSS in KiB; 0 when /proc is unavailable (the caller's bound check then still passes only if
// it is written as growth <= bound).
inline long rss_kib() {
    std::ifstream status("/proc/self/status");
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

}  // namespace fftest
