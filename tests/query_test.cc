// Integration tests of `ticklake query`, including the declarative golden tests in tests/sql/.
//
// Golden file format (a small sqllogictest dialect), records separated by blank lines:
//
//   # a comment
//   query                      <- SQL follows; after "----" the exact stdout of
//   SELECT ...                    `ticklake query --format csv --max-rows 0` (header included)
//   ----
//   col_a,col_b
//   1,x
//
//   statement ok               <- SQL must succeed (output not compared)
//   CREATE TABLE t AS SELECT ...
//
//   statement error            <- SQL must fail; after "----" a text stderr must contain
//   SELECT * FROM read_csv('/etc/passwd')
//   ----
//   Permission Error
//
// All files run against one lake built below (the sink's Parquet layout with two schema
// versions, the tutorial's one-object-per-file JSON, JSON Lines with nested values and NULLs, a
// ';'-separated CSV), crawled by the real binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "catalog/catalog.h"
#include "common/duckdb.h"
#include "common/file_util.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

class QueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("ticklake-query");
    fs::path lake = Lake();
    duck::Database db;
    duck::Connection conn(db);
    auto parquet = [&](const std::string& partition, int kafka_partition, const std::string& rows,
                       bool v2) {
      fs::path file = lake / "stock_market" / ("index=" + partition) /
                      fmt::format("part-{:05d}-{:020d}.parquet", kafka_partition, v2 ? 100 : 0);
      fs::create_directories(file.parent_path());
      std::string columns = "\"Date\", \"Close\", \"Close\" AS \"Adj Close\", \"Volume\"" +
                            std::string(v2 ? ", \"CloseUSD\"" : "") + ", kafka_offset";
      std::string types = v2 ? "(\"Date\", \"Close\", \"Volume\", \"CloseUSD\", kafka_offset)"
                             : "(\"Date\", \"Close\", \"Volume\", kafka_offset)";
      conn.Query(fmt::format(
          "COPY (SELECT {} FROM (VALUES {}) t{}) TO {} (FORMAT parquet, COMPRESSION zstd)", columns,
          rows, types, duck::QuoteLiteral(file.string())));
    };
    // Schema version 1: no CloseUSD column.
    parquet("HSI", 0,
            "(DATE '2020-01-02', 100.0::DOUBLE, 10::BIGINT, 0::BIGINT), "
            "(DATE '2020-01-03', 110.0::DOUBLE, NULL, 1)",
            false);
    parquet("NYA", 1, "(DATE '2020-01-02', 200.0::DOUBLE, 20::BIGINT, 0::BIGINT)", false);
    Write(lake / "events/a.jsonl",
          "{\"id\":1,\"user\":{\"name\":\"ann\",\"tags\":[\"x\",\"y\"]},\"amount\":10}\n"
          "{\"id\":2,\"user\":{\"name\":\"bob\",\"tags\":[]},\"amount\":null}\n");
    Write(lake / "quotes/q.csv", "sym;bid;ask\nHSI;1.5;1.6\nNYA;2.5;\n");
    for (int i = 0; i < 30; ++i) {
      std::string volume = i == 7 ? "null" : fmt::format("{}.0", i * 100);
      Write(lake / fmt::format("stock_market_{}.json", i),
            fmt::format("{{\"Index\": \"{}\", \"Date\": \"2021-01-{:02d}\", \"Open\": {}.0, "
                        "\"High\": {}.75, \"Low\": {}.0, \"Close\": {}.5, \"Adj Close\": {}.25, "
                        "\"Volume\": {}, \"CloseUSD\": {}.0}}",
                        std::vector<std::string>{"HSI", "NYA", "N225"}[i % 3], i % 28 + 1, i, i, i,
                        i, i, volume, i * 2));
    }
    CrawlOrDie();
    // Schema version 2 adds CloseUSD; new files land in old and new partitions.
    parquet("HSI", 0, "(DATE '2020-01-06', 120.0::DOUBLE, 30::BIGINT, 15.0::DOUBLE, 2::BIGINT)",
            true);
    parquet("000001.SS", 2,
            "(DATE '2020-01-02', 3000.0::DOUBLE, 40::BIGINT, 430.0::DOUBLE, 0::BIGINT)", true);
    parquet("a%2Fb", 3, "(DATE '2020-01-02', 1.0::DOUBLE, 1::BIGINT, 1.0::DOUBLE, 0::BIGINT)",
            true);
    parquet("__HIVE_DEFAULT_PARTITION__", 3,
            "(DATE '2020-01-02', 5.0::DOUBLE, 5::BIGINT, 5.0::DOUBLE, 1::BIGINT)", true);
    Write(lake / "events/b.jsonl",
          "{\"id\":3,\"user\":{\"name\":\"cy\"},\"amount\":2.5,\"note\":\"late\"}\n");
    CrawlOrDie();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path Lake() { return dir_->path() / "tutorial_bucket"; }
  static fs::path CatalogPath() { return dir_->path() / "catalog.db"; }
  static fs::path DataDir() { return dir_->path() / "data"; }
  static void CrawlOrDie() {
    CommandResult r = RunCommand({TicklakeBinary(), "crawl", "--lake", Lake().string(), "--catalog",
                                  CatalogPath().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.err.find("error:"), std::string::npos) << r.err;
  }
  static std::vector<std::string> QueryArgs(std::vector<std::string> extra) {
    std::vector<std::string> argv = {TicklakeBinary(),       "query",      "--catalog",
                                     CatalogPath().string(), "--data-dir", DataDir().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  static CommandResult Query(std::vector<std::string> extra) {
    return RunCommand(QueryArgs(extra));
  }

  static TempDir* dir_;
};
TempDir* QueryTest::dir_ = nullptr;

struct Record {
  std::string kind;  // query | statement ok | statement error
  std::string sql;
  std::string expected;
  int line = 0;
};

std::vector<Record> ParseGolden(const fs::path& file) {
  std::vector<Record> records;
  std::istringstream in(ReadWholeFile(file));
  std::string line;
  int line_no = 0;
  Record* current = nullptr;
  bool in_expected = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!current) {
      if (line.empty() || line[0] == '#') continue;
      records.push_back({line, "", "", line_no});
      current = &records.back();
      in_expected = false;
      continue;
    }
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    if (!in_expected && line == "----") {
      in_expected = true;
      continue;
    }
    std::string& target = in_expected ? current->expected : current->sql;
    target += line + "\n";
  }
  return records;
}

}  // namespace

TEST_F(QueryTest, GoldenSqlFiles) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(SourceDir() / "tests" / "sql")) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 5u);
  int checked = 0;
  for (const auto& file : files) {
    for (const Record& r : ParseGolden(file)) {
      std::string where = fmt::format("{}:{}", file.filename().string(), r.line);
      CommandResult out = Query({"--format", "csv", "--max-rows", "0", r.sql});
      ++checked;
      if (r.kind == "query") {
        EXPECT_EQ(out.exit_code, 0) << where << "\n" << out.err;
        EXPECT_EQ(out.out, r.expected) << where << "\n" << r.sql;
      } else if (r.kind == "statement ok") {
        EXPECT_EQ(out.exit_code, 0) << where << "\n" << out.err;
      } else if (r.kind == "statement error") {
        EXPECT_EQ(out.exit_code, 1) << where;
        std::string expected = r.expected.substr(0, r.expected.find_last_not_of('\n') + 1);
        EXPECT_NE(out.err.find(expected), std::string::npos)
            << where << ": stderr lacks '" << expected << "':\n"
            << out.err;
      } else {
        ADD_FAILURE() << where << ": unknown record kind '" << r.kind << "'";
      }
    }
  }
  EXPECT_GE(checked, 30);
}

TEST_F(QueryTest, AlignedTableIsTheDefaultAndResultsAreSavedWithMetadata) {
  CommandResult r =
      Query({"SELECT \"index\", count(*) AS n FROM stock_market GROUP BY 1 ORDER BY 1 "
             "NULLS LAST"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "index     | n\n"
            "----------+--\n"
            "000001.SS | 1\n"
            "HSI       | 3\n"
            "NYA       | 1\n"
            "a/b       | 1\n"
            "NULL      | 1\n"
            "(5 rows)\n");
  // stderr: "query <uuid>: 5 row(s) in ... results: <path>.csv"
  size_t at = r.err.find("results: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  fs::path csv = r.err.substr(at + 9, r.err.find('\n', at) - at - 9);
  EXPECT_TRUE(fs::exists(csv));
  EXPECT_EQ(ReadWholeFile(csv).substr(0, 8), "index,n\n");
  fs::path meta = csv.parent_path() / (csv.stem().string() + ".metadata.json");
  std::string json = ReadWholeFile(meta);
  EXPECT_NE(json.find("\"state\":\"SUCCEEDED\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"rows\":5"), std::string::npos) << json;
}

TEST_F(QueryTest, FormatsAndMaxRows) {
  CommandResult json =
      Query({"--format", "json", "SELECT id, amount, user FROM events ORDER BY id"});
  EXPECT_EQ(json.out,
            "{\"id\":1,\"amount\":10.0,\"user\":{\"name\":\"ann\",\"tags\":[\"x\",\"y\"]}}\n"
            "{\"id\":2,\"amount\":null,\"user\":{\"name\":\"bob\",\"tags\":[]}}\n"
            "{\"id\":3,\"amount\":2.5,\"user\":{\"name\":\"cy\",\"tags\":null}}\n");
  CommandResult md = Query({"--format", "markdown", "SELECT sym, bid FROM quotes ORDER BY sym"});
  EXPECT_EQ(md.out, "| sym | bid |\n| --- | ---: |\n| HSI | 1.5 |\n| NYA | 2.5 |\n");
  CommandResult limited = Query({"--max-rows", "2", "SELECT * FROM tutorial_bucket"});
  EXPECT_NE(limited.out.find("(30 rows, 2 shown"), std::string::npos) << limited.out;
}

TEST_F(QueryTest, ScriptFileStdinAndHistory) {
  fs::path script = dir_->path() / "report.sql";
  Write(script, "-- two statements\nSELECT 1 AS a;\nSELECT count(*) AS n FROM tutorial_bucket;\n");
  CommandResult r = Query({"--format", "csv", "-f", script.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a\n1\nn\n30\n");
  CommandResult bad = Query({"SELECT nope FROM tutorial_bucket"});
  EXPECT_EQ(bad.exit_code, 1);
  CommandResult history = Query({"--history", "--format", "csv", "--history-limit", "3"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("FAILED"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("SELECT nope FROM tutorial_bucket"), std::string::npos);
  EXPECT_NE(history.out.find("SUCCEEDED"), std::string::npos);
  EXPECT_NE(history.out.find("Referenced column \"\"nope\"\" not found"), std::string::npos)
      << history.out;
}

TEST_F(QueryTest, CtrlCCancelsARunningQueryAndTimeoutStopsOne) {
  Subprocess p(QueryArgs({"SELECT count(*) FROM range(1000000000000) a"}), dir_->path());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto start = std::chrono::steady_clock::now();
  p.Signal(SIGINT);
  EXPECT_EQ(p.Wait(std::chrono::seconds(10)), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(p.Stderr().find("query cancelled"), std::string::npos) << p.Stderr();
  CommandResult t = Query({"--timeout", "0.3", "SELECT count(*) FROM range(1000000000000) a"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("timed out after 0.3 s"), std::string::npos) << t.err;
}

TEST_F(QueryTest, MissingCatalogAndBadFlags) {
  CommandResult missing = RunCommand(
      {TicklakeBinary(), "query", "--catalog", (dir_->path() / "none.db").string(), "SELECT 1"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("ticklake query: no catalog at"), std::string::npos) << missing.err;
  CommandResult bad = Query({"--format", "xml", "SELECT 1"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--format"), std::string::npos) << bad.err;
}

}  // namespace ticklake::test
