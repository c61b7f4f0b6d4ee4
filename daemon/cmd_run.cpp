// fleetfuel run
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "core/exit_codes.hpp"

namespace ff::cmd {

int run(const config::Config&, const Args&) {
    spdlog::error("run: not implemented yet");
    return kExitFailed;
}

}  // namespace ff::cmd
