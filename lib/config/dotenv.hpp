// Reading `.env` files: KEY=VALUE lines, # comments, optional quotes and `export ` prefix.
#pragma once

#include <string_view>

#include "config/config.hpp"

namespace ff::config {

// Parses the text of a .env file. `origin` names it in errors (".env: line 3: ..."); errors
// never quote the line, which may hold a secret.
Environment parse_dotenv(std::string_view text, const std::string& origin = ".env");

}  // namespace ff::config
