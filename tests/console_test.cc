// The web console on a running pipeline (broker, producer, sink as separate processes):
//  - a headless Chromium driven by playwright-core (tests/peers/console_browser.js) sees offsets
//    and prices advance, the catalog's stock_market table with its columns, a query's rows and
//    chart, and DuckDB's message for bad SQL; screenshots are kept in
//    <build>/test-artifacts/console/;
//  - beyond loopback, every request without the token is refused;
//  - /metrics of the console and of `sink --metrics-listen` parse as Prometheus text with the
//    reference client's parser (python3-prometheus-client);
//  - the API answers bad input (bad SQL, non-JSON bodies, foreign origins, paths outside the
//    results) with clear errors and keeps serving.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <regex>

#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

// Starts `ticklake console` and waits for the address it serves on.
class ConsoleProcess {
 public:
  ConsoleProcess(const fs::path& dir, std::vector<std::string> args,
                 std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {TicklakeBinary(), "console",
                                     "--listen",       "127.0.0.1:0",
                                     "--data-dir",     (dir / "data").string(),
                                     "--catalog",      (dir / "catalog.db").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Subprocess>(argv, dir, env);
    std::smatch m;
    bool up = WaitFor(
        [&] {
          std::string err = process_->Stderr();
          static const std::regex serving("serving http://([0-9.]+):([0-9]+)/");
          if (!std::regex_search(err, m, serving)) return false;
          host_ = "127.0.0.1";  // also when bound to 0.0.0.0
          port_ = std::stoi(m[2]);
          return true;
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(up) << process_->Stderr();
  }
  std::string url() const { return "http://" + host_ + ":" + std::to_string(port_) + "/"; }
  httplib::Client Client() const {
    httplib::Client client(host_, port_);
    client.set_read_timeout(120);
    return client;
  }
  Subprocess& process() { return *process_; }

 private:
  std::unique_ptr<Subprocess> process_;
  std::string host_;
  int port_ = 0;
};

std::string Body(const httplib::Result& r) { return r ? r->body : "(no response)"; }
int Status(const httplib::Result& r) { return r ? r->status : -1; }

// Parses Prometheus text with the reference parser; returns its sample lines (fails on error).
std::string ParsePrometheus(const fs::path& dir, const std::string& text) {
  fs::path file = dir / "metrics.txt";
  WriteFileAtomically(file, text);
  auto parsed = RunCommand({"/bin/sh", "-c",
                            "/usr/bin/python3 " +
                                (SourceDir() / "tests" / "peers" / "parse_prometheus.py").string() +
                                " < " + file.string()});
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err << "\n" << text;
  return parsed.out;
}

double Sample(const std::string& parsed, const std::string& series) {
  std::smatch m;
  std::regex re("(^|\n)" +
                std::regex_replace(series, std::regex(R"([{}\[\]().*+?^$|\\])"), R"(\$&)") +
                " ([0-9.e+]+)");
  if (!std::regex_search(parsed, m, re)) {
    ADD_FAILURE() << "no sample " << series << " in\n" << parsed;
    return -1;
  }
  return std::stod(m[2]);
}

TEST(ConsoleTest, BrowserSeesThePipelineCatalogAndQueries) {
  TempDir dir("ticklake-console");
  BrokerProcess broker(dir.path());
  Subprocess producer(
      {TicklakeBinary(), "produce", "-b", broker.bootstrap(), "--rate", "500", "--duration", "600"},
      dir.path());
  std::string lake = (dir.path() / "lake").string();
  std::string catalog = (dir.path() / "catalog.db").string();
  Subprocess sink({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--lake", lake, "--catalog",
                   catalog, "--flush-interval", "1"},
                  dir.path());
  // The sink keeps the catalog current: wait for its table before opening the page.
  ASSERT_TRUE(WaitFor([&] { return fs::exists(dir.path() / "lake" / "stock_market"); },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  ConsoleProcess console(dir.path(), {"-b", broker.bootstrap(), "--lake", lake});
  auto client = console.Client();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Body(client.Get("/api/catalog")).find("\"stock_market\"") != std::string::npos;
      },
      std::chrono::seconds(60)));

  fs::path artifacts = fs::path(TicklakeBinary()).parent_path() / "test-artifacts" / "console";
  auto browser =
      RunCommand({"node", (SourceDir() / "tests" / "peers" / "console_browser.js").string(),
                  console.url(), artifacts.string()},
                 std::chrono::seconds(300));
  EXPECT_EQ(browser.exit_code, 0) << browser.out << browser.err;
  std::cerr << browser.out;
  for (const char* shot : {"console-pipeline.png", "console-catalog.png", "console-sql.png",
                           "console-pivot.png", "console-10k.png"})
    EXPECT_GT(fs::file_size(artifacts / shot), 10000u) << shot;
  EXPECT_TRUE(console.process().Running()) << console.process().Stderr();
}

TEST(ConsoleTest, BeyondLoopbackEveryRequestNeedsTheToken) {
  TempDir dir("ticklake-console");
  BrokerProcess broker(dir.path());
  // Without a token it refuses to start.
  auto refused = RunCommand({TicklakeBinary(), "console", "-b", broker.bootstrap(), "--listen",
                             "0.0.0.0:0", "--catalog", (dir.path() / "c.db").string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("without a token"), std::string::npos) << refused.err;

  Subprocess process(
      {TicklakeBinary(), "console", "-b", broker.bootstrap(), "--listen", "0.0.0.0:0", "--catalog",
       (dir.path() / "c.db").string(), "--data-dir", (dir.path() / "data").string()},
      dir.path(), {"TICKLAKE_CONSOLE_TOKEN=s3cret-token"});
  std::smatch m;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::string err = process.Stderr();
        return std::regex_search(err, m, std::regex("serving http://0.0.0.0:([0-9]+)/"));
      },
      std::chrono::seconds(30)))
      << process.Stderr();
  httplib::Client client("127.0.0.1", std::stoi(m[1]));
  for (const char* path : {"/", "/assets/app.js", "/api/live", "/api/catalog", "/api/history",
                           "/metrics", "/healthz", "/no/such/page"}) {
    EXPECT_EQ(Status(client.Get(path)), 401) << path;
    EXPECT_EQ(Status(client.Get(path, {{"Authorization", "Bearer wrong-token"}})), 401) << path;
    EXPECT_EQ(Status(client.Get(std::string(path) + "?token=s3cret-tokeN")), 401) << path;
  }
  EXPECT_EQ(Status(client.Post("/api/query", R"({"sql":"SELECT 1"})", "application/json")), 401);
  EXPECT_EQ(Status(client.Post("/api/crawl", "", "application/json")), 401);

  EXPECT_EQ(Status(client.Get("/healthz", {{"Authorization", "Bearer s3cret-token"}})), 200);
  auto page = client.Get("/?token=s3cret-token");
  ASSERT_EQ(Status(page), 200);
  EXPECT_NE(page->body.find("ticklake console"), std::string::npos);
  std::string cookie = page->get_header_value("Set-Cookie");
  ASSERT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  // The page's own requests carry the cookie.
  EXPECT_EQ(Status(client.Get("/api/live", {{"Cookie", cookie.substr(0, cookie.find(';'))}})), 200);
}

TEST(ConsoleTest, ApiAnswersBadInputClearlyAndKeepsServing) {
  TempDir dir("ticklake-console");
  BrokerProcess broker(dir.path());
  auto produced = RunCommand(
      {TicklakeBinary(), "produce", "-b", broker.bootstrap(), "--count", "2000", "--rate", "max"});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  std::string lake = (dir.path() / "lake").string();
  auto sink =
      RunCommand({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--lake", lake, "-e"});
  ASSERT_EQ(sink.exit_code, 0) << sink.err;
  ConsoleProcess console(dir.path(), {"-b", broker.bootstrap(), "--lake", lake});
  auto client = console.Client();

  // No tables before a crawl: the query says so; the crawl button's endpoint creates them.
  auto before = client.Post("/api/query", R"({"sql":"SELECT count(*) FROM stock_market"})",
                            "application/json");
  EXPECT_EQ(Status(before), 400);
  EXPECT_NE(Body(before).find("stock_market"), std::string::npos) << Body(before);
  auto crawl = client.Post("/api/crawl", "", "application/json");
  ASSERT_EQ(Status(crawl), 200) << Body(crawl);
  EXPECT_NE(Body(crawl).find("\"tables_created\":1"), std::string::npos) << Body(crawl);

  auto bad = client.Post("/api/query", R"({"sql":"SELEC count(*) FROM stock_market"})",
                         "application/json");
  EXPECT_EQ(Status(bad), 400);
  EXPECT_NE(Body(bad).find(R"(syntax error at or near \"SELEC\")"), std::string::npos) << Body(bad);
  EXPECT_EQ(Status(client.Post("/api/query", "SELECT 1", "text/plain")), 400);
  EXPECT_EQ(Status(client.Post("/api/query", R"({"query":"SELECT 1"})", "application/json")), 400);
  auto refused =
      client.Post("/api/query", R"({"sql":"COPY (SELECT 1) TO '/tmp/x.csv'"})", "application/json");
  EXPECT_EQ(Status(refused), 400) << Body(refused);

  auto good = client.Post("/api/query", R"({"sql":"SELECT count(*) AS n FROM stock_market"})",
                          "application/json");
  ASSERT_EQ(Status(good), 200) << Body(good);
  EXPECT_NE(Body(good).find(R"("rows":[["2000"]])"), std::string::npos) << Body(good);
  std::smatch m;
  std::string good_body = Body(good);
  ASSERT_TRUE(std::regex_search(good_body, m, std::regex(R"re("csv":"([^"]+)")re")));
  auto csv = client.Get(m[1].str());
  ASSERT_EQ(Status(csv), 200);
  EXPECT_EQ(csv->body, "n\n2000\n");
  EXPECT_EQ(Status(client.Get("/api/results/../../catalog.db")), 404);
  EXPECT_EQ(Status(client.Get("/api/results/00000000-0000-0000-0000-000000000000.csv")), 404);
  EXPECT_EQ(Status(client.Get("/assets/../catalog.db")), 404);

  auto foreign = client.Post("/api/query", {{"Origin", "http://evil.example"}},
                             R"({"sql":"SELECT 1"})", "application/json");
  EXPECT_EQ(Status(foreign), 403);
  EXPECT_EQ(Status(client.Get("/api/table")), 400);
  auto table = client.Get("/api/table?database=default&name=nope");
  EXPECT_EQ(Status(table), 404);
  EXPECT_NE(Body(table).find("no table default.nope"), std::string::npos);
  auto history = client.Get("/api/history");
  EXPECT_NE(Body(history).find("\"FAILED\""), std::string::npos);
  EXPECT_NE(Body(history).find("\"SUCCEEDED\""), std::string::npos);
  EXPECT_EQ(Status(client.Get("/healthz")), 200);

  // The console's own metrics count those queries and the crawl.
  std::string parsed = ParsePrometheus(dir.path(), Body(client.Get("/metrics")));
  EXPECT_GE(Sample(parsed, R"(ticklake_query_queries_total{state="FAILED"})"), 3);
  EXPECT_GE(Sample(parsed, R"(ticklake_query_queries_total{state="SUCCEEDED"})"), 1);
  EXPECT_EQ(Sample(parsed, R"(ticklake_crawl_runs_total{state="succeeded"})"), 1);
  EXPECT_GE(Sample(parsed, R"(ticklake_query_seconds_count{state="SUCCEEDED"})"), 1);
}

TEST(ConsoleTest, SinkAndProducerMetricsParseAsPrometheusText) {
  TempDir dir("ticklake-console");
  BrokerProcess broker(dir.path());
  Subprocess producer({TicklakeBinary(), "produce", "-b", broker.bootstrap(), "--rate", "1000",
                       "--duration", "600", "--metrics-listen", "127.0.0.1:0"},
                      dir.path());
  Subprocess sink(
      {TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--lake", (dir.path() / "lake").string(),
       "--flush-interval", "1", "--metrics-listen", "127.0.0.1:0"},
      dir.path());
  auto port_of = [](Subprocess& p) {
    std::smatch m;
    std::string err;
    EXPECT_TRUE(WaitFor(
        [&] {
          err = p.Stderr();
          return std::regex_search(err, m, std::regex("metrics on http://127.0.0.1:([0-9]+)/"));
        },
        std::chrono::seconds(30)))
        << err;
    return m.empty() ? 0 : std::stoi(m[1]);
  };
  httplib::Client sink_client("127.0.0.1", port_of(sink));
  httplib::Client producer_client("127.0.0.1", port_of(producer));
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = sink_client.Get("/metrics");
        // The flush histogram is observed after the flush's commits: wait for both.
        return r &&
               std::regex_search(r->body,
                                 std::regex("ticklake_sink_records_written_total [1-9]")) &&
               std::regex_search(r->body, std::regex("ticklake_sink_flush_seconds_count [1-9]"));
      },
      std::chrono::seconds(60)));
  std::string parsed = ParsePrometheus(dir.path(), Body(sink_client.Get("/metrics")));
  EXPECT_GT(Sample(parsed, "ticklake_sink_records_written_total{}"), 0);
  EXPECT_GT(Sample(parsed, "ticklake_sink_files_total{}"), 0);
  EXPECT_GT(Sample(parsed, "ticklake_sink_flush_seconds_count{}"), 0);
  EXPECT_EQ(Sample(parsed, "ticklake_sink_error_records_total{}"), 0);
  EXPECT_NE(parsed.find("# family ticklake_sink_flush_seconds histogram"), std::string::npos);

  parsed = ParsePrometheus(dir.path(), Body(producer_client.Get("/metrics")));
  EXPECT_GT(Sample(parsed, "ticklake_produce_records_acknowledged_total{}"), 0);
  EXPECT_GT(Sample(parsed, R"(ticklake_produce_delivery_seconds_bucket{le="+Inf"})"), 0);
  EXPECT_EQ(Status(sink_client.Get("/healthz")), 200);

  auto bad = RunCommand({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--metrics-listen",
                         "127.0.0.1:notaport"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--metrics-listen 127.0.0.1:notaport"), std::string::npos) << bad.err;
  auto beyond = RunCommand(
      {TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--metrics-listen", "0.0.0.0:0"});
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.err.find("TICKLAKE_CONSOLE_TOKEN"), std::string::npos) << beyond.err;
}

}  // namespace
}  // namespace ticklake::test
