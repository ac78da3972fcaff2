// Integration tests of `ticklake crawl` and `ticklake catalog`: lakes are built here with DuckDB
// (the sink's Parquet layout), plain files (JSON Lines, the tutorial's one object per file) and
// deliberately corrupt files, then crawled by the real binary.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <fstream>

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

// The sink's layout: <topic>/index=<escaped>/part-<partition>-<offset>.parquet.
void WriteParquet(duck::Connection& conn, const fs::path& path, const std::string& select) {
  fs::create_directories(path.parent_path());
  conn.Query("COPY (" + select + ") TO " + duck::QuoteLiteral(path.string()) +
             " (FORMAT parquet, COMPRESSION zstd)");
}

struct Lake {
  TempDir dir{"ticklake-crawl"};
  fs::path root = dir.path() / "tutorial_bucket";
  fs::path catalog = dir.path() / "catalog.db";

  void Build() {
    duck::Database db;
    duck::Connection conn(db);
    const char* rows =
        "SELECT DATE '2020-01-02' + i::INT AS \"Date\", i * 1.5::DOUBLE AS \"Adj Close\", "
        "i::BIGINT AS "
        "\"Volume\", 'stock_market' AS kafka_topic, 0::INT AS kafka_partition, i::BIGINT AS "
        "kafka_offset FROM range(10) t(i)";
    for (const char* index : {"HSI", "NYA", "000001.SS", "a%2Fb", "__HIVE_DEFAULT_PARTITION__"}) {
      WriteParquet(conn,
                   root / "stock_market" / (std::string("index=") + index) /
                       "part-00000-00000000000000000000.parquet",
                   rows);
    }
    Write(root / "events/a.jsonl", "{\"id\":1,\"user\":{\"name\":\"ann\"}}\n{\"id\":2}\n");
    Write(root / "events/b.jsonl.bad", "ignored: unknown extension");
    for (int i = 0; i < 50; ++i) {
      Write(root / fmt::format("stock_market_{}.json", i),
            fmt::format("{{\"Index\": \"HSI\", \"Date\": \"2021-01-{:02d}\", \"Open\": {}.5, "
                        "\"Adj Close\": {}.25, \"Volume\": 0.0, \"CloseUSD\": 1.0}}",
                        i % 28 + 1, i, i));
    }
    Write(root / "_ticklake/staging/part-x.parquet", "staging, not data");
    Write(root / "_errors/stock_market/x.jsonl", "{broken");
  }

  CommandResult Crawl(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {
        TicklakeBinary(), "crawl",       "--lake",
        root.string(),    "--catalog",   catalog.string(),
        "--json",         "--cache-dir", (dir.path() / "cache").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv);
  }
  CommandResult Catalog(std::vector<std::string> args) {
    std::vector<std::string> argv = {TicklakeBinary(), "catalog", "--catalog", catalog.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
};

struct Summary {
  int64_t tables_created = 0, tables_updated = 0, partitions_added = 0, files_read = 0,
          files_unchanged = 0, errors = 0;
  std::vector<std::string> error_paths;
};

Summary Parse(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string text(json);
  simdjson::dom::element doc = parser.parse(text).value();
  Summary s;
  s.tables_created = doc["tables_created"].get_int64().value();
  s.tables_updated = doc["tables_updated"].get_int64().value();
  s.partitions_added = doc["partitions_added"].get_int64().value();
  s.files_read = doc["files_read"].get_int64().value();
  s.files_unchanged = doc["files_unchanged"].get_int64().value();
  s.errors = doc["errors"].get_int64().value();
  simdjson::dom::array list = doc["error_list"].get_array().value();
  for (auto e : list) s.error_paths.emplace_back(std::string_view(e["path"].get_string().value()));
  return s;
}

}  // namespace

TEST(Crawl, ParquetJsonAndTutorialLayoutsBecomeTables) {
  Lake lake;
  lake.Build();
  CommandResult r = lake.Crawl();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = Parse(r.out);
  EXPECT_EQ(s.tables_created, 3);
  EXPECT_EQ(s.partitions_added, 5);
  EXPECT_EQ(s.files_read, 5 + 1 + 50);
  EXPECT_EQ(s.errors, 0) << r.out;

  catalog::Catalog cat(lake.catalog);
  auto sm = cat.GetTable("default", "stock_market");
  ASSERT_TRUE(sm);
  EXPECT_EQ(sm->classification, "parquet");
  EXPECT_EQ(sm->compression, "zstd");
  EXPECT_EQ(sm->record_count, 50);
  ASSERT_EQ(sm->partition_keys.size(), 1u);
  EXPECT_EQ(sm->partition_keys[0].name, "index");
  EXPECT_EQ(sm->partition_keys[0].type, "string");
  std::vector<std::string> names;
  for (const auto& c : sm->columns) names.push_back(c.name + " " + c.type);
  EXPECT_EQ(names, (std::vector<std::string>{"date date", "adj close double", "volume bigint",
                                             "kafka_topic string", "kafka_partition int",
                                             "kafka_offset bigint"}));
  auto partitions = cat.ListPartitions("default", "stock_market");
  ASSERT_EQ(partitions.size(), 5u);
  bool saw_escaped = false, saw_null = false;
  for (const auto& p : partitions) {
    EXPECT_EQ(p.file_count, 1);
    EXPECT_GT(p.size_bytes, 0);
    EXPECT_GT(p.last_modified_ms, 0);
    saw_escaped |= p.values[0] == "a/b";
    saw_null |= !p.values[0].has_value();
  }
  EXPECT_TRUE(saw_escaped);
  EXPECT_TRUE(saw_null);

  auto tutorial = cat.GetTable("default", "tutorial_bucket");
  ASSERT_TRUE(tutorial);
  EXPECT_EQ(tutorial->classification, "json");
  EXPECT_EQ(tutorial->serde, "org.openx.data.jsonserde.JsonSerDe");
  EXPECT_EQ(tutorial->file_count, 50);
  EXPECT_EQ(tutorial->columns.size(), 6u);
  EXPECT_EQ(tutorial->columns[3].name, "adj close");
  EXPECT_EQ(tutorial->columns[3].source_name, "Adj Close");
  EXPECT_EQ(tutorial->columns[1].type, "date");
  auto events = cat.GetTable("default", "events");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->columns[1].type, "struct<name:string>");

  CommandResult ls = lake.Catalog({"ls"});
  EXPECT_EQ(ls.exit_code, 0);
  EXPECT_NE(ls.out.find("stock_market"), std::string::npos);
  EXPECT_NE(ls.out.find("tutorial_bucket"), std::string::npos);
  CommandResult show = lake.Catalog({"show", "stock_market"});
  EXPECT_NE(show.out.find("index=a%2Fb/"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("recordCount            50"), std::string::npos) << show.out;
  CommandResult ddl =
      lake.Catalog({"ddl", "default.stock_market", "--location-prefix", "s3://bkt/lake"});
  EXPECT_EQ(ddl.exit_code, 0) << ddl.err;
  EXPECT_NE(ddl.out.find("CREATE EXTERNAL TABLE `default`.`stock_market`"), std::string::npos);
  EXPECT_NE(ddl.out.find("`adj close` double"), std::string::npos);
  EXPECT_NE(ddl.out.find("PARTITIONED BY (\n  `index` string\n)"), std::string::npos) << ddl.out;
  EXPECT_NE(ddl.out.find("ParquetHiveSerDe"), std::string::npos);
  EXPECT_NE(ddl.out.find("LOCATION 's3://bkt/lake/stock_market/'"), std::string::npos);
  EXPECT_NE(
      ddl.out.find("PARTITION (`index`='a/b') LOCATION 's3://bkt/lake/stock_market/index=a%2Fb/'"),
      std::string::npos)
      << ddl.out;
  CommandResult json_ddl = lake.Catalog({"ddl", "tutorial_bucket"});
  EXPECT_NE(json_ddl.out.find("org.openx.data.jsonserde.JsonSerDe"), std::string::npos);
  EXPECT_NE(json_ddl.out.find("LOCATION '" + lake.root.string() + "/'"), std::string::npos)
      << json_ddl.out;
  CommandResult glue = lake.Catalog({"glue", "stock_market"});
  EXPECT_EQ(glue.exit_code, 0);
  simdjson::dom::parser parser;
  simdjson::padded_string glue_text(glue.out);
  simdjson::dom::element input = parser.parse(glue_text).value();
  EXPECT_EQ(std::string_view(input["Name"].get_string().value()), "stock_market");
  EXPECT_EQ(std::string_view(input["PartitionKeys"].at(0)["Name"].get_string().value()), "index");
  EXPECT_EQ(std::string_view(input["Parameters"]["recordCount"].get_string().value()), "50");
  EXPECT_EQ(
      std::string_view(
          input["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].get_string().value()),
      "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");

  // awscli's own parameter validation accepts the TableInput: the call fails only at connecting.
  for (const char* table : {"stock_market", "tutorial_bucket"}) {
    CommandResult export_json = lake.Catalog({"glue", table});
    fs::path file = lake.dir.path() / (std::string(table) + ".json");
    std::ofstream(file) << export_json.out;
    CommandResult aws = RunCommand(
        {"/usr/bin/aws", "glue", "create-table", "--database-name", "d", "--table-input",
         "file://" + file.string(), "--endpoint-url", "http://127.0.0.1:1", "--cli-connect-timeout",
         "2"},
        std::chrono::seconds(120),
        {"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=y", "AWS_DEFAULT_REGION=us-east-1",
         "AWS_MAX_ATTEMPTS=1", "AWS_CONFIG_FILE=/dev/null"});
    EXPECT_NE(aws.exit_code, 0);
    EXPECT_EQ(aws.err.find("Parameter validation failed"), std::string::npos)
        << table << ": " << aws.err;
    EXPECT_NE(aws.err.find("Could not connect to the endpoint URL"), std::string::npos)
        << table << ": " << aws.err;
  }
}

TEST(Crawl, CorruptFilesAreListedAndTheCrawlContinues) {
  Lake lake;
  lake.Build();
  std::string good =
      ReadWholeFile(lake.root / "stock_market/index=HSI/part-00000-00000000000000000000.parquet");
  Write(lake.root / "stock_market/index=HSI/part-00001-00000000000000000000.parquet",
        good.substr(0, good.size() / 2));  // truncated Parquet
  Write(lake.root / "events/c.jsonl", "{\"id\":3}\n{\"id\": 4,,}\n");
  CommandResult r = lake.Crawl();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s = Parse(r.out);
  EXPECT_EQ(s.errors, 2);
  EXPECT_EQ(s.tables_created, 3);
  std::sort(s.error_paths.begin(), s.error_paths.end());
  ASSERT_EQ(s.error_paths.size(), 2u);
  EXPECT_EQ(s.error_paths[0], (lake.root / "events/c.jsonl").string());
  EXPECT_EQ(
      s.error_paths[1],
      (lake.root / "stock_market/index=HSI/part-00001-00000000000000000000.parquet").string());
  CommandResult crawls = lake.Catalog({"crawls"});
  EXPECT_NE(crawls.out.find("2 errors"), std::string::npos) << crawls.out;
  EXPECT_NE(crawls.out.find("line 2: invalid JSON"), std::string::npos) << crawls.out;
}

TEST(Crawl, RecrawlReadsOnlyNewAndChangedObjects) {
  Lake lake;
  lake.Build();
  ASSERT_EQ(lake.Crawl().exit_code, 0);
  Summary again = Parse(lake.Crawl().out);
  EXPECT_EQ(again.files_read, 0);
  EXPECT_EQ(again.files_unchanged, 56);
  EXPECT_EQ(again.tables_created + again.tables_updated, 0);

  Write(lake.root / "stock_market_50.json",
        "{\"Index\": \"NYA\", \"Date\": \"2021-02-01\", \"Open\": 1, \"Adj Close\": 2.5, "
        "\"Volume\": 0.0, \"CloseUSD\": 1.0, \"Extra\": true}");
  Write(lake.root / "events/a.jsonl",
        "{\"id\":1,\"user\":{\"name\":\"ann\"}}\n{\"id\":5}\n{\"id\":6}\n");
  Summary third = Parse(lake.Crawl().out);
  EXPECT_EQ(third.files_read, 2);
  EXPECT_EQ(third.files_unchanged, 55);
  EXPECT_EQ(third.tables_updated, 2);
  catalog::Catalog cat(lake.catalog);
  EXPECT_EQ(cat.GetTable("default", "events")->record_count, 3);
  EXPECT_EQ(cat.GetTable("default", "tutorial_bucket")->version, 2);
  CommandResult history = lake.Catalog({"history", "tutorial_bucket"});
  EXPECT_NE(history.out.find("version 2"), std::string::npos);
  EXPECT_NE(history.out.find("added extra"), std::string::npos) << history.out;
}

// `catalog show` gives the average file size and warns about many tiny files; a re-crawl that
// finds nothing new leaves the tables' "updated" time alone (issue 12).
TEST(Crawl, ShowWarnsAboutTinyFilesAndUnchangedTablesKeepTheirUpdatedTime) {
  Lake lake;
  lake.Build();
  ASSERT_EQ(lake.Crawl().exit_code, 0);
  CommandResult tiny = lake.Catalog({"show", "tutorial_bucket"});
  EXPECT_NE(tiny.out.find("files        50 ("), std::string::npos) << tiny.out;
  EXPECT_NE(tiny.out.find(" per file on average)"), std::string::npos) << tiny.out;
  EXPECT_NE(tiny.out.find("warning      50 files of "), std::string::npos) << tiny.out;
  CommandResult few = lake.Catalog({"show", "stock_market"});
  EXPECT_NE(few.out.find("files        5 ("), std::string::npos) << few.out;
  EXPECT_EQ(few.out.find("warning"), std::string::npos) << few.out;

  {
    catalog::Catalog cat(lake.catalog);
    catalog::TableInfo t = *cat.GetTable("default", "stock_market");
    t.updated_ms = 1000;  // as if crawled long ago
    cat.SaveTable(t);
  }
  ASSERT_EQ(lake.Crawl().exit_code, 0);
  CommandResult shown = lake.Catalog({"show", "stock_market"});
  EXPECT_NE(shown.out.find("updated 1970-01-01 00:00:01)"), std::string::npos) << shown.out;
}

TEST(Crawl, TwoConcurrentCrawlsIntoOneCatalogBothSucceed) {
  Lake lake;
  lake.Build();
  std::vector<std::string> argv = {
      TicklakeBinary(),      "crawl", "--lake", lake.root.string(), "--catalog",
      lake.catalog.string(), "--json"};
  Subprocess a(argv, lake.dir.path()), b(argv, lake.dir.path() / "b");
  EXPECT_EQ(a.Wait(), 0) << a.Stderr();
  EXPECT_EQ(b.Wait(), 0) << b.Stderr();
  catalog::Catalog cat(lake.catalog);
  EXPECT_EQ(cat.ListTables("default").size(), 3u);
  EXPECT_EQ(cat.ListCrawls("default", 10).size(), 2u);
  for (const auto& run : cat.ListCrawls("default", 10)) EXPECT_EQ(run.state, "succeeded");
  EXPECT_EQ(cat.ListFiles("default", "tutorial_bucket").size(), 50u);
}

TEST(Crawl, ClearErrorsForMissingThingsAndBadFlags) {
  Lake lake;
  CommandResult missing_catalog = lake.Catalog({"ls"});
  EXPECT_EQ(missing_catalog.exit_code, 1);
  EXPECT_NE(missing_catalog.err.find("ticklake catalog: no catalog at"), std::string::npos)
      << missing_catalog.err;
  CommandResult missing_lake = lake.Crawl();
  EXPECT_EQ(missing_lake.exit_code, 1);
  EXPECT_NE(missing_lake.err.find("does not exist"), std::string::npos) << missing_lake.err;
  lake.Build();
  CommandResult bad_flag = lake.Crawl({"--on-delete", "shred"});
  EXPECT_NE(bad_flag.exit_code, 0);
  EXPECT_NE(bad_flag.err.find("--on-delete"), std::string::npos) << bad_flag.err;
  ASSERT_EQ(lake.Crawl().exit_code, 0);
  CommandResult no_table = lake.Catalog({"show", "stock_markt"});
  EXPECT_EQ(no_table.exit_code, 1);
  EXPECT_NE(no_table.err.find("no table default.stock_markt"), std::string::npos) << no_table.err;
}

TEST(Crawl, ExcludeGlobsAndDeletedTables) {
  Lake lake;
  lake.Build();
  ASSERT_EQ(lake.Crawl({"--exclude", "events"}).exit_code, 0);
  catalog::Catalog cat(lake.catalog);
  EXPECT_FALSE(cat.GetTable("default", "events"));
  fs::remove_all(lake.root / "stock_market");
  Summary s = Parse(lake.Crawl({"--exclude", "events"}).out);
  EXPECT_EQ(cat.GetTable("default", "stock_market")->state, "deprecated");
  CommandResult gone =
      RunCommand({TicklakeBinary(), "query", "--catalog", lake.catalog.string(), "--data-dir",
                  (lake.dir.path() / "data").string(), "SELECT count(*) FROM stock_market"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("table default.stock_market is deprecated"), std::string::npos)
      << gone.err;
  (void)s;
  ASSERT_EQ(lake.Crawl({"--exclude", "events", "--on-delete", "delete"}).exit_code, 0);
  EXPECT_TRUE(cat.GetTable("default", "stock_market"));  // deprecated tables are kept
}

}  // namespace ticklake::test
