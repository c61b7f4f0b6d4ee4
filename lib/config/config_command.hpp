// `fleetfuel config`: the effective configuration, or the docs generated from the table.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace ff::config {

// `config` prints the effective configuration (secrets masked; exit 2 if invalid);
// `config --env-example` and `config --markdown` print the generated docs, whatever the
// environment holds. Returns the exit code.
int config_command(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
                   std::ostream& err);

}  // namespace ff::config
