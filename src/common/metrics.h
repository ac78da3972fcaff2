// Metrics: the process's counters, gauges and latency histograms, rendered in the Prometheus
// text exposition format (version 0.0.4) for `/metrics` (console/metrics_server.h).
//
// Metrics are registered once by name (plus an optional fixed label set, e.g. state="failed") in
// the process-wide registry, and the returned references stay valid for the process's life, so
// hot paths keep a reference and pay one relaxed atomic add per update. Names follow Prometheus
// conventions: ticklake_<stage>_<what>_<unit>, counters end in _total.
//
// Thread-safety: everything here may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ticklake {

class Counter {
 public:
  void Add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets of observed values (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  // `count` observations of the same value at the cost of one.
  void Observe(double value, int64_t count);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<int64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    int64_t count = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<int64_t>[]> buckets_;  // one per bound, then +Inf (not cumulative)
  std::atomic<double> sum_{0};
};

// Latency buckets from 1 ms to 60 s.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  static MetricsRegistry& Global();

  // Returns the metric of this name and labels, creating it on first use. `labels` is the
  // Prometheus label text without braces (`state="failed"`), empty for none. Registering one
  // name as two kinds throws Error.
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  Gauge& GetGauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const std::string& labels = "",
                          std::vector<double> upper_bounds = LatencyBuckets());

  // Every metric, in the Prometheus text format.
  std::string RenderPrometheus() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& GetFamily(const std::string& name, Kind kind, const std::string& help);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// Shorthands on the global registry.
inline Counter& CounterMetric(const std::string& name, const std::string& help,
                              const std::string& labels = "") {
  return MetricsRegistry::Global().GetCounter(name, help, labels);
}
inline Gauge& GaugeMetric(const std::string& name, const std::string& help,
                          const std::string& labels = "") {
  return MetricsRegistry::Global().GetGauge(name, help, labels);
}
inline Histogram& HistogramMetric(const std::string& name, const std::string& help,
                                  const std::string& labels = "") {
  return MetricsRegistry::Global().GetHistogram(name, help, labels);
}

}  // namespace ticklake
