// fleetfuel migrate
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "core/exit_codes.hpp"

namespace ff::cmd {

int migrate(const config::Config&, const Args&) {
    spdlog::error("migrate: not implemented yet");
    return kExitFailed;
}

}  // namespace ff::cmd
