#include "query/query_engine.h"

#include <gtest/gtest.h>

#include "catalog/crawler.h"
#include "common/error.h"
#include "common/file_util.h"
#include "store/local_store.h"
#include "store/memory_store.h"

namespace ticklake::query {
namespace {

std::string ParquetBytes(const std::string& select) {
  TempDir dir;
  duck::Database db;
  duck::Connection conn(db);
  std::string path = (dir.path() / "f.parquet").string();
  conn.Query("COPY (" + select + ") TO " + duck::QuoteLiteral(path) + " (FORMAT parquet)");
  return ReadWholeFile(path);
}

std::string Cell(const QueryResult& r, size_t row, size_t col) {
  return r.rows.at(row).at(col).value_or("NULL");
}

}  // namespace

// A lake without local files (as S3 is): objects go through the ETag-keyed cache, and partition
// values still come from the cached paths.
TEST(QueryEngine, QueriesANonLocalLakeThroughTheCache) {
  TempDir dir;
  MemoryStore lake;
  lake.Put("t/index=HSI/part-00000-00000000000000000000.parquet",
           ParquetBytes("SELECT 1.5 AS \"Adj Close\", 10::BIGINT AS \"Volume\""));
  lake.Put("t/index=a%2Fb/part-00001-00000000000000000000.parquet",
           ParquetBytes("SELECT 2.5 AS \"Adj Close\", 20::BIGINT AS \"Volume\", 'x' AS extra"));
  lake.Put("t/index=__HIVE_DEFAULT_PARTITION__/part-00002-00000000000000000000.parquet",
           ParquetBytes("SELECT 3.5 AS \"Adj Close\", 30::BIGINT AS \"Volume\""));
  lake.Put("d/2024/x.jsonl", "{\"v\":1}\n");
  catalog::Catalog cat(dir.path() / "c.db");
  catalog::CrawlOptions crawl;
  crawl.cache_dir = dir.path() / "cache";
  catalog::Crawl(lake, cat, crawl);
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  QueryEngine engine(cat, lake, options);
  QueryResult r = engine.Run(
      "SELECT \"index\", sum(\"adj close\"), max(volume), max(extra) FROM t GROUP BY 1 ORDER BY 1 "
      "NULLS LAST");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(Cell(r, 0, 0), "HSI");
  EXPECT_EQ(Cell(r, 1, 0), "a/b");
  EXPECT_EQ(Cell(r, 1, 3), "x");
  EXPECT_EQ(Cell(r, 2, 0), "NULL");
  EXPECT_EQ(Cell(r, 2, 2), "30");
  EXPECT_GT(engine.resolver().bytes_downloaded(), 0u);
  QueryResult d = engine.Run("SELECT partition_0, v FROM d");
  EXPECT_EQ(Cell(d, 0, 0), "2024");
  EXPECT_TRUE(std::filesystem::exists(r.result_location));
  EXPECT_EQ(cat.ListQueries(10).size(), 2u);
}

// The defaults are relative paths ("ticklake-data"): a non-local lake's cached files must still
// pass DuckDB's sandbox, which compares absolute paths (issue 12).
TEST(QueryEngine, RelativeDataDirWorksForANonLocalLake) {
  TempDir dir;
  MemoryStore lake;
  lake.Put("t/part-0.parquet", ParquetBytes("SELECT 42 AS v"));
  catalog::Catalog cat(dir.path() / "c.db");
  catalog::CrawlOptions crawl;
  crawl.cache_dir = dir.path() / "cache";
  catalog::Crawl(lake, cat, crawl);
  std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  std::string value, error;
  try {
    QueryEngineOptions options;
    options.data_dir = "ticklake-data";
    QueryEngine engine(cat, lake, options);
    EXPECT_TRUE(engine.options().data_dir.is_absolute());
    value = Cell(engine.Run("SELECT v FROM t"), 0, 0);
  } catch (const Error& e) {
    error = e.what();
  }
  std::filesystem::current_path(cwd);
  EXPECT_EQ(error, "");
  EXPECT_EQ(value, "42");
}

TEST(QueryEngine, ReadsOneRecordJsonFilesWhetherObjectOrArray) {
  TempDir dir;
  LocalStore lake(dir.path() / "lake");
  lake.Put("t/a.json", "{\"X\": 1, \"d\": \"2024-01-02\"}");
  lake.Put("t/b.json", "[{\"X\": 2.5}]");
  lake.Put("t/c.json", "\n  {\n \"X\": null, \"d\": \"2024-01-03\"}\n");
  catalog::Catalog cat(dir.path() / "c.db");
  catalog::Crawl(lake, cat, {});
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  QueryEngine engine(cat, lake, options);
  QueryResult r = engine.Run("SELECT sum(x), count(*), count(x), max(d) FROM t");
  EXPECT_EQ(Cell(r, 0, 0), "3.5");
  EXPECT_EQ(Cell(r, 0, 1), "3");
  EXPECT_EQ(Cell(r, 0, 2), "2");
  EXPECT_EQ(Cell(r, 0, 3), "2024-01-03");
}

TEST(QueryEngine, PrunesPartitionsBeforeDownloading) {
  TempDir dir;
  MemoryStore lake;
  for (const char* index : {"HSI", "NYA", "N225"}) {
    lake.Put(std::string("t/index=") + index + "/year=2020/part-00000-00000000000000000000.parquet",
             ParquetBytes("SELECT range AS v FROM range(1000)"));
    lake.Put(std::string("t/index=") + index + "/year=2021/part-00000-00000000000000000000.parquet",
             ParquetBytes("SELECT range AS v FROM range(1000)"));
  }
  catalog::Catalog cat(dir.path() / "c.db");
  catalog::CrawlOptions crawl;
  crawl.cache_dir = dir.path() / "crawl-cache";
  catalog::Crawl(lake, cat, crawl);
  ASSERT_EQ(cat.GetTable("default", "t")->partition_keys[1].type, "int");
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  QueryEngine engine(cat, lake, options);
  uint64_t one_file =
      lake.Head("t/index=HSI/year=2020/part-00000-00000000000000000000.parquet")->size;
  QueryResult r = engine.Run("SELECT count(*) FROM t WHERE \"index\" = 'HSI' AND year = 2021");
  EXPECT_EQ(Cell(r, 0, 0), "1000");
  EXPECT_EQ(engine.resolver().bytes_downloaded(), one_file);
  EXPECT_EQ(r.bytes_scanned, static_cast<int64_t>(one_file));
  QueryResult in = engine.Run("SELECT count(*) FROM t WHERE \"index\" IN ('HSI', 'NYA')");
  EXPECT_EQ(Cell(in, 0, 0), "4000");
  EXPECT_EQ(engine.resolver().bytes_downloaded(), 4 * one_file);
  QueryResult any = engine.Run("SELECT count(*) FROM t WHERE \"index\" = 'HSI' OR v = 1");
  EXPECT_EQ(Cell(any, 0, 0), "2004");
  EXPECT_EQ(engine.resolver().bytes_downloaded(), 6 * one_file);
}

TEST(QueryEngine, RefusesFilesOutsideTheLakeAndNonQueries) {
  TempDir dir;
  LocalStore lake(dir.path() / "lake");
  lake.Put("e/a.jsonl", "{\"id\":1}\n");
  catalog::Catalog cat(dir.path() / "c.db");
  catalog::Crawl(lake, cat, {});
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  QueryEngine engine(cat, lake, options);
  EXPECT_EQ(engine.Run("SELECT count(*) FROM e").rows[0][0], "1");
  for (std::string sql : std::vector<std::string>{
           "SELECT * FROM read_csv('/etc/passwd')", "COPY (SELECT 1) TO '/tmp/x'",
           "COPY (SELECT 1) TO '" + (dir.path() / "lake/x.csv").string() + "'", "INSTALL httpfs",
           "SET enable_external_access=true", "ATTACH '/tmp/x.db'", "CREATE TABLE z (a INT)"}) {
    EXPECT_THROW(engine.Run(sql), Error) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "lake/x.csv"));
  try {
    engine.Run("SELECT * FROM ee");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("closest catalog tables: e"), std::string::npos)
        << e.what();
  }
  auto history = cat.ListQueries(20);
  EXPECT_EQ(history.front().state, "FAILED");
}

TEST(QueryEngine, StreamsLargeResultsToTheCsvAndKeepsOnlyTheFirstRows) {
  TempDir dir;
  LocalStore lake(dir.path() / "lake");
  catalog::Catalog cat(dir.path() / "c.db");
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  options.keep_rows = 3;
  QueryEngine engine(cat, lake, options);
  QueryResult r = engine.Run("SELECT range AS n, NULL AS z FROM range(100000) ORDER BY n");
  EXPECT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.total_rows, 100000);
  EXPECT_EQ(Cell(r, 2, 0), "2");
  EXPECT_EQ(Cell(r, 2, 1), "NULL");
  std::string csv = ReadWholeFile(r.result_location);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 100001);
  EXPECT_EQ(csv.substr(0, 10), "n,z\n0,\n1,\n");
  EXPECT_EQ(cat.ListQueries(1)[0].rows, 100000);
}

TEST(QueryEngine, TimesOut) {
  TempDir dir;
  LocalStore lake(dir.path() / "lake");
  catalog::Catalog cat(dir.path() / "c.db");
  QueryEngineOptions options;
  options.data_dir = dir.path() / "data";
  options.timeout_seconds = 0.2;
  QueryEngine engine(cat, lake, options);
  try {
    engine.Run("SELECT count(*) FROM range(100000000000) a");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
}

TEST(LakeFileResolver, EvictsLeastRecentlyUsedButNeverTheCurrentBatch) {
  TempDir dir;
  MemoryStore lake;
  lake.Put("a/1.json", std::string(100, 'a'));
  lake.Put("a/2.json", std::string(100, 'b'));
  lake.Put("a/3.json", std::string(100, 'c'));
  catalog::LakeFileResolver resolver(lake, dir.path() / "cache", 250);
  auto head = [&](const char* key) { return *lake.Head(key); };
  auto p1 = resolver.Resolve("a/1.json", head("a/1.json").etag, 100);
  resolver.Resolve("a/2.json", head("a/2.json").etag, 100);
  resolver.Resolve("a/3.json", head("a/3.json").etag, 100);
  EXPECT_TRUE(std::filesystem::exists(p1));  // pinned: same batch
  EXPECT_EQ(resolver.cached_bytes(), 300u);
  resolver.BeginBatch();
  EXPECT_FALSE(std::filesystem::exists(p1));  // least recently used goes first
  EXPECT_EQ(resolver.cached_bytes(), 200u);
  resolver.Resolve("a/3.json", head("a/3.json").etag, 100);
  EXPECT_EQ(resolver.bytes_downloaded(), 300u);  // a hit downloads nothing
}

}  // namespace ticklake::query
