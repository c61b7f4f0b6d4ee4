// Text exposition writer; follows prometheus/common expfmt for value and escaping rules.
#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace ff::metrics {
namespace {

std::string_view type_name(MetricType t) {
    switch (t) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::histogram:
            return "histogram";
    }
    return "untyped";
}

// `name{a="x",b="y"[,le="..."]} value`
void write_sample(std::string& out, std::string_view name, std::string_view suffix,
                  const FamilySnapshot& family, const SeriesSnapshot& series, const std::string* le,
                  const std::string& value) {
    out.append(name).append(suffix);
    const bool any = !family.label_names.empty() || le != nullptr;
    if (any) out += '{';
    for (std::size_t i = 0; i < family.label_names.size(); ++i) {
        if (i > 0) out += ',';
        out.append(family.label_names[i]).append("=\"");
        out.append(escape_label_value(series.label_values[i])).append("\"");
    }
    if (le != nullptr) {
        if (!family.label_names.empty()) out += ',';
        out.append("le=\"").append(*le).append("\"");
    }
    if (any) out += '}';
    out.append(" ").append(value).append("\n");
}

void write_histogram(std::string& out, const FamilySnapshot& family, const SeriesSnapshot& s) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < family.bounds.size(); ++i) {
        cumulative += s.bucket_counts[i];
        const std::string le = format_value(family.bounds[i]);
        write_sample(out, family.name, "_bucket", family, s, &le, std::to_string(cumulative));
    }
    // +Inf is the total count by definition, whatever the per-bucket counts say.
    const std::string inf = "+Inf";
    write_sample(out, family.name, "_bucket", family, s, &inf, std::to_string(s.count));
    write_sample(out, family.name, "_sum", family, s, nullptr, format_value(s.sum));
    write_sample(out, family.name, "_count", family, s, nullptr, std::to_string(s.count));
}

}  // namespace

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char sci[64];
    const auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
    const std::string_view text(sci, static_cast<std::size_t>(r.ptr - sci));
    // to_chars writes no terminating NUL: read the exponent ("e-04", "e+06") within `text` only.
    const char* exp_first = text.data() + text.find('e') + 1;
    if (*exp_first == '+') ++exp_first;  // from_chars takes a sign of '-' only
    int exponent = 0;
    std::from_chars(exp_first, text.data() + text.size(), exponent);
    // Go's 'g' at shortest precision uses the exponent form when the exponent is below -4 or
    // at least 6: so 1e+06 and 1e-05, but 100000 and 0.0001.
    if (exponent < -4 || exponent >= 6) return std::string(text);
    char fixed[64];
    const auto f = std::to_chars(fixed, fixed + sizeof fixed, v, std::chars_format::fixed);
    return std::string(fixed, f.ptr);
}

namespace {

// Backslash and newline, and the double quote where `quotes` (label values, not HELP text).
std::string escape_exposition(std::string_view text, bool quotes) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '\\' || (c == '"' && quotes))
            out.append(1, '\\').append(1, c);
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    return escape_exposition(value, true);
}

std::string escape_help(std::string_view help) {
    return escape_exposition(help, false);
}

std::string render(const Snapshot& snapshot) {
    std::string out;
    for (const auto& family : snapshot) {
        // A family without series would be HELP and TYPE alone; client_golang leaves those out.
        if (family.series.empty()) continue;
        out.append("# HELP ").append(family.name).append(" ");
        out.append(escape_help(family.help)).append("\n");
        out.append("# TYPE ").append(family.name).append(" ");
        out.append(type_name(family.type)).append("\n");
        for (const auto& s : family.series) {
            if (family.type == MetricType::histogram)
                write_histogram(out, family, s);
            else
                write_sample(out, family.name, "", family, s, nullptr, format_value(s.value));
        }
    }
    return out;
}

}  // namespace ff::metrics
