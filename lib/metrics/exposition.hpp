// Pure rendering of a registry snapshot as Prometheus text exposition format 0.0.4.
#pragma once

#include <string>
#include <string_view>

#include "metrics/registry.hpp"

namespace ff::metrics {

// The Content-Type of a /metrics response.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Every family with at least one series, in declaration order: HELP and TYPE once, then its
// samples as one block. Histograms give cumulative _bucket lines ending in le="+Inf", then _sum
// and _count.
std::string render(const Snapshot& snapshot);

// A sample value the way Go's strconv.FormatFloat(v, 'g', -1, 64) writes it, with NaN, +Inf, -Inf.
std::string format_value(double v);

// Label values escape backslash, double quote and newline; HELP text escapes backslash and newline.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);

}  // namespace ff::metrics
