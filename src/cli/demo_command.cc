// `ticklake demo`: the whole pipeline on one machine — embedded broker, producer and sink at the
// same time (talking Kafka over TCP, never in memory), then crawl and example queries.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/stop.h"
#include "console/console_server.h"
#include "iceberg/table.h"
#include "kafka/embedded_broker.h"
#include "lake/sink.h"
#include "market/feed.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "store/object_store.h"

namespace ticklake::cli {
namespace fs = std::filesystem;
namespace {

struct DemoOptions {
  std::string data_dir = "ticklake-data";
  double duration_s = 15;
  double rate = 5000;
  int partitions = 6;
  std::string topic = "stock_market";
  bool console = false;  // serve the web console, and keep the market running after the demo
  std::string listen = "127.0.0.1:8080";
  std::string table_format = "hive";  // or iceberg: the sink writes an Iceberg table
};

// Runs `body` on a thread and keeps the exception it throws, so the demo can report it.
class StageThread {
 public:
  template <typename F>
  explicit StageThread(F body)
      : thread_([this, body = std::move(body)]() mutable {
          try {
            body();
          } catch (const std::exception& e) {
            error_ = e.what();
          }
          done_ = true;
        }) {}
  ~StageThread() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_; }
  void Join(const char* stage) {
    thread_.join();
    if (!error_.empty()) Fail("{} failed: {}", stage, error_);
  }

 private:
  std::string error_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void PrintQuery(query::QueryEngine& engine, const std::string& title, const std::string& sql) {
  fmt::print("\n{}\n  {}\n", title, sql);
  query::QueryResult result = engine.Run(sql);
  fmt::print("{}", query::FormatResult(result, query::OutputFormat::kTable));
}

// After the demo, with --console: the market and the sink keep running (1,000 ticks/s at most)
// so the console stays live, until Ctrl-C.
void KeepMarketRunning(const DemoOptions& opts, lake::SinkOptions sink,
                       console::ConsoleServer& console) {
  fmt::print("\nThe market keeps running for the web console at {} — Ctrl-C stops.\n",
             console.Url());
  sink.drain_on_stop = false;
  StageThread sink_thread([&] { lake::RunSink(sink, [] { return StopRequested(); }); });
  market::FeedOptions feed;
  feed.bootstrap = sink.bootstrap;
  feed.topic = opts.topic;
  feed.rate = std::min(opts.rate, 1000.0);
  feed.duration_s = -1;  // until stopped
  StageThread feed_thread([&] { market::RunFeed(feed, [] { return StopRequested(); }); });
  feed_thread.Join("the producer");
  sink_thread.Join("the sink");
}

// With --table-format iceberg there is nothing to crawl: the sink's commits are the table's
// snapshots, which the query engine reads directly.
void DescribeIcebergTable(ObjectStore& store, const fs::path& catalog_path,
                          const std::string& topic) {
  iceberg::SqlCatalog catalog(catalog_path.string());
  auto table = iceberg::Table::Load(catalog, store, {"default", topic});
  if (!table)
    Fail("the sink created no Iceberg table default.{} in {}", topic, catalog_path.string());
  fmt::print("4. Iceberg table default.{}: {} snapshots, {} data files, metadata {}\n", topic,
             table->metadata().snapshots.size(), table->Plan().files.size(),
             table->metadata_location());
}

int RunDemo(const DemoOptions& opts) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep stdout and the stderr progress in order
  bool tty = isatty(STDERR_FILENO);
  fs::path data = opts.data_dir;
  fs::path lake_dir = data / "lake";
  fs::path catalog_path = data / "catalog.db";
  // The embedded broker starts empty, so the lake and catalog of an earlier demo no longer match
  // it (the sink would refuse a lake that is ahead of the topic): start from scratch.
  for (const fs::path& old :
       {lake_dir, catalog_path, data / "catalog.db-wal", data / "catalog.db-shm"}) {
    fs::remove_all(old);
  }
  fs::create_directories(lake_dir);

  fmt::print("ticklake demo: market feed -> Kafka -> lake -> crawler -> catalog -> SQL\n");
  kafka::EmbeddedBroker broker(3, {{opts.topic, opts.partitions}});
  fmt::print("1. embedded Kafka broker (3 brokers, topic {} with {} partitions) at {}\n",
             opts.topic, opts.partitions, broker.bootstrap());
  std::unique_ptr<console::ConsoleServer> console;
  if (opts.console) {
    console::ConsoleOptions c;
    c.bootstrap = broker.bootstrap();
    c.topic = opts.topic;
    c.groups = {"ticklake-demo"};
    c.listen = opts.listen;
    if (const char* token = std::getenv("TICKLAKE_CONSOLE_TOKEN")) c.token = token;
    c.catalog = catalog_path;
    c.lake = lake_dir.string();
    c.data_dir = data;
    console = std::make_unique<console::ConsoleServer>(c);
    console->Start();
    fmt::print("   web console: {}\n", console->Url());
  }

  lake::SinkOptions sink;
  sink.bootstrap = broker.bootstrap();
  sink.topic = opts.topic;
  sink.group = "ticklake-demo";
  sink.lake = lake_dir.string();
  sink.flush_interval_s = 2;
  sink.drain_on_stop = true;
  if (opts.console) sink.catalog = catalog_path.string();  // the console's catalog stays current
  sink.table_format = opts.table_format;
  if (opts.table_format == "iceberg") sink.catalog = catalog_path.string();
  lake::SinkStats sink_stats;
  std::atomic<bool> stop_sink{false};
  lake::SinkSummary sink_summary;
  fmt::print("2. sink: consumer group {} landing Parquet in {}/{}/{}index=<symbol>/{}\n",
             sink.group, lake_dir.string(), opts.topic,
             opts.table_format == "iceberg" ? "data/" : "",
             opts.table_format == "iceberg" ? " (an Iceberg table, a snapshot per flush)" : "");
  StageThread sink_thread([&] {
    sink_summary = lake::RunSink(
        sink, [&] { return stop_sink.load() || StopRequested(); }, &sink_stats);
  });

  market::FeedOptions feed;
  feed.bootstrap = broker.bootstrap();
  feed.topic = opts.topic;
  feed.rate = opts.rate;
  feed.duration_s = opts.duration_s;
  market::FeedSummary feed_summary;
  fmt::print("3. producer: 14 world indices simulated at {:.0f} ticks/s for {:.0f} s\n", opts.rate,
             opts.duration_s);
  StageThread feed_thread(
      [&] { feed_summary = market::RunFeed(feed, [] { return StopRequested(); }); });

  auto started = std::chrono::steady_clock::now();
  auto status = [&](bool final_line) {
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // The sink's lag is unknown (-1) while it holds no partitions: before its first assignment
    // and once it has drained and left; then the line says nothing about it.
    int64_t lag = sink_stats.lag.load();
    std::string line = fmt::format(
        "   {:5.1f} s  landed {} records in {} files ({:.1f} MB){}", t,
        sink_stats.records_written.load(), sink_stats.files_written.load(),
        static_cast<double>(sink_stats.bytes_written.load()) / 1e6,
        lag < 0 ? std::string() : fmt::format(", {} records behind the topic's end", lag));
    if (tty) {
      fmt::print(stderr, "\r\033[K{}{}", line, final_line ? "\n" : "");
    } else if (final_line) {
      fmt::print(stderr, "{}\n", line);
    }
  };
  int ticks = 0;
  while (!feed_thread.done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (++ticks % 5 == 0) status(false);
  }
  feed_thread.Join("the producer");
  status(true);
  fmt::print("   producer: {}\n", market::SummaryLine(opts.topic, feed_summary));
  stop_sink = true;  // drains up to the topic's end offsets, lands, commits
  sink_thread.Join("the sink");
  status(true);
  fmt::print("   sink: {} records landed in {} files, {} bad records, {} batches committed\n",
             sink_summary.records_written, sink_summary.files_written, sink_summary.error_records,
             sink_summary.batches_committed);
  auto store = OpenObjectStore(lake_dir.string());
  catalog::Catalog catalog(catalog_path);
  if (opts.table_format == "iceberg") {
    DescribeIcebergTable(*store, catalog_path, opts.topic);
  } else {
    catalog::CrawlOptions crawl_options;
    crawl_options.cache_dir = data / "cache";
    catalog::CrawlSummary crawl = catalog::Crawl(*store, catalog, crawl_options);
    fmt::print(
        "4. crawler: {} table(s) created, {} partitions, {} files read, {} errors in {:.2f} s -> "
        "{}\n",
        crawl.tables_created, crawl.partitions_added, crawl.files_read, crawl.errors, crawl.seconds,
        catalog_path.string());
  }

  query::QueryEngineOptions query_options;
  query_options.data_dir = data;
  query::QueryEngine engine(catalog, *store, query_options);
  fmt::print("5. queries (DuckDB over the catalog's tables):\n");
  PrintQuery(engine, "Records per index:",
             "SELECT \"index\", count(*) AS records FROM stock_market GROUP BY 1 ORDER BY 1");
  query::QueryResult total = engine.Run("SELECT count(*) FROM stock_market");
  int64_t landed = std::stoll(total.rows.at(0).at(0).value_or("0"));
  PrintQuery(engine, "Latest close per index:",
             "SELECT \"index\", arg_max(close, ts) AS close, arg_max(closeusd, ts) AS close_usd, "
             "max(ts) AS as_of "
             "FROM stock_market GROUP BY 1 ORDER BY 1");
  PrintQuery(engine, "Daily OHLC for HSI (Hang Seng):",
             "SELECT date, arg_min(open, ts) AS open, max(high) AS high, min(low) AS low, "
             "arg_max(close, ts) AS close, "
             "sum(volume) AS volume, count(*) AS ticks FROM stock_market WHERE \"index\" = 'HSI' "
             "GROUP BY 1 ORDER BY 1");

  bool exact = landed == feed_summary.acknowledged && feed_summary.failed == 0;
  fmt::print("\n{} {} records in the lake, {} acknowledged by Kafka{}\n",
             exact ? "OK:" : "MISMATCH:", landed, feed_summary.acknowledged,
             exact ? " — every record exactly once" : "");
  if (opts.table_format == "iceberg") {
    fmt::print(
        "\npyiceberg, Spark, Trino and Java read the table through the SQL catalog {} "
        "(catalog name ticklake).\n",
        catalog_path.string());
  }
  fmt::print(
      "\nExplore further:\n"
      "  build/ticklake catalog ls --catalog {0}\n"
      "  build/ticklake catalog show stock_market --catalog {0}\n"
      "  build/ticklake query --catalog {0} \"SELECT \\\"index\\\", avg(closeusd) FROM "
      "stock_market GROUP BY 1\"\n"
      "  build/ticklake broker &   # then: produce -b <bootstrap>, sink -b <bootstrap> --lake "
      "DIR\n",
      catalog_path.string());
  if (console && !StopRequested()) KeepMarketRunning(opts, sink, *console);
  return exact ? 0 : 1;
}

}  // namespace

Runner AddDemoCommand(CLI::App& app) {
  auto opts = std::make_shared<DemoOptions>();
  CLI::App* sub = app.add_subcommand(
      "demo",
      "Run the whole pipeline on this machine (embedded broker, producer, sink, crawler, queries)");
  sub->footer(
      "Examples:\n"
      "  ticklake demo --duration 5 --rate 2000\n"
      "  # prints: OK: 10000 records in the lake, 10000 acknowledged by Kafka");
  sub->add_option("--data-dir", opts->data_dir,
                  "Where the lake, catalog and results go (recreated)")
      ->capture_default_str();
  sub->add_option("--duration", opts->duration_s, "Seconds of market feed")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--rate", opts->rate, "Ticks per second")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--partitions", opts->partitions, "Partitions of the topic")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  sub->add_flag("--console", opts->console,
                "Serve the web console during the demo, and keep the market running after it "
                "until Ctrl-C");
  sub->add_option("--listen", opts->listen, "HOST:PORT of the web console (with --console)")
      ->capture_default_str();
  sub->add_option("--table-format", opts->table_format,
                  "hive (Parquet folders, crawled) or iceberg (an Apache Iceberg table)")
      ->capture_default_str()
      ->check(CLI::IsMember({"hive", "iceberg"}));
  return [opts] { return RunDemo(*opts); };
}

}  // namespace ticklake::cli
