#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/error.h"

namespace ticklake {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInPrometheusText) {
  MetricsRegistry registry;
  registry.GetCounter("t_records_total", "Records.").Add(3);
  registry.GetCounter("t_queries_total", "Queries.", "state=\"failed\"").Add();
  registry.GetGauge("t_lag", "Lag\nin records.").Set(2.5);
  Histogram& h = registry.GetHistogram("t_seconds", "Latency.", "", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP t_lag Lag\\nin records.\n# TYPE t_lag gauge\nt_lag 2.5\n"
            "# HELP t_queries_total Queries.\n# TYPE t_queries_total counter\n"
            "t_queries_total{state=\"failed\"} 1\n"
            "# HELP t_records_total Records.\n# TYPE t_records_total counter\nt_records_total 3\n"
            "# HELP t_seconds Latency.\n# TYPE t_seconds histogram\n"
            "t_seconds_bucket{le=\"0.1\"} 1\nt_seconds_bucket{le=\"1\"} 2\n"
            "t_seconds_bucket{le=\"+Inf\"} 3\nt_seconds_sum 7.55\nt_seconds_count 3\n");
}

TEST(MetricsTest, AHistogramTakesManyEqualObservationsAtOnce) {
  Histogram h({0.1, 1});
  h.Observe(0.5, 4);
  h.Observe(7, 0);  // nothing
  h.Observe(0.05);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<int64_t>{1, 5, 5}));
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.sum, 2.05);
}

TEST(MetricsTest, SameNameAndLabelsIsTheSameMetric) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c_total", "C.");
  Counter& b = registry.GetCounter("c_total", "C.");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &registry.GetCounter("c_total", "C.", "x=\"1\""));
  EXPECT_THROW(registry.GetGauge("c_total", "C."), Error);
}

TEST(MetricsTest, CountsFromManyThreads) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("c_total", "C.");
  Histogram& h = registry.GetHistogram("h_seconds", "H.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Add();
        h.Observe(0.002);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000);
  EXPECT_EQ(h.Read().count, 40000);
  EXPECT_NEAR(h.Read().sum, 80, 1e-6);
}

}  // namespace
}  // namespace ticklake
