// Text rendered from the variable table: the env example, the Markdown reference, and the
// effective configuration with secrets masked.
#pragma once

#include <string>

#include "config/config.hpp"

namespace ff::config {

// The content of config/fleetfuel.env.example (`fleetfuel config --env-example`).
std::string render_env_example();

// The content of docs/configuration.md (`fleetfuel config --markdown`).
std::string render_markdown();

// NAME=value for every variable as `cfg` holds it; secrets shown as *** (DATABASE_URL redacted).
std::string render_effective(const Config& cfg);

}  // namespace ff::config
