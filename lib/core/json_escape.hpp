// Minimal JSON string escaping for hand-written JSON output (logs, health, --json counts).
#pragma once

#include <string>
#include <string_view>

namespace ff::json {

// Appends `text` to `out` escaped for use inside a JSON string (quotes not added).
void escape_into(std::string& out, std::string_view text);

// Returns `text` as a quoted JSON string.
std::string quote(std::string_view text);

}  // namespace ff::json
