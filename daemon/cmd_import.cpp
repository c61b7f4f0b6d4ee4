// fleetfuel import
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "core/exit_codes.hpp"

namespace ff::cmd {

int import(const config::Config&, const Args&) {
    spdlog::error("import: not implemented yet");
    return kExitFailed;
}

}  // namespace ff::cmd
