// Series storage and validation for the metrics registry.
#include "metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ff::metrics {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (allow_colon && c == ':');
        const bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return true;
}

// Label values may contain anything, so the key separator is a byte that is never valid UTF-8.
std::string series_key(LabelValues values) {
    std::string key;
    for (const auto v : values) {
        key.append(v);
        key.push_back('\xff');
    }
    return key;
}

void validate(const FamilySnapshot& meta) {
    if (!valid_name(meta.name, true))
        throw std::invalid_argument("metric name is not valid: " + meta.name);
    for (const auto& label : meta.label_names) {
        if (!valid_name(label, false) || label.starts_with("__"))
            throw std::invalid_argument(meta.name + ": label name is not valid: " + label);
        if (meta.type == MetricType::histogram && label == "le")
            throw std::invalid_argument(meta.name + ": a histogram cannot have a label le");
    }
    if (meta.type == MetricType::histogram) {
        if (meta.bounds.empty()) throw std::invalid_argument(meta.name + ": no buckets");
        for (std::size_t i = 0; i < meta.bounds.size(); ++i) {
            if (!std::isfinite(meta.bounds[i]) || (i > 0 && meta.bounds[i] <= meta.bounds[i - 1]))
                throw std::invalid_argument(meta.name + ": bucket bounds must increase");
        }
    }
}

}  // namespace

void Counter::inc(double by) {
    if (by > 0) s_->value += by;
}
double Counter::value() const {
    return s_->value;
}

void Gauge::set(double v) {
    s_->value = v;
}
void Gauge::inc(double by) {
    s_->value += by;
}
double Gauge::value() const {
    return s_->value;
}

void Histogram::observe(double v) {
    // Bucket i counts observations in (bounds[i-1], bounds[i]]; NaN and larger values go to +Inf.
    const auto it =
        std::isnan(v) ? bounds_->end() : std::lower_bound(bounds_->begin(), bounds_->end(), v);
    ++s_->bucket_counts[static_cast<std::size_t>(it - bounds_->begin())];
    s_->sum += v;
    ++s_->count;
}
std::uint64_t Histogram::count() const {
    return s_->count;
}
double Histogram::sum() const {
    return s_->sum;
}

Registry::Family<Counter> Registry::counter(std::string name, std::string help,
                                            std::vector<std::string> label_names) {
    return {this, declare({std::move(name),
                           std::move(help),
                           MetricType::counter,
                           std::move(label_names),
                           {},
                           {}})};
}

Registry::Family<Gauge> Registry::gauge(std::string name, std::string help,
                                        std::vector<std::string> label_names) {
    return {
        this,
        declare(
            {std::move(name), std::move(help), MetricType::gauge, std::move(label_names), {}, {}})};
}

Registry::Family<Histogram> Registry::histogram(std::string name, std::string help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> bounds) {
    return {this, declare({std::move(name),
                           std::move(help),
                           MetricType::histogram,
                           std::move(label_names),
                           std::move(bounds),
                           {}})};
}

std::size_t Registry::declare(FamilySnapshot meta) {
    validate(meta);
    for (const auto& f : families_) {
        if (f.meta.name == meta.name)
            throw std::invalid_argument("metric family declared twice: " + meta.name);
    }
    families_.push_back(FamilyData{std::move(meta), {}, {}});
    return families_.size() - 1;
}

SeriesSnapshot& Registry::find_or_create(std::size_t family, LabelValues values) {
    FamilyData& f = families_.at(family);
    if (values.size() != f.meta.label_names.size())
        throw std::invalid_argument(f.meta.name + ": expected " +
                                    std::to_string(f.meta.label_names.size()) + " label values");
    auto key = series_key(values);
    if (const auto it = f.by_key.find(key); it != f.by_key.end()) return *it->second;

    SeriesSnapshot& s = f.series.emplace_back();
    s.label_values.assign(values.begin(), values.end());
    if (f.meta.type == MetricType::histogram) s.bucket_counts.assign(f.meta.bounds.size() + 1, 0);
    f.by_key.emplace(std::move(key), &s);
    return s;
}

Snapshot Registry::snapshot() const {
    Snapshot out;
    out.reserve(families_.size());
    for (const auto& f : families_) {
        FamilySnapshot& copy = out.emplace_back(f.meta);
        copy.series.assign(f.series.begin(), f.series.end());
    }
    return out;
}

}  // namespace ff::metrics
