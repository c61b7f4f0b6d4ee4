// Holds the Fuel Log page text; fuel_log_html.inc is generated from fuel_log.html by CMake.
#include "read/fuel_log_page.hpp"

namespace ff::read {

std::string_view fuel_log_html() {
    static constexpr std::string_view page =
#include "fuel_log_html.inc"
        ;
    return page;
}

}  // namespace ff::read
