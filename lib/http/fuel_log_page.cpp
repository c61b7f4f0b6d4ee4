// Holds the Fuel Log page text; fuel_log_html.inc is generated from fuel_log.html by CMake.
#include "http/fuel_log_page.hpp"

namespace ff::http {

std::string_view fuel_log_html() {
    static constexpr std::string_view page =
#include "fuel_log_html.inc"
        ;
    return page;
}

}  // namespace ff::http
