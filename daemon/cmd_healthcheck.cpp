// fleetfuel healthcheck
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "core/exit_codes.hpp"

namespace ff::cmd {

int healthcheck(const config::Config&, const Args&) {
    spdlog::error("healthcheck: not implemented yet");
    return kExitFailed;
}

}  // namespace ff::cmd
