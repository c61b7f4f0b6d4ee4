// The Fuel Log page: one self-contained HTML document embedded in the binary.
#pragma once

#include <string_view>

namespace ff::read {

// lib/read/fuel_log.html, embedded at build time.
std::string_view fuel_log_html();

}  // namespace ff::read
