// Logging setup: spdlog to stderr, human-readable text or one JSON object per line, secrets
// scrubbed.
#pragma once

#include <string_view>

namespace ff::log {

enum class Format { text, json };

// Installs the default logger. `level` is an spdlog level name (trace, debug, info, warn, error).
void init(std::string_view level, Format format);

}  // namespace ff::log
