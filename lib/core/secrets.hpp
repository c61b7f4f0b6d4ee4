// Process-wide list of secret values that must never be printed, and the scrubber that enforces it.
#pragma once

#include <string>
#include <string_view>

namespace ff::secrets {

// Registers a value (a password, a secret key, a token) to be masked wherever text is scrubbed.
// Values shorter than 4 characters are ignored: masking them would garble ordinary text.
void add(std::string_view value);

// Returns `text` with every registered secret replaced by "***".
std::string scrub(std::string_view text);

// Returns a PostgreSQL URL or keyword/value conninfo with its password replaced by "***".
std::string redact_conninfo(std::string_view conninfo);

}  // namespace ff::secrets
