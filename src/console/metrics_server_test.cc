#include "console/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "common/error.h"
#include "common/metrics.h"

namespace ticklake::console {
namespace {

TEST(MetricsServerTest, ServesTheRegistryAndHealth) {
  CounterMetric("ticklake_test_metrics_server_total", "For this test.").Add(7);
  MetricsServer server("127.0.0.1:0", "");
  httplib::Client client("127.0.0.1", server.port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("ticklake_test_metrics_server_total 7\n"), std::string::npos);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(client.Get("/healthz")->body, "ok\n");
}

TEST(MetricsServerTest, WithATokenRefusesRequestsWithoutIt) {
  MetricsServer server("127.0.0.1:0", "t0ken");
  httplib::Client client("127.0.0.1", server.port());
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer nope"}})->status, 401);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer t0ken"}})->status, 200);
}

TEST(MetricsServerTest, RefusesNonLoopbackWithoutTokenAndTakenPorts) {
  EXPECT_THROW(MetricsServer("0.0.0.0:0", ""), Error);
  MetricsServer first("127.0.0.1:0", "");
  try {
    MetricsServer second("127.0.0.1:" + std::to_string(first.port()), "");
    ADD_FAILURE() << "bound a taken port";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ticklake::console
