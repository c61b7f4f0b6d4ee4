// /proc/self readers for ProcessMetrics; Linux only, like the container it runs in.
#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace ff::metrics {
namespace {

struct ProcStat {
    double utime_ticks = 0;
    double stime_ticks = 0;
    double start_ticks = 0;  // since boot
    double vsize_bytes = 0;
    double rss_pages = 0;
};

// /proc/self/stat: the command name sits in parentheses and may itself hold spaces or ')', so
// fields are counted from the last ')'. After it come field 3 (state) onwards.
std::optional<ProcStat> read_proc_stat() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 1));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    // f[0] is field 3; field n is f[n - 3].
    if (f.size() < 22) return std::nullopt;
    try {
        return ProcStat{std::stod(f[14 - 3]), std::stod(f[15 - 3]), std::stod(f[22 - 3]),
                        std::stod(f[23 - 3]), std::stod(f[24 - 3])};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<double> boot_time_seconds() {
    std::ifstream in("/proc/stat");
    for (std::string key; in >> key;) {
        if (key == "btime") {
            double v = 0;
            if (in >> v) return v;
            return std::nullopt;
        }
        in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    return std::nullopt;
}

std::optional<double> open_fd_count() {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/self/fd", ec);
    if (ec) return std::nullopt;
    double n = 0;
    for (const auto& entry : it) {
        (void)entry;
        ++n;
    }
    // The iterator's own descriptor is in the listing too.
    return n > 0 ? n - 1 : 0;
}

}  // namespace

ProcessMetrics::ProcessMetrics(Registry& registry)
    : cpu_seconds_(registry
                       .counter("process_cpu_seconds_total",
                                "Total user and system CPU time spent in seconds.")
                       .with({})),
      resident_bytes_(
          registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
              .with({})),
      virtual_bytes_(
          registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").with({})),
      open_fds_(registry.gauge("process_open_fds", "Number of open file descriptors.").with({})),
      max_fds_(
          registry.gauge("process_max_fds", "Maximum number of open file descriptors.").with({})),
      start_time_(registry
                      .gauge("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds.")
                      .with({})) {
    refresh();
}

void ProcessMetrics::refresh() {
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    if (const auto stat = read_proc_stat(); stat && ticks > 0) {
        // A counter only moves up; the difference keeps it equal to the kernel's figure.
        cpu_seconds_.inc((stat->utime_ticks + stat->stime_ticks) / ticks - cpu_seconds_.value());
        resident_bytes_.set(stat->rss_pages * page);
        virtual_bytes_.set(stat->vsize_bytes);
        if (const auto boot = boot_time_seconds())
            start_time_.set(*boot + stat->start_ticks / ticks);
    }
    if (const auto fds = open_fd_count()) open_fds_.set(*fds);
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        max_fds_.set(static_cast<double>(limit.rlim_cur));
}

}  // namespace ff::metrics
