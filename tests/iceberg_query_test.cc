// Integration tests of the read side of Iceberg tables and their maintenance commands, with the
// real binary and pyiceberg as the independent writer and reader ("write what we read"):
//  - tables written by pyiceberg (partitioned by identity(index) and day(ts), a schema change,
//    several snapshots) are queried by `ticklake query`: golden files tests/sql/iceberg/*.test
//    (the dialect of tests/query_test.cc, plus ${NAME} substitution for snapshot ids and times),
//    time travel by id and timestamp, schema evolution, partition pruning;
//  - `ticklake compact` gives fewer files and the same answers, and pyiceberg reads the result;
//    `catalog expire` removes old snapshots and files while pyiceberg still reads the current data;
//  - kill -9 of `compact` and `catalog expire` at random points leaves a table pyiceberg reads
//    with every record exactly once;
//  - catalog ls/show/snapshots/glue (validated by awscli)/ddl, the crawler skipping the table
//    folder, and clear one-line errors for bad input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>

#include <csignal>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "catalog/catalog.h"
#include "common/duckdb.h"
#include "common/file_util.h"
#include "common/strings.h"
#include "iceberg/parquet_files.h"
#include "iceberg/table.h"
#include "store/s3_store.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

// pyiceberg writer: `create NAME` makes the 4-snapshot table the golden files expect;
// `small NAME APPENDS FIRST_SEQ` makes (or appends to) a table partitioned by index with one small
// file per index per append. Prints {"snapshots": [{"id", "ms"}...]}.
constexpr const char* kWriter = R"PY(
import datetime, json, sys
import pyarrow as pa
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestampType

mode, catalog_path, lake, name = sys.argv[1:5]
cat = SqlCatalog("ticklake", uri=f"sqlite:///{catalog_path}", warehouse=f"file://{lake}")
try:
    cat.create_namespace("default")
except Exception:
    pass
schema = Schema(
    NestedField(1, "index", StringType(), required=False),
    NestedField(2, "ts", TimestampType(), required=False),
    NestedField(3, "close", DoubleType(), required=False),
    NestedField(4, "seq", LongType(), required=False))
spec = PartitionSpec(
    PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="index"),
    PartitionField(source_id=2, field_id=1001, transform=DayTransform(), name="ts_day"))

def batch(rows, seq, with_usd):
    cols = {"index": [], "ts": [], "close": [], "seq": []}
    fields = [pa.field("index", pa.string()), pa.field("ts", pa.timestamp("us")),
              pa.field("close", pa.float64()), pa.field("seq", pa.int64())]
    if with_usd:
        cols["usd"] = []
        fields.append(pa.field("usd", pa.float64()))
    for idx, day, close in rows:
        cols["index"].append(idx)
        cols["ts"].append(datetime.datetime(2026, 11, day, 10, 0, 0))
        cols["close"].append(close)
        cols["seq"].append(seq)
        seq += 1
        if with_usd:
            cols["usd"].append(close / 10)
    return pa.Table.from_pydict(cols, schema=pa.schema(fields)), seq

out = {"snapshots": []}
def note(t):
    s = t.current_snapshot()
    out["snapshots"].append({"id": s.snapshot_id, "ms": s.timestamp_ms})

if mode == "create":
    t = cat.create_table(f"default.{name}", schema=schema, partition_spec=spec,
                         location=f"file://{lake}/{name}")
    seq = 0
    for i in range(3):
        data, seq = batch([("HSI", 27, 100.0 + i), ("NYA", 27, 200.0 + i), ("HSI", 28, 110.0 + i)],
                          seq, False)
        t.append(data)
        note(t)
    with t.update_schema() as update:
        update.add_column("usd", DoubleType())
    data, seq = batch([("HSI", 29, 120.0), ("N225", 29, 300.0)], seq, True)
    t.append(data)
    note(t)
else:
    appends, seq = int(sys.argv[5]), int(sys.argv[6])
    try:
        t = cat.load_table(f"default.{name}")
    except NoSuchTableError:
        t = cat.create_table(f"default.{name}", schema=schema, partition_spec=spec,
                             location=f"file://{lake}/{name}")
    for i in range(appends):
        data, seq = batch([("HSI", 27, float(seq)), ("NYA", 27, float(seq + 1)),
                           ("N225", 28, float(seq + 2))], seq, False)
        t.append(data)
        note(t)
print(json.dumps(out))
)PY";

fs::path Python() { return SourceDir() / ".deps" / "venv" / "bin" / "python"; }

std::string UtcText(int64_t ms) {
  return fmt::format("{}.{:03d}", FormatUtcMillis(ms), static_cast<int>(ms % 1000));
}

struct ReadResult {
  int exit_code = -1;
  int64_t files = -1, records = -1, distinct_seq = -1, snapshots = -1;
  std::string error;
};

class IcebergQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("ticklake-iceberg-query");
    fs::create_directories(Lake());
    std::ofstream(dir_->path() / "writer.py") << kWriter;
    ASSERT_TRUE(fs::exists(Python())) << "pyiceberg venv missing: run scripts/setup.sh --test";
    CommandResult w = Write({"create", "ticks"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    simdjson::dom::parser parser;
    simdjson::padded_string text(w.out);
    simdjson::dom::element doc = parser.parse(text).value();
    int n = 0;
    for (simdjson::dom::element s : doc["snapshots"].get_array()) {
      ++n;
      vars_[fmt::format("SNAPSHOT_{}", n)] = std::to_string(s["id"].get_int64().value());
      vars_[fmt::format("TIME_{}", n)] = UtcText(s["ms"].get_int64().value());
    }
    ASSERT_EQ(n, 4);
    // A Hive table beside it, crawled: the crawler must leave the Iceberg folder alone.
    duck::Database db;
    duck::Connection conn(db);
    fs::create_directories(Lake() / "hive_t");
    conn.Query("COPY (SELECT 1 AS a, 'x' AS b) TO " +
               duck::QuoteLiteral((Lake() / "hive_t" / "part-0.parquet").string()) +
               " (FORMAT parquet)");
    crawl_ = new CommandResult(RunCommand({TicklakeBinary(), "crawl", "--lake", Lake().string(),
                                           "--catalog", CatalogPath().string()}));
    ASSERT_EQ(crawl_->exit_code, 0) << crawl_->err;
  }
  static void TearDownTestSuite() {
    delete crawl_;
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path Lake() { return dir_->path() / "lake"; }
  static fs::path CatalogPath() { return dir_->path() / "catalog.db"; }
  static CommandResult Write(std::vector<std::string> args) {
    std::vector<std::string> argv = {Python().string(), (dir_->path() / "writer.py").string(),
                                     args[0], CatalogPath().string(), Lake().string()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return RunCommand(argv, std::chrono::seconds(300));
  }
  static CommandResult Ticklake(std::vector<std::string> args) {
    std::vector<std::string> argv = {TicklakeBinary()};
    bool query = args[0] == "query";
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--catalog", CatalogPath().string()});
    if (query) argv.insert(argv.end(), {"--data-dir", (dir_->path() / "data").string()});
    if (args[0] == "compact")
      argv.insert(argv.end(), {"--data-dir", (dir_->path() / "data").string()});
    return RunCommand(argv);
  }
  static CommandResult Query(const std::string& sql) {
    return Ticklake({"query", "--format", "csv", "--max-rows", "0", sql});
  }
  // pyiceberg reads the table: files planned, records, distinct seq values, snapshots.
  static ReadResult PyRead(const std::string& table) {
    fs::path records = dir_->path() / "records.jsonl";
    CommandResult r = RunCommand(
        {Python().string(), (SourceDir() / "tests" / "peers" / "iceberg_read.py").string(),
         "--catalog", CatalogPath().string(), "--table", "default." + table, "--records-out",
         records.string()},
        std::chrono::seconds(300));
    ReadResult out;
    out.exit_code = r.exit_code;
    out.error = r.err;
    if (r.exit_code != 0) return out;
    simdjson::dom::parser parser;
    simdjson::padded_string text(r.out);
    simdjson::dom::element doc = parser.parse(text).value();
    out.files = doc["files"].get_int64().value();
    out.records = doc["records"].get_int64().value();
    out.snapshots = static_cast<int64_t>(doc["snapshots"].get_array().size());
    std::set<int64_t> seqs;
    std::ifstream in(records);
    std::string line;
    simdjson::dom::parser line_parser;
    while (std::getline(in, line)) {
      simdjson::padded_string padded(line);
      seqs.insert(line_parser.parse(padded)["seq"].get_int64().value());
    }
    out.distinct_seq = static_cast<int64_t>(seqs.size());
    return out;
  }
  static int64_t DataFilesOnDisk(const std::string& table) {
    int64_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(Lake() / table / "data")) {
      n += e.is_regular_file() && e.path().extension() == ".parquet";
    }
    return n;
  }
  static std::string Substitute(std::string text) {
    for (const auto& [k, v] : vars_) {
      for (size_t at; (at = text.find("${" + k + "}")) != std::string::npos;) {
        text.replace(at, k.size() + 3, v);
      }
    }
    return text;
  }

  static TempDir* dir_;
  static CommandResult* crawl_;
  static std::map<std::string, std::string> vars_;
};
TempDir* IcebergQueryTest::dir_ = nullptr;
CommandResult* IcebergQueryTest::crawl_ = nullptr;
std::map<std::string, std::string> IcebergQueryTest::vars_;

// "query …: N row(s) in S s, … (Iceberg: F file(s) scanned, P pruned)" on stderr.
std::pair<int64_t, int64_t> IcebergFiles(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex(R"(Iceberg: (\d+) file\(s\) scanned, (\d+) pruned)"))) {
    return {-1, -1};
  }
  return {std::stoll(m[1]), std::stoll(m[2])};
}

double QuerySeconds(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex(R"(row\(s\) in ([0-9.]+) s)"))) return -1;
  return std::stod(m[1]);
}

TEST_F(IcebergQueryTest, GoldenSqlFiles) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SourceDir() / "tests" / "sql" / "iceberg")) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  int checked = 0;
  for (const auto& file : files) {
    std::istringstream in(ReadWholeFile(file));
    std::string line, kind, sql, expected;
    int line_no = 0, start = 0;
    bool in_expected = false;
    auto run = [&] {
      if (kind.empty()) return;
      std::string where = fmt::format("{}:{}", file.filename().string(), start);
      CommandResult out = Query(Substitute(sql));
      ++checked;
      if (kind == "query") {
        EXPECT_EQ(out.exit_code, 0) << where << "\n" << out.err;
        EXPECT_EQ(out.out, expected) << where << "\n" << sql;
      } else if (kind == "statement error") {
        EXPECT_EQ(out.exit_code, 1) << where;
        std::string want = Substitute(expected.substr(0, expected.find_last_not_of('\n') + 1));
        EXPECT_NE(out.err.find(want), std::string::npos)
            << where << ": stderr lacks '" << want << "':\n"
            << out.err;
      } else {
        ADD_FAILURE() << where << ": unknown record kind '" << kind << "'";
      }
      kind.clear();
    };
    while (std::getline(in, line)) {
      ++line_no;
      if (kind.empty()) {
        if (line.empty() || line[0] == '#') continue;
        kind = line;
        start = line_no;
        sql.clear();
        expected.clear();
        in_expected = false;
      } else if (line.empty()) {
        run();
      } else if (!in_expected && line == "----") {
        in_expected = true;
      } else {
        (in_expected ? expected : sql) += line + "\n";
      }
    }
    run();
  }
  EXPECT_GE(checked, 10);
}

TEST_F(IcebergQueryTest, CrawlerSkipsTheIcebergFolderAndSaysSo) {
  EXPECT_NE(crawl_->err.find("skipped: an Iceberg table"), std::string::npos) << crawl_->err;
  CommandResult ls = Ticklake({"catalog", "ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find(R"("name":"hive_t","classification":"parquet")"), std::string::npos)
      << ls.out;
  EXPECT_NE(ls.out.find(R"("name":"ticks","classification":"ICEBERG")"), std::string::npos)
      << ls.out;
  EXPECT_EQ(ls.out.find(R"("name":"ticks","classification":"parquet")"), std::string::npos);
  CommandResult text = Ticklake({"catalog", "ls"});
  EXPECT_TRUE(std::regex_search(text.out, std::regex(R"(default +ticks +ICEBERG +5 +11 )")))
      << text.out;
}

TEST_F(IcebergQueryTest, ShowAndSnapshots) {
  CommandResult show = Ticklake({"catalog", "show", "ticks"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_TRUE(std::regex_search(show.out, std::regex(R"(\n +5 +usd +double +optional)")))
      << show.out;
  EXPECT_TRUE(std::regex_search(show.out, std::regex(R"(1001 +ts_day +day\(ts\))"))) << show.out;
  EXPECT_NE(show.out.find("records      11"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("snapshot     " + vars_["SNAPSHOT_4"]), std::string::npos) << show.out;
  CommandResult snaps = Ticklake({"catalog", "snapshots", "default.ticks", "--json"});
  ASSERT_EQ(snaps.exit_code, 0) << snaps.err;
  simdjson::dom::parser parser;
  simdjson::padded_string text(snaps.out);
  simdjson::dom::array list = parser.parse(text).get_array().value();
  ASSERT_EQ(list.size(), 4u);
  int64_t total = 0;
  int i = 1;
  for (simdjson::dom::element s : list) {
    EXPECT_EQ(std::to_string(s["snapshot_id"].get_int64().value()),
              vars_[fmt::format("SNAPSHOT_{}", i++)]);
    EXPECT_EQ(std::string_view(s["operation"].get_string().value()), "append");
    total = s["total_records"].get_int64().value();
  }
  EXPECT_EQ(total, 11);
  CommandResult table = Ticklake({"catalog", "snapshots", "ticks"});
  EXPECT_NE(table.out.find("*" + vars_["SNAPSHOT_4"]), std::string::npos) << table.out;
}

TEST_F(IcebergQueryTest, PartitionPruningScansFewerFiles) {
  CommandResult all = Query("SELECT count(*) FROM ticks");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  auto [all_files, all_pruned] = IcebergFiles(all.err);
  EXPECT_EQ(all_files, 11);
  EXPECT_EQ(all_pruned, 0);
  CommandResult hsi = Query("SELECT count(*) AS n FROM ticks WHERE \"index\" = 'HSI'");
  ASSERT_EQ(hsi.exit_code, 0) << hsi.err;
  EXPECT_EQ(hsi.out, "n\n7\n");
  auto [files, pruned] = IcebergFiles(hsi.err);
  EXPECT_EQ(files, 7);
  EXPECT_EQ(pruned, 4);
  // A range on the day-partitioned source column, and bounds statistics on another column.
  CommandResult day =
      Query("SELECT count(*) AS n FROM ticks WHERE ts >= TIMESTAMP '2026-11-29 00:00:00'");
  EXPECT_EQ(day.out, "n\n2\n") << day.err;
  EXPECT_EQ(IcebergFiles(day.err).first, 2);
  CommandResult seq = Query("SELECT count(*) AS n FROM ticks WHERE seq BETWEEN 0 AND 2");
  EXPECT_EQ(seq.out, "n\n3\n") << seq.err;
  EXPECT_LE(IcebergFiles(seq.err).first, 3);
  // An OR is not analysed: nothing pruned, same answer as DuckDB's own filter.
  CommandResult either =
      Query("SELECT count(*) AS n FROM ticks WHERE \"index\" = 'HSI' OR seq = 1");
  EXPECT_EQ(either.out, "n\n8\n");
  EXPECT_EQ(IcebergFiles(either.err).second, 0);
}

TEST_F(IcebergQueryTest, CompactThenExpireKeepsTheDataReadableByPyiceberg) {
  ASSERT_EQ(Write({"small", "small", "60", "0"}).exit_code, 0);
  const std::string sql =
      "SELECT \"index\", count(*) AS n, sum(seq) AS s FROM small GROUP BY 1 ORDER BY 1";
  std::vector<double> before, after;
  CommandResult first = Query(sql);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(IcebergFiles(first.err).first, 180);
  for (int i = 0; i < 3; ++i) before.push_back(QuerySeconds(Query(sql).err));

  CommandResult compact = Ticklake({"compact", "small", "--target-file-size", "8M"});
  ASSERT_EQ(compact.exit_code, 0) << compact.err;
  EXPECT_NE(compact.out.find("rewrote 180 file(s)"), std::string::npos) << compact.out;
  CommandResult second = Query(sql);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(IcebergFiles(second.err).first, 3);
  for (int i = 0; i < 3; ++i) after.push_back(QuerySeconds(Query(sql).err));
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  std::cout << fmt::format(
      "[figures] query over 180 small files: median {:.3f} s; after compact "
      "(3 files): median {:.3f} s\n",
      before[1], after[1]);
  RecordProperty("uncompacted_seconds", fmt::format("{:.3f}", before[1]));
  RecordProperty("compacted_seconds", fmt::format("{:.3f}", after[1]));

  ReadResult read = PyRead("small");
  ASSERT_EQ(read.exit_code, 0) << read.error;
  EXPECT_EQ(read.files, 3);
  EXPECT_EQ(read.records, 180);
  EXPECT_EQ(read.distinct_seq, 180);
  CommandResult snaps = Ticklake({"catalog", "snapshots", "small", "--json"});
  EXPECT_NE(snaps.out.rfind("\"operation\":\"replace\""), std::string::npos) << snaps.out;

  CommandResult expire =
      Ticklake({"catalog", "expire", "small", "--older-than", "0s", "--retain-last", "1"});
  ASSERT_EQ(expire.exit_code, 0) << expire.err;
  EXPECT_NE(expire.out.find("expired 60 snapshot(s) of default.small (1 kept); deleted 180 data"),
            std::string::npos)
      << expire.out;
  EXPECT_EQ(DataFilesOnDisk("small"), 3);
  read = PyRead("small");
  ASSERT_EQ(read.exit_code, 0) << read.error;
  EXPECT_EQ(read.snapshots, 1);
  EXPECT_EQ(read.records, 180);
  EXPECT_EQ(Query(sql).out, first.out);
}

TEST_F(IcebergQueryTest, KillDuringCompactAndExpireLosesAndDuplicatesNothing) {
  int64_t expected = 0;
  ASSERT_EQ(Write({"small", "killme", "20", "0"}).exit_code, 0);
  expected = 60;
  std::mt19937 random(std::random_device{}());
  int killed = 0;
  int64_t last_ms[2] = {300, 150};  // compact, expire
  constexpr int kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    bool compact = round % 2 == 0;
    std::vector<std::string> argv = {TicklakeBinary()};
    if (compact) {
      argv.insert(argv.end(), {"compact", "killme", "--target-file-size", "8M", "--data-dir",
                               (dir_->path() / "data").string()});
    } else {
      argv.insert(argv.end(), {"catalog", "expire", "killme", "--older-than", "0s",
                               "--orphans-older-than", "0s"});
    }
    argv.insert(argv.end(), {"--catalog", CatalogPath().string()});
    // A random point within 4/5 of the command's run: its last complete run's duration (measured
    // here, first guess 300/150 ms), so kills land at every stage, not only at process start.
    int64_t& span = last_ms[compact ? 0 : 1];
    auto start = std::chrono::steady_clock::now();
    Subprocess p(argv, dir_->path() / fmt::format("kill-{}", round));
    std::this_thread::sleep_for(
        std::chrono::milliseconds(random() % std::max<int64_t>(span * 4 / 5, 1)));
    if (p.Running()) {
      p.Signal(SIGKILL);
      ++killed;
    } else {
      span = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
                 .count();
    }
    int code = p.Wait();
    EXPECT_TRUE(code == 0 || code == 128 + SIGKILL) << code << p.Stderr();
    ReadResult read = PyRead("killme");
    ASSERT_EQ(read.exit_code, 0) << "round " << round << ": " << read.error;
    EXPECT_EQ(read.records, expected) << "round " << round;
    EXPECT_EQ(read.distinct_seq, expected) << "round " << round;
    if (compact) {  // more small files for the next compaction
      ASSERT_EQ(Write({"small", "killme", "5", std::to_string(expected)}).exit_code, 0);
      expected += 15;
    }
  }
  std::cout << fmt::format("[figures] {} of {} maintenance runs killed with SIGKILL\n", killed,
                           kRounds);
  EXPECT_GE(killed, 2);
  // Afterwards a full expire with the orphan sweep leaves exactly the live files.
  CommandResult expire =
      Ticklake({"catalog", "expire", "killme", "--older-than", "0s", "--orphans-older-than", "0s"});
  ASSERT_EQ(expire.exit_code, 0) << expire.err;
  ReadResult read = PyRead("killme");
  ASSERT_EQ(read.exit_code, 0) << read.error;
  EXPECT_EQ(read.records, expected);
  EXPECT_EQ(read.distinct_seq, expected);
  EXPECT_EQ(DataFilesOnDisk("killme"), read.files);
  CommandResult count = Query("SELECT count(*) AS n, count(DISTINCT seq) AS d FROM killme");
  EXPECT_EQ(count.out, fmt::format("n,d\n{},{}\n", expected, expected)) << count.err;
}

TEST_F(IcebergQueryTest, GlueAndDdlExports) {
  CommandResult glue = Ticklake({"catalog", "glue", "ticks"});
  ASSERT_EQ(glue.exit_code, 0) << glue.err;
  simdjson::dom::parser parser;
  simdjson::padded_string text(glue.out);
  simdjson::dom::element input = parser.parse(text).value();
  EXPECT_EQ(std::string_view(input["TableType"].get_string().value()), "EXTERNAL_TABLE");
  EXPECT_EQ(std::string_view(input["Parameters"]["table_type"].get_string().value()), "ICEBERG");
  std::string metadata(input["Parameters"]["metadata_location"].get_string().value());
  EXPECT_TRUE(metadata.ends_with(".metadata.json")) << metadata;
  simdjson::dom::array columns = input["StorageDescriptor"]["Columns"].get_array().value();
  ASSERT_EQ(columns.size(), 5u);
  EXPECT_EQ(std::string_view(columns.at(1)["Type"].get_string().value()), "timestamp");
  EXPECT_EQ(std::string_view(columns.at(3)["Type"].get_string().value()), "bigint");
  fs::path file = dir_->path() / "glue.json";
  std::ofstream(file) << glue.out;
  CommandResult aws =
      RunCommand({"/usr/bin/aws", "glue", "create-table", "--database-name", "d", "--table-input",
                  "file://" + file.string(), "--endpoint-url", "http://127.0.0.1:1",
                  "--cli-connect-timeout", "2"},
                 std::chrono::seconds(120),
                 {"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_DEFAULT_REGION=us-east-1",
                  "AWS_MAX_ATTEMPTS=1", "AWS_CONFIG_FILE=/dev/null"});
  EXPECT_NE(aws.exit_code, 0);
  EXPECT_EQ(aws.err.find("Parameter validation failed"), std::string::npos) << aws.err;
  EXPECT_NE(aws.err.find("Could not connect to the endpoint URL"), std::string::npos) << aws.err;

  CommandResult ddl = Ticklake({"catalog", "ddl", "ticks"});
  ASSERT_EQ(ddl.exit_code, 0) << ddl.err;
  EXPECT_NE(ddl.out.find("PARTITIONED BY (`index`, day(`ts`))"), std::string::npos) << ddl.out;
  EXPECT_NE(ddl.out.find("TBLPROPERTIES ('table_type'='ICEBERG'"), std::string::npos) << ddl.out;
  EXPECT_NE(ddl.out.find("-- the existing table default.ticks"), std::string::npos) << ddl.out;
}

TEST_F(IcebergQueryTest, ConsoleBrowsesIcebergTablesAndQueriesThem) {
  fs::path dir = dir_->path() / "console";
  fs::create_directories(dir);
  Subprocess console(
      {TicklakeBinary(), "console", "-b", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--catalog",
       CatalogPath().string(), "--data-dir", (dir_->path() / "data").string()},
      dir);
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitFor(
      [&] {
        err = console.Stderr();
        return std::regex_search(err, m, std::regex("serving http://127.0.0.1:([0-9]+)/"));
      },
      std::chrono::seconds(30)))
      << console.Stderr();
  httplib::Client client("127.0.0.1", std::stoi(m[1]));
  client.set_read_timeout(120);
  auto catalog = client.Get("/api/catalog");
  ASSERT_TRUE(catalog);
  EXPECT_NE(catalog->body.find(R"("name":"ticks","lake":)"), std::string::npos) << catalog->body;
  EXPECT_NE(catalog->body.find(R"("classification":"ICEBERG")"), std::string::npos);
  auto table = client.Get("/api/table?database=default&name=ticks");
  ASSERT_TRUE(table);
  ASSERT_EQ(table->status, 200) << table->body;
  simdjson::dom::parser parser;
  simdjson::padded_string text(table->body);
  simdjson::dom::element t = parser.parse(text)["table"].value();
  EXPECT_EQ(t["snapshot_list"].get_array().size(), 4u);
  EXPECT_EQ(t["partition_spec"].get_array().size(), 2u);
  EXPECT_EQ(t["columns"].at(4)["id"].get_int64().value(), 5);
  auto query = client.Post("/api/query",
                           "{\"sql\": \"SELECT count(*) AS n FROM ticks FOR VERSION AS OF " +
                               vars_["SNAPSHOT_1"] + "\"}",
                           "application/json");
  ASSERT_TRUE(query);
  ASSERT_EQ(query->status, 200) << query->body;
  EXPECT_NE(query->body.find(R"("rows":[["3"]])"), std::string::npos) << query->body;
  EXPECT_NE(query->body.find(R"("files_scanned":3)"), std::string::npos) << query->body;
}

// An Iceberg table in an S3 lake (the signature-checking s3rver), written with the core API: the
// query engine plans it from S3 metadata and reads only the planned files through its cache.
TEST(IcebergS3QueryTest, QueriesTimeTravelAndCompactionOnS3) {
  TempDir dir("ticklake-iceberg-s3-query");
  S3ServerProcess server(dir.path(), {"lake"});
  S3Options s3;
  s3.aws.access_key_id = "S3RVER";
  s3.aws.secret_access_key = "S3RVER";
  s3.aws.endpoint = server.endpoint();
  S3Store store("s3://lake/warehouse", s3);
  std::string catalog_path = (dir.path() / "catalog.db").string();
  catalog::Catalog hive(catalog_path);  // the query command opens catalog.db as a catalog too
  iceberg::SqlCatalog sql(catalog_path);
  duck::Database db;
  duck::Connection conn(db);
  iceberg::CreateTableOptions options;
  iceberg::NestedField index, close;
  index.id = 1;
  index.name = "index";
  index.type = iceberg::TypeId::kString;
  close.id = 2;
  close.name = "close";
  close.type = iceberg::TypeId::kDouble;
  options.schema.fields = {index, close};
  options.partition_by = iceberg::ParseIcebergPartitionBy("index");
  iceberg::Table table =
      iceberg::Table::Create(sql, store, {"default", "s3ticks"}, "s3ticks", options);
  std::vector<int64_t> snapshots;
  for (int batch = 0; batch < 4; ++batch) {
    std::string symbol = batch % 2 ? "NYA" : "HSI";
    fs::path local = dir.path() / "staged.parquet";
    iceberg::DataFile f = iceberg::WriteParquet(
        conn,
        fmt::format("SELECT '{}' AS index, (i + {})::DOUBLE AS close FROM range(10) r(i)", symbol,
                    batch * 10),
        table.metadata().CurrentSchema(), local);
    std::string key = table.NewDataFileKey({symbol}, fmt::format("part-{}", batch));
    store.PutFile(key, local);
    f.location = table.LocationOf(key);
    f.partition = {symbol};
    snapshots.push_back(table.Append({{f}, {}, {}, {}}).snapshot_id);
  }
  auto ticklake = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {TicklakeBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--catalog", catalog_path});
    if (args[0] != "catalog")
      argv.insert(argv.end(), {"--data-dir", (dir.path() / "data").string()});
    return RunCommand(argv, std::chrono::seconds(120), server.Env());
  };
  CommandResult all = ticklake({"query", "--format", "csv",
                                "SELECT count(*) AS n, sum(close) AS s "
                                "FROM s3ticks"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "n,s\n40,780.0\n");
  EXPECT_EQ(IcebergFiles(all.err), std::make_pair(int64_t{4}, int64_t{0})) << all.err;
  CommandResult hsi = ticklake(
      {"query", "--format", "csv", "SELECT count(*) AS n FROM s3ticks WHERE \"index\" = 'NYA'"});
  EXPECT_EQ(hsi.out, "n\n20\n") << hsi.err;
  EXPECT_EQ(IcebergFiles(hsi.err), std::make_pair(int64_t{2}, int64_t{2})) << hsi.err;
  CommandResult old = ticklake(
      {"query", "--format", "csv",
       fmt::format("SELECT count(*) AS n FROM s3ticks FOR VERSION AS OF {}", snapshots[1])});
  EXPECT_EQ(old.out, "n\n20\n") << old.err;
  CommandResult compact = ticklake({"compact", "s3ticks"});
  ASSERT_EQ(compact.exit_code, 0) << compact.err;
  CommandResult after = ticklake({"query", "--format", "csv",
                                  "SELECT count(*) AS n, sum(close) AS s "
                                  "FROM s3ticks"});
  EXPECT_EQ(after.out, all.out) << after.err;
  EXPECT_EQ(IcebergFiles(after.err).first, 2) << after.err;
  CommandResult ls = ticklake({"catalog", "ls"});
  EXPECT_TRUE(std::regex_search(ls.out, std::regex(R"(default +s3ticks +ICEBERG +2 +40 )")))
      << ls.out << ls.err;
}

TEST_F(IcebergQueryTest, BadInputGetsOneClearLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"compact", "nosuch"}, "ticklake compact: no Iceberg table default.nosuch in catalog"},
           {{"compact", "ticks", "--target-file-size", "12Q"},
            "--target-file-size: invalid size '12Q'"},
           {{"catalog", "expire", "ticks", "--older-than", "7"},
            "--older-than: invalid duration '7'"},
           {{"catalog", "expire", "ticks", "--older-than", "1d", "--orphans-older-than", "x"},
            "--orphans-older-than: invalid duration 'x'"},
           {{"catalog", "snapshots", "hive_t"},
            "default.hive_t is a Hive table of crawled files: only Iceberg tables have snapshots"},
           {{"catalog", "snapshots", "nosuch"}, "no table default.nosuch in catalog"},
           {{"catalog", "glue", "ticks", "--location-prefix", "s3://b/x"},
            "--location-prefix does not apply to Iceberg table default.ticks"},
       }) {
    CommandResult r = Ticklake(c.args);
    EXPECT_EQ(r.exit_code, 1) << fmt::format("{}", fmt::join(c.args, " "));
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace ticklake::test
