// The standard process_* metrics (memory, CPU, file descriptors, start time), read from /proc.
#pragma once

#include "metrics/registry.hpp"

namespace ff::metrics {

class ProcessMetrics {
  public:
    // Declares the process_* families in `registry`.
    explicit ProcessMetrics(Registry& registry);

    // Reads /proc/self and updates the gauges; call just before rendering. A value that cannot be
    // read keeps its previous figure rather than failing the scrape.
    void refresh();

  private:
    Counter cpu_seconds_;
    Gauge resident_bytes_;
    Gauge virtual_bytes_;
    Gauge open_fds_;
    Gauge max_fds_;
    Gauge start_time_;
};

}  // namespace ff::metrics
