// fleetfuel rejects | requeue | reset-watermark
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "core/exit_codes.hpp"

namespace ff::cmd {

int rejects(const config::Config&, const Args&) {
    spdlog::error("rejects: not implemented yet");
    return kExitFailed;
}
int requeue(const config::Config&, const Args&) {
    spdlog::error("requeue: not implemented yet");
    return kExitFailed;
}
int reset_watermark(const config::Config&, const Args&) {
    spdlog::error("reset-watermark: not implemented yet");
    return kExitFailed;
}

}  // namespace ff::cmd
