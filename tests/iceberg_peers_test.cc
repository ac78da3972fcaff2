// Iceberg tables written by ticklake's core (src/iceberg) and read by independent readers, and
// the reverse: pyiceberg (Python, PyPI) and icebird (JavaScript, npm) must see exactly the rows,
// the snapshots and the evolved schema of a table that went through appends, a schema change, a
// compaction and an expire; a table pyiceberg wrote must read back through Table::Plan + DuckDB.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <set>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "iceberg/compaction.h"
#include "iceberg/parquet_files.h"
#include "iceberg/table.h"
#include "store/local_store.h"
#include "store/s3_store.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;
using namespace ticklake::iceberg;

std::string Python() { return (SourceDir() / ".deps" / "venv" / "bin" / "python").string(); }
std::string Peer(const char* name) { return (SourceDir() / "tests" / "peers" / name).string(); }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Lake {
  TempDir dir{"ticklake-iceberg"};
  fs::path root = dir.path() / "lake";
  std::string catalog_path = (dir.path() / "catalog.db").string();
  LocalStore store{root};
  SqlCatalog catalog{catalog_path};
  duck::Database db;
  duck::Connection conn{db};
  int files = 0;

  // Writes `select` as one data file of `table` in partition `partition` and returns it.
  DataFile Write(Table& table, const std::string& select, const std::vector<Literal>& partition) {
    auto local = dir.path() / fmt::format("staged-{}.parquet", ++files);
    DataFile f = WriteParquet(conn, select, table.metadata().CurrentSchema(), local);
    std::string key = table.NewDataFileKey(partition, fmt::format("part-{}", files));
    store.PutFile(key, local);
    fs::remove(local);
    f.location = table.LocationOf(key);
    f.partition = partition;
    f.spec_id = table.metadata().default_spec_id;
    return f;
  }
};

simdjson::dom::element ParseJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
  return doc;
}

TEST(IcebergPeersTest, PyicebergAndIcebirdReadWhatTicklakeWrote) {
  Lake lake;
  CreateTableOptions options;
  options.schema.fields = {NestedField{1, "index", TypeId::kString, false, ""},
                           NestedField{2, "ts", TypeId::kTimestampTz, false, ""},
                           NestedField{3, "close", TypeId::kDouble, false, ""}};
  options.partition_by = ParseIcebergPartitionBy("index,day(ts)");
  options.sort_order = {1, {SortField{2, Transform::kIdentity, true, true}}};
  options.properties = {{"ticklake.topic", "stock_market"}};
  Table table = Table::Create(lake.catalog, lake.store, {"default", "ticks"}, "ticks", options);

  // Four flushes of 50 rows per index on one day; the fourth adds a column (schema evolution).
  double close_sum = 0;
  int64_t records = 0;
  std::vector<int64_t> append_ids;
  for (int batch = 0; batch < 4; ++batch) {
    AppendRequest request;
    if (batch == 3) {
      Schema wider = table.metadata().CurrentSchema();
      wider.fields.push_back(NestedField{4, "volume", TypeId::kLong, false, ""});
      table.UpdateSchema(wider);
    }
    std::string volume = batch == 3 ? ", i::BIGINT AS volume" : "";
    for (std::string index : {"HSI", "N225"}) {
      std::string select = fmt::format(
          "SELECT {} AS index, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds({} * 100 + i) AS "
          "ts, "
          "({} * 1000 + i)::DOUBLE AS close{} FROM range(50) r(i)",
          duck::QuoteLiteral(index), batch, batch, volume);
      request.files.push_back(lake.Write(table, select, {index, int32_t{20454}}));
      for (int i = 0; i < 50; ++i) close_sum += batch * 1000 + i;
      records += 50;
    }
    request.summary = {{"ticklake.kafka.stock_market.0", std::to_string((batch + 1) * 100)}};
    append_ids.push_back(table.Append(request).snapshot_id);
  }
  ASSERT_EQ(table.Plan().files.size(), 8u);

  CompactResult compacted = Compact(table, {});
  ASSERT_TRUE(compacted.snapshot_id);
  EXPECT_EQ(compacted.files_removed, 8);
  EXPECT_EQ(compacted.files_added, 2);
  ExpireResult expired = table.Expire(NowMs() + 1, 2, NowMs() + 60'000);
  EXPECT_EQ(expired.snapshots_expired, 3);
  EXPECT_GT(expired.data_files_deleted + expired.manifest_files_deleted, 0);
  std::set<int64_t> snapshot_ids;
  for (const auto& s : table.metadata().snapshots) snapshot_ids.insert(s.snapshot_id);
  ASSERT_EQ(snapshot_ids, (std::set<int64_t>{append_ids[3], *compacted.snapshot_id}));

  // pyiceberg, through the SQL catalog.
  auto rows_file = lake.dir.path() / "rows.jsonl";
  CommandResult py = RunCommand({Python(), Peer("iceberg_read.py"), "--catalog", lake.catalog_path,
                                 "--table", "default.ticks", "--records-out", rows_file.string()});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  simdjson::dom::parser parser;
  auto doc = ParseJson(parser, py.out);
  EXPECT_EQ(int64_t(doc["records"]), records);
  EXPECT_EQ(int64_t(doc["files"]), 2);
  EXPECT_EQ(int64_t(doc["current_snapshot_id"]), *compacted.snapshot_id);
  std::set<int64_t> seen;
  for (auto s : doc["snapshots"].get_array()) {
    seen.insert(int64_t(s["snapshot_id"]));
    if (int64_t(s["snapshot_id"]) == *compacted.snapshot_id) {
      EXPECT_EQ(std::string_view(s["operation"]), "replace");
      EXPECT_EQ(std::string_view(s["summary"]["total-records"]), std::to_string(records));
    } else {
      EXPECT_EQ(std::string_view(s["operation"]), "append");
      EXPECT_EQ(std::string_view(s["summary"]["ticklake.kafka.stock_market.0"]), "400");
    }
  }
  EXPECT_EQ(seen, snapshot_ids);
  std::vector<std::string> schema;
  for (auto f : doc["schema"].get_array()) {
    schema.push_back(fmt::format("{}:{}:{}", int64_t(f["id"]), std::string_view(f["name"]),
                                 std::string_view(f["type"])));
  }
  EXPECT_EQ(schema, (std::vector<std::string>{"1:index:string", "2:ts:timestamptz",
                                              "3:close:double", "4:volume:long"}));
  std::vector<std::string> spec;
  for (auto f : doc["partition_spec"].get_array()) {
    spec.push_back(
        fmt::format("{}:{}", std::string_view(f["name"]), std::string_view(f["transform"])));
  }
  EXPECT_EQ(spec, (std::vector<std::string>{"index:identity", "ts_day:day"}));

  // Every row, with its content.
  std::ifstream rows(rows_file);
  std::string line;
  double py_sum = 0;
  int64_t py_rows = 0, with_volume = 0;
  std::set<std::string> days;
  while (std::getline(rows, line)) {
    simdjson::dom::parser line_parser;
    auto row = ParseJson(line_parser, line);
    py_sum += double(row["close"]);
    ++py_rows;
    if (!row["volume"].is_null()) ++with_volume;
    days.insert(std::string(std::string_view(row["ts"]).substr(0, 10)) +
                std::string(std::string_view(row["ts"]).substr(19)));
  }
  EXPECT_EQ(py_rows, records);
  EXPECT_DOUBLE_EQ(py_sum, close_sum);
  EXPECT_EQ(with_volume, 100);
  EXPECT_EQ(days, (std::set<std::string>{"2026-01-01+00:00"}));

  // Time travel to the last append (before compaction): same rows, eight files.
  CommandResult before =
      RunCommand({Python(), Peer("iceberg_read.py"), "--catalog", lake.catalog_path, "--table",
                  "default.ticks", "--snapshot-id", std::to_string(append_ids[3])});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  simdjson::dom::parser before_parser;
  auto before_doc = ParseJson(before_parser, before.out);
  EXPECT_EQ(int64_t(before_doc["records"]), records);
  EXPECT_EQ(int64_t(before_doc["files"]), 8);

  // icebird, from the metadata file the catalog points to.
  CommandResult js =
      RunCommand({"node", Peer("iceberg_read_icebird.mjs"), table.metadata_location(), "close"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  simdjson::dom::parser js_parser;
  auto js_doc = ParseJson(js_parser, js.out);
  EXPECT_EQ(int64_t(js_doc["records"]), records);
  EXPECT_DOUBLE_EQ(double(js_doc["sum"]), close_sum);
  std::vector<std::string> columns;
  for (auto c : js_doc["columns"].get_array()) columns.emplace_back(std::string_view(c));
  EXPECT_EQ(columns, (std::vector<std::string>{"index", "ts", "close", "volume"}));

  // A bad table name is a clear failure, not an empty table.
  CommandResult missing = RunCommand({Python(), Peer("iceberg_read.py"), "--catalog",
                                      lake.catalog_path, "--table", "default.nope"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("default.nope"), std::string::npos) << missing.err;
}

TEST(IcebergPeersTest, TicklakeReadsAndExtendsWhatPyicebergWrote) {
  Lake lake;
  std::string warehouse = "file://" + lake.root.string();
  CommandResult py =
      RunCommand({Python(), Peer("iceberg_write.py"), "--catalog", lake.catalog_path, "--warehouse",
                  warehouse, "--table", "default.pyw", "--rows", "300"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  simdjson::dom::parser parser;
  auto doc = ParseJson(parser, py.out);
  double close_sum = double(doc["close_sum"]);

  auto table = Table::Load(lake.catalog, lake.store, {"default", "pyw"});
  ASSERT_TRUE(table);
  EXPECT_EQ(table->metadata().snapshots.size(), 2u);
  ScanPlan plan = table->Plan();
  ASSERT_FALSE(plan.files.empty());
  int64_t planned_records = 0;
  std::string list;
  for (const auto& f : plan.files) {
    planned_records += f.record_count;
    EXPECT_FALSE(f.lower_bounds.empty()) << f.location;  // pyiceberg's statistics were read
    list += (list.empty() ? "" : ", ") +
            duck::QuoteLiteral(lake.store.LocalPath(table->KeyOf(f.location))->string());
  }
  EXPECT_EQ(planned_records, 300);
  duck::Result r =
      lake.conn.Query(fmt::format("SELECT count(*), sum(close) FROM read_parquet([{}])", list));
  EXPECT_EQ(r.GetInt64(0, 0), 300);
  EXPECT_DOUBLE_EQ(r.GetDouble(1, 0), close_sum);
  // Pruning by pyiceberg's partition values: index = 'HSI' keeps half the files.
  ScanPlan hsi = table->Plan({{}, {}, {{1, std::string("HSI"), std::string("HSI")}}});
  EXPECT_GT(hsi.files_pruned, 0);
  EXPECT_EQ(hsi.files.size() + hsi.files_pruned, plan.files.size());

  // ticklake appends to pyiceberg's table; pyiceberg reads both writers' rows.
  DataFile f = lake.Write(*table,
                          "SELECT 'HSI' AS index, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS ts, "
                          "1000.0::DOUBLE AS close, 7::BIGINT AS volume",
                          {std::string("HSI"), int32_t{20454}});
  table->Append({{f}, {}, {}, {}});
  CommandResult back = RunCommand({Python(), Peer("iceberg_read.py"), "--catalog",
                                   lake.catalog_path, "--table", "default.pyw"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  simdjson::dom::parser back_parser;
  auto back_doc = ParseJson(back_parser, back.out);
  EXPECT_EQ(int64_t(back_doc["records"]), 301);
  EXPECT_EQ(back_doc["snapshots"].get_array().size(), 3u);
}

TEST(IcebergPeersTest, PyicebergReadsEveryTypeDuckDbWrites) {
  Lake lake;
  CreateTableOptions options;
  int32_t id = 1;
  for (auto [name, type] :
       std::vector<std::pair<const char*, TypeId>>{{"b", TypeId::kBoolean},
                                                   {"i", TypeId::kInt},
                                                   {"l", TypeId::kLong},
                                                   {"f", TypeId::kFloat},
                                                   {"d", TypeId::kDouble},
                                                   {"day", TypeId::kDate},
                                                   {"ts", TypeId::kTimestamp},
                                                   {"tstz", TypeId::kTimestampTz},
                                                   {"s", TypeId::kString},
                                                   {"bin", TypeId::kBinary}}) {
    options.schema.fields.push_back(NestedField{id++, name, type, false, ""});
  }
  options.partition_by = ParseIcebergPartitionBy("month(day),hour(tstz),year(ts)");
  Table table = Table::Create(lake.catalog, lake.store, {"default", "types"}, "types", options);
  DataFile f = lake.Write(table,
                          "SELECT true AS b, -7 AS i, 1234567890123::BIGINT AS l, 1.5::FLOAT AS f, "
                          "-0.25 AS d, DATE '1969-12-31' AS day, "
                          "TIMESTAMP '2026-01-02 03:04:05.678901' AS ts, "
                          "TIMESTAMPTZ '2026-01-02 03:00:00+00' AS tstz, 'ü' AS s, "
                          "'\\x00\\xFF'::BLOB AS bin",
                          {int32_t{-1}, int32_t{20455 * 24 + 3}, int32_t{56}});
  table.Append({{f}, {}, {}, {}});
  auto rows_file = lake.dir.path() / "rows.jsonl";
  CommandResult py = RunCommand({Python(), Peer("iceberg_read.py"), "--catalog", lake.catalog_path,
                                 "--table", "default.types", "--records-out", rows_file.string()});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  std::string row = ReadWholeFile(rows_file);
  EXPECT_EQ(row,
            "{\"b\": true, \"i\": -7, \"l\": 1234567890123, \"f\": 1.5, \"d\": -0.25, "
            "\"day\": \"1969-12-31\", \"ts\": \"2026-01-02T03:04:05.678901\", "
            "\"tstz\": \"2026-01-02T03:00:00+00:00\", \"s\": \"\\u00fc\", \"bin\": \"00ff\"}\n");
}

TEST(IcebergPeersTest, PyicebergReadsATableInAnS3Lake) {
  TempDir dir("ticklake-iceberg-s3");
  S3ServerProcess server(dir.path(), {"lake"});
  S3Options s3;
  s3.aws.access_key_id = "S3RVER";
  s3.aws.secret_access_key = "S3RVER";
  s3.aws.endpoint = server.endpoint();
  S3Store store("s3://lake/warehouse", s3);
  std::string catalog_path = (dir.path() / "catalog.db").string();
  SqlCatalog catalog(catalog_path);
  duck::Database db;
  duck::Connection conn(db);
  CreateTableOptions options;
  options.schema.fields = {NestedField{1, "index", TypeId::kString, false, ""},
                           NestedField{2, "close", TypeId::kDouble, false, ""}};
  options.partition_by = ParseIcebergPartitionBy("index");
  Table table = Table::Create(catalog, store, {"default", "s3ticks"}, "s3ticks", options);
  EXPECT_TRUE(table.metadata().location == "s3://lake/warehouse/s3ticks")
      << table.metadata().location;
  for (int batch = 0; batch < 3; ++batch) {
    auto local = dir.path() / "staged.parquet";
    DataFile f = WriteParquet(conn,
                              fmt::format("SELECT 'HSI' AS index, (i + {})::DOUBLE AS close "
                                          "FROM range(100) r(i)",
                                          batch * 100),
                              table.metadata().CurrentSchema(), local);
    std::string key = table.NewDataFileKey({std::string("HSI")}, fmt::format("part-{}", batch));
    store.PutFile(key, local);
    f.location = table.LocationOf(key);
    f.partition = {std::string("HSI")};
    table.Append({{f}, {}, {}, {}});
  }
  CompactResult compacted = Compact(table, {});
  EXPECT_EQ(compacted.files_removed, 3);
  table.Expire(NowMs() + 1, 1, NowMs() + 60'000);

  CommandResult py = RunCommand(
      {Python(), Peer("iceberg_read.py"), "--catalog", catalog_path, "--table", "default.s3ticks"},
      std::chrono::seconds(120), server.Env());
  ASSERT_EQ(py.exit_code, 0) << py.err;
  simdjson::dom::parser parser;
  auto doc = ParseJson(parser, py.out);
  EXPECT_EQ(int64_t(doc["records"]), 300);
  EXPECT_EQ(int64_t(doc["files"]), 1);
  EXPECT_EQ(doc["snapshots"].get_array().size(), 1u);
}

}  // namespace
}  // namespace ticklake::test
