#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake::catalog {

TableInfo SampleTable() {
  TableInfo t;
  t.database = "default";
  t.name = "stock_market";
  t.lake_uri = "/lake";
  t.location = "stock_market/";
  t.classification = "parquet";
  t.serde = "serde";
  t.input_format = "in";
  t.output_format = "out";
  t.serde_parameters = {{"k", "v \"quoted\""}};
  t.compression = "zstd";
  t.columns = {{"date", "date", "Date"}, {"adj close", "double", "Adj Close"}};
  t.partition_keys = {{"index", "string", "index"}};
  t.record_count = 10;
  t.size_bytes = 1000;
  t.file_count = 2;
  return t;
}

TEST(Catalog, RoundTripsTablesPartitionsFilesAndHistory) {
  TempDir dir;
  {
    Catalog cat(dir.path() / "sub" / "catalog.db");
    Catalog::WriteTransaction txn(cat);
    cat.EnsureDatabase("default");
    TableInfo t = SampleTable();
    cat.SaveTable(t);
    cat.RecordVersion(t, 1, "created");
    t.version = 2;
    t.columns.push_back({"volume", "bigint", "Volume"});
    cat.SaveTable(t);
    cat.RecordVersion(t, 2, "added volume");
    PartitionInfo p{{std::string("HSI")}, "stock_market/index=HSI/", 1, 500, 123};
    PartitionInfo q{{std::nullopt}, "stock_market/index=__HIVE_DEFAULT_PARTITION__/", 1, 500, 124};
    EXPECT_EQ(cat.ReplacePartitions("default", "stock_market", {p, q}), 2);
    FileInfo f{"stock_market/index=HSI/part-00000-00000000000000000000.parquet",
               "stock_market/index=HSI/",
               500,
               "etag1",
               123,
               5,
               t.columns};
    cat.ReplaceFiles("default", "stock_market", {f});
    txn.Commit();
  }
  Catalog cat(dir.path() / "sub" / "catalog.db");
  EXPECT_EQ(cat.ListDatabases(), std::vector<std::string>{"default"});
  auto t = cat.GetTable("default", "stock_market");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->version, 2);
  ASSERT_EQ(t->columns.size(), 3u);
  EXPECT_EQ(t->columns[1], (Column{"adj close", "double", "Adj Close"}));
  EXPECT_EQ(t->partition_keys.size(), 1u);
  EXPECT_EQ(t->serde_parameters.at("k"), "v \"quoted\"");
  EXPECT_EQ(t->AverageRecordSize(), 100);
  auto history = cat.History("default", "stock_market");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].columns.size(), 2u);
  EXPECT_EQ(history[1].change, "added volume");
  auto partitions = cat.ListPartitions("default", "stock_market");
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_EQ(partitions[0].values[0], "HSI");
  EXPECT_FALSE(partitions[1].values[0].has_value());
  auto files = cat.ListFiles("default", "stock_market");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].etag, "etag1");
  EXPECT_EQ(files[0].schema.size(), 3u);
  EXPECT_EQ(files[0].schema[1].source_name, "Adj Close");
  EXPECT_FALSE(cat.GetTable("default", "nope"));
  cat.DeleteTable("default", "stock_market");
  EXPECT_FALSE(cat.GetTable("default", "stock_market"));
  EXPECT_TRUE(cat.ListFiles("default", "stock_market").empty());
}

TEST(Catalog, RecordsCrawlsAndQueries) {
  TempDir dir;
  Catalog cat(dir.path() / "c.db");
  CrawlRun run;
  run.id = cat.StartCrawl("default", "/lake");
  run.database = "default";
  run.state = "succeeded";
  run.tables_created = 2;
  run.errors = {{"/lake/x.json", "line 3: invalid JSON"}};
  {
    Catalog::WriteTransaction txn(cat);
    cat.FinishCrawl(run);
    txn.Commit();
  }
  auto crawls = cat.ListCrawls("default", 5);
  ASSERT_EQ(crawls.size(), 1u);
  EXPECT_EQ(crawls[0].tables_created, 2);
  ASSERT_EQ(crawls[0].errors.size(), 1u);
  EXPECT_EQ(crawls[0].errors[0].message, "line 3: invalid JSON");
  cat.RecordQuery({"id-1", "default", "SELECT 1", "SUCCEEDED", 1, 2, 1, 0, "", "/r.csv"});
  auto queries = cat.ListQueries(10);
  ASSERT_EQ(queries.size(), 1u);
  EXPECT_EQ(queries[0].sql, "SELECT 1");
}

// Catalogs written before crawl runs had a source get the columns when opened.
TEST(Catalog, OlderCatalogGetsTheCrawlSourceColumns) {
  TempDir dir;
  std::filesystem::path path = dir.path() / "c.db";
  { Catalog cat(path); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "ALTER TABLE crawls DROP COLUMN source; ALTER TABLE crawls DROP COLUMN "
                         "updates; INSERT INTO crawls(database, lake_uri, started_ms, state) "
                         "VALUES('default', '/lake', 1, 'succeeded')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  Catalog cat(path);
  auto crawls = cat.ListCrawls("default", 5);
  ASSERT_EQ(crawls.size(), 1u);
  EXPECT_EQ(crawls[0].source, "crawler");
  EXPECT_EQ(crawls[0].updates, 1);
  int64_t id = cat.StartCrawl("default", "/lake", "sink t");
  EXPECT_EQ(cat.GetCrawl(id)->source, "sink t");
  EXPECT_FALSE(cat.GetCrawl(id + 1));
}

TEST(Catalog, MissingCatalogIsAClearError) {
  TempDir dir;
  try {
    Catalog::OpenExisting(dir.path() / "none.db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no catalog at"), std::string::npos);
  }
}

TEST(Catalog, TwoWritersSerialiseInsteadOfFailing) {
  TempDir dir;
  Catalog(dir.path() / "c.db");
  auto writer = [&](int id) {
    Catalog cat(dir.path() / "c.db");
    for (int i = 0; i < 20; ++i) {
      Catalog::WriteTransaction txn(cat);
      TableInfo t = SampleTable();
      t.name = "t" + std::to_string(id) + "_" + std::to_string(i);
      cat.SaveTable(t);
      txn.Commit();
    }
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  Catalog cat(dir.path() / "c.db");
  EXPECT_EQ(cat.ListTables("default").size(), 40u);
}

}  // namespace ticklake::catalog
