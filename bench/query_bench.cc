// query_bench: the query engine over our own Parquet layout and over the tutorial's
// one-object-per-file JSON layout.
//
//   build/query_bench [--rows 10000000] [--json-files 100000] [--runs 5] [--dir DIR]
//
// Builds both lakes in a temporary directory (or DIR, kept): the sink's layout with DuckDB
// COPY ... PARTITION_BY ("index") (zstd Parquet, 14 indices; "Close" pseudo-random with 1M
// distinct values, so the scanned column does not collapse into a tiny dictionary), and
// --json-files files
// stock_market_<n>.json in a second lake's root, each one JSON object as the tutorial's consumer
// writes. Crawls both with the real crawler, then runs
//   SELECT "index", count(*), avg(close) FROM <table> GROUP BY 1
// --runs times through QueryEngine (results not saved), printing the first (cold: view creation
// reads every footer / file list) and the median of the rest, rows/s and the ratio.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "common/duckdb.h"
#include "common/file_util.h"
#include "query/query_engine.h"
#include "store/local_store.h"

namespace ticklake {
namespace {
namespace fs = std::filesystem;

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds (user + system, all threads) used by this process so far: steadier than wall time
// on a shared machine.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

const char* kIndices[] = {"NYA",    "IXIC", "HSI",   "000001.SS", "N225", "N100", "399001.SZ",
                          "GSPTSE", "NSEI", "GDAXI", "KS11",      "SSMI", "TWII", "J203.JO"};

void BuildParquetLake(const fs::path& lake, int64_t rows) {
  duck::Database db;
  duck::Connection conn(db);
  std::string indices = "[";
  for (const char* i : kIndices) indices += fmt::format("{}'{}'", indices.size() > 1 ? "," : "", i);
  indices += "]";
  fs::create_directories(lake / "stock_market");
  conn.Query(fmt::format(
      "COPY (SELECT DATE '1990-01-01' + (i // 14)::INT % 12000 AS \"Date\", "
      "(1000 + i % 997)::DOUBLE AS \"Open\", (1010 + i % 991)::DOUBLE AS \"High\", "
      "(990 + i % 983)::DOUBLE AS \"Low\", 1000 + (hash(i) % 1000000) / 100.0 AS \"Close\", "
      "(1000 + i % 1009)::DOUBLE AS \"Adj Close\", (i % 100000)::BIGINT AS \"Volume\", "
      "((1000 + i % 1009) * 0.13)::DOUBLE AS \"CloseUSD\", TIMESTAMP '2024-01-01' + to_seconds(i) "
      "AS ts, "
      "'stock_market' AS kafka_topic, (i % 6)::INTEGER AS kafka_partition, i AS kafka_offset, "
      "TIMESTAMP '2024-01-01' + to_seconds(i) AS kafka_timestamp, {}[(i % 14) + 1] AS \"index\" "
      "FROM range({}) t(i)) TO {} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (\"index\"), "
      "FILENAME_PATTERN 'part-00000-0000000000000000000{{i}}')",
      indices, rows, duck::QuoteLiteral((lake / "stock_market").string())));
}

void BuildTutorialLake(const fs::path& lake, int files) {
  fs::create_directories(lake);
  for (int n = 0; n < files; ++n) {
    double close = 1000 + n % 1009;
    std::ofstream(lake / fmt::format("stock_market_{}.json", n)) << fmt::format(
        "{{\"Index\": \"{}\", \"Date\": \"{}-{:02d}-{:02d}\", \"Open\": {:.1f}, \"High\": "
        "{:.1f}, \"Low\": {:.1f}, \"Close\": {:.1f}, \"Adj Close\": {:.1f}, \"Volume\": "
        "{:.1f}, \"CloseUSD\": {:.4f}}}",
        kIndices[n % 14], 1990 + n % 30, n % 12 + 1, n % 28 + 1, close - 3, close + 10, close - 10,
        close, close, static_cast<double>(n % 100000), close * 0.13);
  }
}

struct Timing {
  double crawl = 0, cold = 0, warm_median = 0, cpu_median = 0;
  int64_t rows = 0;
};

Timing Measure(const fs::path& lake_dir, const fs::path& work, const std::string& table, int runs) {
  Timing t;
  LocalStore lake(lake_dir);
  catalog::Catalog cat(work / (table + ".catalog.db"));
  auto start = std::chrono::steady_clock::now();
  catalog::CrawlOptions crawl;
  crawl.cache_dir = work / "cache";
  catalog::CrawlSummary s = catalog::Crawl(lake, cat, crawl);
  t.crawl = Seconds(start);
  if (s.errors) fmt::print(stderr, "crawl errors: {}\n", s.errors);
  t.rows = cat.GetTable("default", table)->record_count;
  query::QueryEngineOptions options;
  options.data_dir = work / "data";
  options.save_results = false;
  query::QueryEngine engine(cat, lake, options);
  std::string sql = fmt::format("SELECT \"index\", count(*), avg(close) FROM {} GROUP BY 1", table);
  std::vector<double> warm, cpu;
  for (int i = 0; i < runs; ++i) {
    start = std::chrono::steady_clock::now();
    double cpu_start = CpuSeconds();
    query::QueryResult r = engine.Run(sql);
    double secs = Seconds(start);
    if (i > 0) cpu.push_back(CpuSeconds() - cpu_start);
    if (r.rows.size() != 14) fmt::print(stderr, "unexpected {} groups\n", r.rows.size());
    fmt::print("  {} run {}: {:.3f} s\n", table, i + 1, secs);
    if (i == 0) {
      t.cold = secs;
    } else {
      warm.push_back(secs);
    }
  }
  t.warm_median = warm.empty() ? t.cold : Median(warm);
  t.cpu_median = Median(cpu);
  return t;
}

int Main(int argc, char** argv) {
  int64_t rows = 10'000'000;
  int json_files = 100'000;
  int runs = 5;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows"))
      rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--json-files"))
      json_files = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--runs"))
      runs = std::max(2, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
  }
  std::unique_ptr<TempDir> temp;
  fs::path work = dir;
  if (dir.empty()) {
    temp = std::make_unique<TempDir>("ticklake-bench");
    work = temp->path();
  }
  fs::path parquet_lake = work / "lake", tutorial_lake = work / "tutorial";
  auto start = std::chrono::steady_clock::now();
  if (!fs::exists(parquet_lake / "stock_market")) BuildParquetLake(parquet_lake, rows);
  fmt::print("built Parquet lake: {} rows in {:.2f} s\n", rows, Seconds(start));
  start = std::chrono::steady_clock::now();
  if (!fs::exists(tutorial_lake)) BuildTutorialLake(tutorial_lake, json_files);
  fmt::print("built tutorial lake: {} files in {:.2f} s\n", json_files, Seconds(start));

  Timing p = Measure(parquet_lake, work, "stock_market", runs);
  Timing j = Measure(tutorial_lake, work, "tutorial", runs);
  auto line = [](const char* name, const Timing& t) {
    fmt::print(
        "{:<34} rows {:>10}  crawl {:7.3f} s  first {:7.3f} s  median {:7.3f} s "
        "(cpu {:6.3f} s)  {:>12.0f} rows/s\n",
        name, t.rows, t.crawl, t.cold, t.warm_median, t.cpu_median, t.rows / t.warm_median);
  };
  line("parquet (sink layout)", p);
  line("json (tutorial, 1 object per file)", j);
  double per_row_ratio = (j.warm_median / j.rows) / (p.warm_median / p.rows);
  fmt::print("per-row cost ratio json/parquet: {:.0f}x; parquet goal <= 0.3 s: {}\n", per_row_ratio,
             p.warm_median <= 0.3 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace ticklake

int main(int argc, char** argv) {
  try {
    return ticklake::Main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "query_bench: {}\n", e.what());
    return 1;
  }
}
