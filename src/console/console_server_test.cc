#include "console/console_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake::console {
namespace {

class ConsoleServerTest : public ::testing::Test {
 protected:
  ConsoleOptions Options() {
    ConsoleOptions options;
    options.bootstrap = "127.0.0.1:1";  // nothing listens there
    options.listen = "127.0.0.1:0";
    options.catalog = dir_.path() / "catalog.db";
    options.data_dir = dir_.path() / "data";
    options.lake = (dir_.path()).string();
    options.properties = {{"socket.connection.setup.timeout.ms", "1000"}};
    return options;
  }
  TempDir dir_;
};

TEST_F(ConsoleServerTest, ServesThePageFromTheBinary) {
  ConsoleServer server(Options());
  server.Start();
  httplib::Client client("127.0.0.1", std::stoi(server.Url().substr(server.Url().rfind(':') + 1)));
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("/assets/uPlot.iife.min.js"), std::string::npos);
  for (const char* asset : {"/assets/app.js", "/assets/app.css", "/assets/uPlot.iife.min.js",
                            "/assets/uPlot.min.css"}) {
    auto r = client.Get(asset);
    ASSERT_TRUE(r) << asset;
    EXPECT_EQ(r->status, 200) << asset;
    EXPECT_GT(r->body.size(), 1000u) << asset;
  }
  EXPECT_EQ(client.Get("/assets/nope.js")->status, 404);
  EXPECT_EQ(client.Get("/healthz")->body, "ok\n");
}

TEST_F(ConsoleServerTest, AnUnreachableClusterIsReportedNotFatal) {
  ConsoleServer server(Options());
  server.Start();
  httplib::Client client("127.0.0.1", std::stoi(server.Url().substr(server.Url().rfind(':') + 1)));
  std::string live;
  for (int i = 0; i < 300 && live.find("kafka_error") == std::string::npos; ++i) {
    live = client.Get("/api/live")->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(live.find("cannot read the cluster's metadata from 127.0.0.1:1"), std::string::npos)
      << live;
  auto catalog = client.Get("/api/catalog");
  EXPECT_EQ(catalog->status, 200);
  EXPECT_NE(catalog->body.find("\"databases\":["), std::string::npos);
}

TEST_F(ConsoleServerTest, RefusesNonLoopbackWithoutToken) {
  ConsoleOptions options = Options();
  options.listen = "0.0.0.0:0";
  EXPECT_THROW(ConsoleServer server(options), Error);
  options.token = "t";
  EXPECT_NO_THROW(ConsoleServer server(options));
}

}  // namespace
}  // namespace ticklake::console
