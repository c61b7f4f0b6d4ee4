// Counters, gauges and histograms with label sets, owned by value in one registry (io thread only).
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ff::metrics {

enum class MetricType { counter, gauge, histogram };

// One labelled series as rendered. Histograms keep per-bucket (not cumulative) counts, one per
// bound plus a last one for +Inf; the exposition makes them cumulative.
struct SeriesSnapshot {
    std::vector<std::string> label_values;  // in the order of the family's label names
    double value = 0;                       // counter, gauge
    std::vector<std::uint64_t> bucket_counts;
    double sum = 0;
    std::uint64_t count = 0;
};

struct FamilySnapshot {
    std::string name;
    std::string help;
    MetricType type = MetricType::gauge;
    std::vector<std::string> label_names;
    std::vector<double> bounds;          // histogram upper bounds, increasing, without +Inf
    std::vector<SeriesSnapshot> series;  // in creation order
};

// Families in declaration order: a plain copy the renderer can read while the io thread moves on.
using Snapshot = std::vector<FamilySnapshot>;

// Handles to one series. They stay valid as long as the registry that made them.
class Counter {
  public:
    Counter() = default;
    void inc(double by = 1);  // negative or NaN increments are ignored: a counter only goes up
    double value() const;

  private:
    friend class Registry;
    explicit Counter(SeriesSnapshot* s) : s_(s) {}
    SeriesSnapshot* s_ = nullptr;
};

class Gauge {
  public:
    Gauge() = default;
    void set(double v);
    void inc(double by = 1);
    double value() const;

  private:
    friend class Registry;
    explicit Gauge(SeriesSnapshot* s) : s_(s) {}
    SeriesSnapshot* s_ = nullptr;
};

class Histogram {
  public:
    Histogram() = default;
    void observe(double v);
    std::uint64_t count() const;
    double sum() const;

  private:
    friend class Registry;
    Histogram(SeriesSnapshot* s, const std::vector<double>* bounds) : s_(s), bounds_(bounds) {}
    SeriesSnapshot* s_ = nullptr;
    const std::vector<double>* bounds_ = nullptr;
};

using LabelValues = std::initializer_list<std::string_view>;

class Registry {
  public:
    // A declared family. with(...) finds or creates the series for these label values.
    template <class Handle>
    class Family {
      public:
        Family() = default;
        Handle with(LabelValues values) const { return registry_->series<Handle>(index_, values); }

      private:
        friend class Registry;
        Family(Registry* r, std::size_t i) : registry_(r), index_(i) {}
        Registry* registry_ = nullptr;
        std::size_t index_ = 0;
    };

    Registry() = default;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Each family is declared once; a repeated or malformed name throws std::invalid_argument.
    Family<Counter> counter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
    Family<Gauge> gauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
    Family<Histogram> histogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);

    Snapshot snapshot() const;

  private:
    struct FamilyData {
        FamilySnapshot meta;                // series left empty; they live below
        std::deque<SeriesSnapshot> series;  // deque: handles point into it
        std::map<std::string, SeriesSnapshot*> by_key;
    };

    std::size_t declare(FamilySnapshot meta);
    SeriesSnapshot& find_or_create(std::size_t family, LabelValues values);

    template <class Handle>
    Handle series(std::size_t family, LabelValues values);

    std::deque<FamilyData> families_;
};

template <>
inline Counter Registry::series<Counter>(std::size_t f, LabelValues v) {
    return Counter(&find_or_create(f, v));
}
template <>
inline Gauge Registry::series<Gauge>(std::size_t f, LabelValues v) {
    return Gauge(&find_or_create(f, v));
}
template <>
inline Histogram Registry::series<Histogram>(std::size_t f, LabelValues v) {
    SeriesSnapshot& s = find_or_create(f, v);
    return Histogram(&s, &families_[f].meta.bounds);
}

}  // namespace ff::metrics
