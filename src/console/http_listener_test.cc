#include "console/http_listener.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "common/error.h"

namespace ticklake::console {
namespace {

TEST(ListenAddressTest, ParsesHostAndPortAndNamesTheFlagOnErrors) {
  EXPECT_EQ(ParseListenAddress("127.0.0.1:8080", "--listen"),
            (std::pair<std::string, int>{"127.0.0.1", 8080}));
  EXPECT_EQ(ParseListenAddress("0.0.0.0:0", "--listen").second, 0);
  for (const char* bad : {"8080", ":8080", "host:", "host:http", "host:65536", "host:-1"}) {
    try {
      ParseListenAddress(bad, "--listen");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("--listen ") + bad), std::string::npos)
          << e.what();
    }
  }
}

TEST(ListenAddressTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.1.2.3"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("192.168.1.10"));
  EXPECT_FALSE(IsLoopback("1270.0.0.1.example"));
}

TEST(ListenAddressTest, TokensCompareWholly) {
  EXPECT_TRUE(TokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(TokenMatches("s3creT", "s3cret"));
  EXPECT_FALSE(TokenMatches("s3cre", "s3cret"));
  EXPECT_FALSE(TokenMatches("", "s3cret"));
}

TEST(ListenAddressTest, BeyondLoopbackATokenIsRequired) {
  EXPECT_NO_THROW(RequireTokenBeyondLoopback("127.0.0.1:0", "", "--listen", "give one"));
  EXPECT_NO_THROW(RequireTokenBeyondLoopback("0.0.0.0:0", "t", "--listen", "give one"));
  try {
    RequireTokenBeyondLoopback("0.0.0.0:8080", "", "--listen", "give one with --token");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--listen 0.0.0.0:8080"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("give one with --token"), std::string::npos) << e.what();
  }
}

TEST(HttpListenerTest, ServesUntilDestroyed) {
  httplib::Server server;
  server.Get("/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("x", "text/plain");
  });
  int port;
  {
    HttpListener listener(server, "127.0.0.1:0", "--listen");
    port = listener.port();
    EXPECT_EQ(listener.Url(), "http://127.0.0.1:" + std::to_string(port) + "/");
    httplib::Client client("127.0.0.1", port);
    auto r = client.Get("/x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "x");
  }
  httplib::Client client("127.0.0.1", port);
  EXPECT_FALSE(client.Get("/x"));  // stopped
}

}  // namespace
}  // namespace ticklake::console
