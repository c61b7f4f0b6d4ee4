// fleetfuel healthcheck: the container's HEALTHCHECK (the runtime image has no curl).
#include <spdlog/spdlog.h>

#include <chrono>

#include "commands.hpp"
#include "core/exit_codes.hpp"
#include "http/health_probe.hpp"

namespace ff::cmd {

int healthcheck(const config::Config& cfg, const Args& args) {
    if (!args.empty())
        return usage_error("healthcheck", "takes no options (got \"" + args.front() + "\")");
    // Short: Docker runs this every interval and a hung probe would pile up.
    const auto result = http::probe(cfg.http_listen, "/healthz", std::chrono::seconds(2));
    if (result.healthy()) return kExitOk;
    if (result.status != 0)
        spdlog::error("healthcheck: /healthz answered {}", result.status);
    else
        spdlog::error("healthcheck: {}", result.error);
    return kExitFailed;
}

}  // namespace ff::cmd
