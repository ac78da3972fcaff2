#include "catalog/crawler.h"

#include <gtest/gtest.h>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "store/memory_store.h"

namespace ticklake::catalog {
namespace {

// A Parquet file's bytes, written by DuckDB from `select`.
std::string ParquetBytes(const std::string& select) {
  TempDir dir;
  duck::Database db;
  duck::Connection conn(db);
  std::string path = (dir.path() / "f.parquet").string();
  conn.Query("COPY (" + select + ") TO " + duck::QuoteLiteral(path) + " (FORMAT parquet)");
  return ReadWholeFile(path);
}

struct Fixture {
  TempDir dir;
  MemoryStore lake;  // no local paths: exercises the download cache as an S3 lake would
  Catalog catalog{dir.path() / "catalog.db"};
  CrawlOptions options;
  Fixture() {
    options.cache_dir = dir.path() / "cache";
    options.root_table_name = "tutorial";
  }
};

}  // namespace

TEST(Crawler, BuildsTablesPartitionsAndSkipsHiddenFiles) {
  Fixture f;
  f.lake.Put("trades/index=HSI/part-00000-00000000000000000000.parquet",
             ParquetBytes("SELECT 1::INT AS \"Open\", 2::BIGINT AS \"Volume\""));
  f.lake.Put("trades/index=NYA/part-00001-00000000000000000000.parquet",
             ParquetBytes("SELECT 1.5::DOUBLE AS \"Open\", 2::BIGINT AS \"Volume\""));
  f.lake.Put("trades/index=__HIVE_DEFAULT_PARTITION__/part-00002-00000000000000000000.parquet",
             ParquetBytes("SELECT 1::INT AS \"Open\", 3::BIGINT AS \"Volume\""));
  f.lake.Put("stock_market_1.json", "{\"Index\":\"HSI\",\"Close\":1.5}");
  f.lake.Put("stock_market_2.json", "{\"Index\":\"NYA\",\"Close\":2}");
  f.lake.Put("_ticklake/staging/x.parquet", "not parquet");
  f.lake.Put("_errors/bad.json", "{");
  f.lake.Put("trades/.hidden.json", "{");
  CrawlSummary s = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(s.tables_created, 2);
  EXPECT_EQ(s.partitions_added, 3);
  EXPECT_EQ(s.files_read, 5);
  EXPECT_EQ(s.errors, 0);
  // Parquet schemas of a remote lake come from footer ranges: nothing is downloaded whole.
  size_t cached = 0;
  if (std::filesystem::exists(f.options.cache_dir)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(f.options.cache_dir)) {
      cached += e.is_regular_file();
    }
  }
  EXPECT_EQ(cached, 0u);
  auto trades = f.catalog.GetTable("default", "trades");
  ASSERT_TRUE(trades);
  EXPECT_EQ(trades->classification, "parquet");
  ASSERT_EQ(trades->columns.size(), 2u);
  EXPECT_EQ(trades->columns[0], (Column{"open", "double", "Open"}));  // int + double
  ASSERT_EQ(trades->partition_keys.size(), 1u);
  EXPECT_EQ(trades->partition_keys[0].name, "index");
  EXPECT_EQ(trades->record_count, 3);
  auto tutorial = f.catalog.GetTable("default", "tutorial");
  ASSERT_TRUE(tutorial);
  EXPECT_EQ(tutorial->classification, "json");
  EXPECT_EQ(tutorial->location, "");
  EXPECT_EQ(tutorial->columns[1].type, "double");
}

TEST(Crawler, RecrawlReadsOnlyChangedFilesAndVersionsSchemaChanges) {
  Fixture f;
  f.lake.Put("events/a.jsonl", "{\"id\":1}\n");
  f.lake.Put("events/b.jsonl", "{\"id\":2}\n");
  CrawlSummary first = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(first.files_read, 2);
  CrawlSummary again = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(again.files_read, 0);
  EXPECT_EQ(again.files_unchanged, 2);
  EXPECT_EQ(again.tables_updated, 0);
  f.lake.Put("events/c.jsonl", "{\"id\":3,\"note\":\"new\"}\n");
  CrawlSummary third = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(third.files_read, 1);
  EXPECT_EQ(third.tables_updated, 1);
  auto history = f.catalog.History("default", "events");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].change, "added note");
  EXPECT_EQ(f.catalog.GetTable("default", "events")->version, 2);
}

TEST(Crawler, LogModeKeepsTheSchema) {
  Fixture f;
  f.lake.Put("events/a.jsonl", "{\"id\":1}\n");
  Crawl(f.lake, f.catalog, f.options);
  f.lake.Put("events/b.jsonl", "{\"id\":2,\"x\":1}\n");
  f.options.on_schema_change = OnSchemaChange::kLog;
  CrawlSummary s = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(f.catalog.GetTable("default", "events")->columns.size(), 1u);
  ASSERT_FALSE(s.notes.empty());
  EXPECT_NE(s.notes[0].message.find("not applied"), std::string::npos);
}

TEST(Crawler, DeprecatesOrDeletesVanishedTables) {
  Fixture f;
  f.lake.Put("a/x.jsonl", "{\"id\":1}\n");
  f.lake.Put("b/x.jsonl", "{\"id\":1}\n");
  Crawl(f.lake, f.catalog, f.options);
  f.lake.Delete("a/x.jsonl");
  CrawlSummary s = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(s.tables_deleted, 1);
  EXPECT_EQ(f.catalog.GetTable("default", "a")->state, "deprecated");
  f.lake.Delete("b/x.jsonl");
  f.options.on_delete = OnDelete::kDelete;
  Crawl(f.lake, f.catalog, f.options);
  EXPECT_FALSE(f.catalog.GetTable("default", "b"));
}

TEST(Crawler, CorruptFilesAreErrorsAndTheCrawlContinues) {
  Fixture f;
  f.lake.Put("t/part-0.parquet", ParquetBytes("SELECT 1 AS a"));
  f.lake.Put("t/part-1.parquet", "PAR1 truncated");
  f.lake.Put("j/a.jsonl", "{\"a\":1}\n{oops\n");
  f.lake.Put("j/b.jsonl", "{\"a\":2}\n");
  CrawlSummary s = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(s.errors, 2);
  EXPECT_EQ(s.tables_created, 2);
  EXPECT_EQ(f.catalog.ListFiles("default", "t").size(), 1u);
  EXPECT_EQ(f.catalog.ListFiles("default", "j").size(), 1u);
  bool saw_json = false;
  for (const auto& e : s.error_messages) {
    if (e.path == f.lake.UriOf("j/a.jsonl"))
      saw_json = e.message.find("line 2") != std::string::npos;
  }
  EXPECT_TRUE(saw_json);
}

TEST(Crawler, SplitsIncompatibleFoldersAndNamesUnnamedLevels) {
  Fixture f;
  f.lake.Put("mixed/quotes/q.jsonl", "{\"bid\":1,\"ask\":2,\"sym\":\"x\"}\n");
  f.lake.Put("mixed/trades/t.jsonl", "{\"price\":1,\"qty\":2,\"venue\":\"y\"}\n");
  f.lake.Put("daily/2024/01/x.jsonl", "{\"v\":1}\n");
  f.lake.Put("daily/2024/02/x.jsonl", "{\"v\":2}\n");
  f.options.exclude = {"*.tmp"};
  f.lake.Put("daily/2024/02/y.tmp", "junk");
  Crawl(f.lake, f.catalog, f.options);
  EXPECT_TRUE(f.catalog.GetTable("default", "mixed_quotes"));
  EXPECT_TRUE(f.catalog.GetTable("default", "mixed_trades"));
  auto daily = f.catalog.GetTable("default", "daily");
  ASSERT_TRUE(daily);
  ASSERT_EQ(daily->partition_keys.size(), 2u);
  EXPECT_EQ(daily->partition_keys[0].name, "partition_0");
  EXPECT_EQ(daily->partition_keys[0].type, "int");
  EXPECT_EQ(f.catalog.ListPartitions("default", "daily").size(), 2u);
}

TEST(Crawler, ReadsGzipJsonAndCsv) {
  Fixture f;
  {
    TempDir tmp;
    duck::Database db;
    duck::Connection conn(db);
    std::string path = (tmp.path() / "x.jsonl.gz").string();
    conn.Query("COPY (SELECT range AS id, 'r' || range AS name FROM range(5)) TO " +
               duck::QuoteLiteral(path) + " (FORMAT json, COMPRESSION gzip)");
    f.lake.Put("gz/x.jsonl.gz", ReadWholeFile(path));
  }
  f.lake.Put("csv/a.csv", "Sym|Price\nHSI|1.5\nNYA|2\n");
  CrawlSummary s = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(s.errors, 0) << (s.error_messages.empty() ? "" : s.error_messages[0].message);
  auto gz = f.catalog.GetTable("default", "gz");
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->compression, "gzip");
  EXPECT_EQ(gz->record_count, 5);
  EXPECT_EQ(gz->columns[1], (Column{"name", "string", "name"}));
  auto csv = f.catalog.GetTable("default", "csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->serde_parameters.at("field.delim"), "|");
  EXPECT_EQ(csv->columns[1], (Column{"price", "double", "Price"}));
  EXPECT_EQ(csv->record_count, 2);
}

}  // namespace ticklake::catalog

namespace ticklake::catalog {

// Glue leaves an unchanged table untouched: a re-crawl with nothing new keeps "updated".
TEST(Crawler, UnchangedTableKeepsItsUpdatedTime) {
  Fixture f;
  f.lake.Put("t/a.parquet", ParquetBytes("SELECT 1 AS v"));
  Crawl(f.lake, f.catalog, f.options);
  TableInfo t = *f.catalog.GetTable("default", "t");
  t.updated_ms = 1000;  // as if crawled long ago
  f.catalog.SaveTable(t);
  CrawlSummary again = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(again.tables_updated, 0);
  EXPECT_EQ(f.catalog.GetTable("default", "t")->updated_ms, 1000);
  f.lake.Put("t/b.parquet", ParquetBytes("SELECT 2 AS v"));
  CrawlSummary changed = Crawl(f.lake, f.catalog, f.options);
  EXPECT_EQ(changed.tables_updated, 1);
  EXPECT_GT(f.catalog.GetTable("default", "t")->updated_ms, 1000);
}

// The sink's update after each commit folds into one run per session (CrawlOptions::continue_run).
TEST(Crawler, ContinuedRunsFoldIntoOneRunWithCounts) {
  Fixture f;
  Crawl(f.lake, f.catalog, f.options);  // a user's crawl
  CrawlOptions sink = f.options;
  sink.folder = "t";
  sink.source = "sink t";
  for (int i = 0; i < 5; ++i) {
    f.lake.Put("t/f" + std::to_string(i) + ".parquet", ParquetBytes("SELECT 1 AS v"));
    sink.continue_run = Crawl(f.lake, f.catalog, sink).crawl_id;
  }
  std::vector<CrawlRun> runs = f.catalog.ListCrawls("default", 10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].source, "sink t");
  EXPECT_EQ(runs[0].updates, 5);
  EXPECT_EQ(runs[0].files_read, 5);
  EXPECT_EQ(runs[0].tables_created, 1);
  EXPECT_EQ(runs[0].tables_updated, 4);
  EXPECT_EQ(runs[0].state, "succeeded");
  EXPECT_EQ(runs[1].source, "crawler");
  EXPECT_EQ(runs[1].updates, 1);
  // Another source's run is never continued: a new run is recorded.
  CrawlOptions user = f.options;
  user.continue_run = runs[0].id;
  EXPECT_NE(Crawl(f.lake, f.catalog, user).crawl_id, runs[0].id);
}

}  // namespace ticklake::catalog
