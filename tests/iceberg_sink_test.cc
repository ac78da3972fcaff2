// The sink writing Apache Iceberg tables (--table-format iceberg) against a real broker process,
// checked by an independent Iceberg reader: pyiceberg (tests/peers/iceberg_read.py, through the
// SQL catalog in catalog.db) must read every record Kafka acknowledged exactly once with its
// content, after kill -9 at random points too, on a local and on an S3 lake; schema evolution
// and records that do not fit the schema are seen as users would see them.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/file_util.h"
#include "common/strings.h"
#include "iceberg/sql_catalog.h"
#include "iceberg/table.h"
#include "lake/iceberg_offsets.h"
#include "store/object_store.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

// kcat -P -K '\t' input: one "key<TAB>payload" line per message.
void Produce(const std::string& bootstrap, const fs::path& dir,
             const std::vector<std::string>& lines, const std::string& topic = "stock_market") {
  static int files = 0;
  fs::path file = dir / ("kcat-" + std::to_string(files++) + ".txt");
  {
    std::ofstream out(file);
    for (const auto& line : lines) out << line << "\n";
  }
  auto result =
      RunCommand({"kcat", "-b", bootstrap, "-P", "-t", topic, "-K", "\t", "-l", file.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

// Messages whose content is a function of seq, so a table can be checked record by record.
std::vector<std::string> SeqMessages(int first, int end) {
  const char* symbols[] = {"HSI", "N225", "GDAXI", "NYA", "IXIC", "J203.JO", "000001.SS"};
  std::vector<std::string> lines;
  for (int i = first; i < end; ++i) {
    const char* symbol = symbols[i % 7];
    lines.push_back(fmt::format(
        "{}\t{{\"Index\":\"{}\",\"seq\":{},\"Close\":{},\"ts\":\"2026-11-27T10:00:{:02}.5Z\"}}",
        symbol, symbol, i, 100 + i * 0.25, i % 60));
  }
  return lines;
}

struct TableRead {
  int exit_code = -1;
  std::string out, err;
  int64_t records = -1;
  std::vector<std::string> rows;  // with records_out
};

// pyiceberg's view of the table: its JSON summary and, with rows, every row as JSON.
TableRead ReadWithPyiceberg(const fs::path& catalog, const fs::path& dir, bool rows,
                            const std::vector<std::string>& env = {},
                            const std::string& table = "default.stock_market") {
  fs::path records = dir / "pyiceberg-rows.jsonl";
  std::vector<std::string> argv = {(SourceDir() / ".deps" / "venv" / "bin" / "python").string(),
                                   (SourceDir() / "tests" / "peers" / "iceberg_read.py").string(),
                                   "--catalog",
                                   catalog.string(),
                                   "--table",
                                   table};
  if (rows) argv.insert(argv.end(), {"--records-out", records.string()});
  auto result = RunCommand(argv, std::chrono::seconds(120), env);
  TableRead read{result.exit_code, result.out, result.err, -1, {}};
  if (result.exit_code != 0) return read;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(result.out)).get(doc)) return read;
  read.records = doc["records"].get_int64().value();
  if (rows) {
    std::ifstream in(records);
    for (std::string line; std::getline(in, line);) read.rows.push_back(line);
  }
  return read;
}

// The next offsets the table's current snapshot holds, summed over partitions (read with
// ticklake's own Iceberg library: progress only; the verdicts come from pyiceberg).
int64_t CommittedInTable(const fs::path& catalog_path, const fs::path& lake) {
  if (!fs::exists(catalog_path)) return 0;
  try {
    iceberg::SqlCatalog catalog(catalog_path.string());
    auto store = OpenObjectStore(lake.string());
    auto table = iceberg::Table::Load(catalog, *store, {"default", "stock_market"});
    if (!table) return 0;
    int64_t total = 0;
    for (auto [partition, next] : lake::CommittedOffsets(table->metadata(), "stock_market"))
      total += next;
    return total;
  } catch (const Error&) {
    return 0;  // the catalog is being created
  }
}

std::vector<std::string> IcebergSinkArgs(const std::string& bootstrap, const std::string& lake,
                                         const fs::path& catalog, std::vector<std::string> extra) {
  std::vector<std::string> argv = {TicklakeBinary(), "sink",    "-b",        bootstrap,
                                   "--lake",         lake,      "--catalog", catalog.string(),
                                   "--table-format", "iceberg", "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Every row pyiceberg read is one of seq 0..total-1, once, with its content.
void ExpectSeqRowsExactlyOnce(const TableRead& read, int64_t total) {
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.records, total);
  std::set<std::pair<int64_t, int64_t>> offsets;
  std::set<int64_t> seqs;
  simdjson::dom::parser parser;
  for (const auto& line : read.rows) {
    simdjson::dom::element row = parser.parse(simdjson::padded_string(line)).value();
    int64_t seq = row["seq"].get_int64().value();
    offsets.emplace(row["kafka_partition"].get_int64().value(),
                    row["kafka_offset"].get_int64().value());
    seqs.insert(seq);
    EXPECT_EQ(row["close"].get_double().value(), 100 + static_cast<double>(seq) * 0.25) << line;
    EXPECT_EQ(std::string(row["ts"].get_string().value()),
              fmt::format("2026-11-27T10:00:{:02}.500000+00:00", seq % 60))
        << line;
    EXPECT_TRUE(seq >= 0 && seq < total) << line;
  }
  EXPECT_EQ(static_cast<int64_t>(offsets.size()), total);
  EXPECT_EQ(static_cast<int64_t>(seqs.size()), total);
}

class IcebergSinkTest : public ::testing::Test {
 protected:
  TempDir dir_{"ticklake-iceberg-sink-test"};
  fs::path lake_ = dir_.path() / "lake";
  fs::path catalog_ = dir_.path() / "catalog.db";
};

// Kafka's own view of the topic: payload by (partition, offset), read back with kcat.
std::map<std::pair<int64_t, int64_t>, std::string> TopicContents(const std::string& bootstrap) {
  auto result = RunCommand(
      {"kcat", "-b", bootstrap, "-C", "-t", "stock_market", "-e", "-q", "-f", "%p\t%o\t%s\n"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::pair<int64_t, int64_t>, std::string> contents;
  std::istringstream in(result.out);
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    contents[{std::stoll(line.substr(0, a)), std::stoll(line.substr(a + 1, b - a - 1))}] =
        line.substr(b + 1);
  }
  return contents;
}

// "" when the row pyiceberg read holds the payload's every field (names lower-cased, timestamps
// in pyiceberg's ISO form), else what differs.
std::string CompareRow(simdjson::dom::object row, simdjson::dom::object payload) {
  for (auto field : payload) {
    std::string column = AsciiLower(field.key);
    simdjson::dom::element value;
    if (row[column].get(value)) return "no column " + column;
    if (field.value.is_number()) {
      if (!value.is_number() || value.get_double().value() != field.value.get_double().value())
        return fmt::format("{}: {} != {}", column, simdjson::minify(value),
                           simdjson::minify(field.value));
    } else if (field.value.is_string()) {
      std::string want(field.value.get_string().value());
      bool timestamp = want.size() > 19 && want[10] == 'T' && want.ends_with("Z");
      if (timestamp) want = want.substr(0, want.size() - 1) + "+00:00";
      if (!value.is_string() || std::string(value.get_string().value()) != want)
        return fmt::format("{}: {} != {}", column, simdjson::minify(value), want);
    }
  }
  return "";
}

// The feed's records from `ticklake produce` and records from kcat: every record pyiceberg reads
// is one Kafka acknowledged, once, with its content; bad records and records that do not fit the
// schema are dead letters with their reason; a new field becomes a column.
TEST_F(IcebergSinkTest, EveryAcknowledgedRecordOnceReadByPyiceberg) {
  BrokerProcess broker(dir_.path());
  auto produced = RunCommand({TicklakeBinary(), "produce", "-b", broker.bootstrap(), "--rate",
                              "max", "--count", "3000", "--seed", "7", "--json"});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  ASSERT_NE(produced.out.find("\"acknowledged\":3000"), std::string::npos) << produced.out;
  Produce(broker.bootstrap(), dir_.path(),
          {"HSI\tnot json", "HSI\t{\"Index\":\"HSI\",\"Close\":\"n/a\",\"Volume\":1}"});
  auto first = RunCommand(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_,
                                          {"-e", "--partition-by", "Index,day(ts)"}));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("\"records_written\":3000"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("\"error_records\":2"), std::string::npos) << first.out;

  TableRead read = ReadWithPyiceberg(catalog_, dir_.path(), true);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.records, 3000);
  EXPECT_NE(read.out.find("\"transform\": \"day\""), std::string::npos) << read.out;
  EXPECT_NE(read.out.find("{\"id\": 10, \"name\": \"ts\", \"type\": \"timestamptz\""),
            std::string::npos)
      << read.out;
  auto topic = TopicContents(broker.bootstrap());
  simdjson::dom::parser row_parser, payload_parser;
  std::set<std::pair<int64_t, int64_t>> seen;
  for (const auto& line : read.rows) {
    simdjson::dom::object row =
        row_parser.parse(simdjson::padded_string(line)).get_object().value();
    std::pair<int64_t, int64_t> at{row["kafka_partition"].get_int64().value(),
                                   row["kafka_offset"].get_int64().value()};
    ASSERT_TRUE(seen.insert(at).second) << "twice: " << line;
    ASSERT_TRUE(topic.count(at)) << "not in the topic: " << line;
    simdjson::dom::object payload =
        payload_parser.parse(simdjson::padded_string(topic[at])).get_object().value();
    ASSERT_EQ(CompareRow(row, payload), "") << line << "\nKafka: " << topic[at];
  }
  EXPECT_EQ(seen.size(), 3000u);

  std::string errors;
  for (const auto& entry : fs::recursive_directory_iterator(lake_ / "_errors" / "stock_market"))
    errors += ReadWholeFile(entry.path());
  EXPECT_NE(errors.find("not JSON"), std::string::npos) << errors;
  EXPECT_NE(errors.find("field 'Close' is a string but column close is double"), std::string::npos)
      << errors;

  // Records gain a field: a new column, null in the old rows; a second snapshot. A fraction in
  // the (now existing) long column is a dead letter: long -> double is no Iceberg promotion.
  Produce(
      broker.bootstrap(), dir_.path(),
      {"HSI\t{\"Index\":\"HSI\",\"Close\":2,\"Venue\":\"XHKG\",\"ts\":\"2026-11-28T01:00:00Z\"}",
       "HSI\t{\"Index\":\"HSI\",\"Close\":1.5,\"Volume\":2.5}"});
  auto second = RunCommand(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_,
                                           {"-e", "--partition-by", "Index,day(ts)"}));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("\"records_written\":1,"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("\"error_records\":1,"), std::string::npos) << second.out;
  errors.clear();
  for (const auto& entry : fs::recursive_directory_iterator(lake_ / "_errors" / "stock_market"))
    errors += ReadWholeFile(entry.path());
  EXPECT_NE(errors.find("field 'Volume' is a number with a fraction but column volume is long"),
            std::string::npos)
      << errors;
  TableRead evolved = ReadWithPyiceberg(catalog_, dir_.path(), true);
  ASSERT_EQ(evolved.exit_code, 0) << evolved.err;
  EXPECT_EQ(evolved.records, 3001);
  EXPECT_NE(evolved.out.find("\"name\": \"venue\", \"type\": \"string\""), std::string::npos)
      << evolved.out;
  int venues = 0, nulls = 0;
  for (const auto& line : evolved.rows) {
    if (line.find("\"venue\": \"XHKG\"") != std::string::npos) ++venues;
    if (line.find("\"venue\": null") != std::string::npos) ++nulls;
  }
  EXPECT_EQ(venues, 1);
  EXPECT_EQ(nulls, 3000);
}

// Kills a sink with SIGKILL once the table has moved past a random point, plus a random jitter so
// kills land in every phase (consuming, writing files, uploading, committing). Steps average 600
// records, so the 18 single-sink rounds leave work for the two-member rounds.
void KillAtRandomPoint(Subprocess& sink, const fs::path& catalog, const fs::path& lake,
                       int64_t total, std::mt19937& random) {
  int64_t target = std::min<int64_t>(
      CommittedInTable(catalog, lake) + 1 + static_cast<int64_t>(random() % 1200), total);
  ASSERT_TRUE(WaitFor([&] { return CommittedInTable(catalog, lake) >= target || !sink.Running(); },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  std::this_thread::sleep_for(std::chrono::microseconds(random() % 150'000));
  ASSERT_TRUE(sink.Running()) << "the sink exited by itself: " << sink.Stderr();
  sink.Signal(SIGKILL);
  sink.Wait();
}

TEST_F(IcebergSinkTest, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  BrokerProcess broker(dir_.path());
  const int total = 20000;
  Produce(broker.bootstrap(), dir_.path(), SeqMessages(0, total));
  std::mt19937 random(std::random_device{}());
  std::vector<std::string> flags = {"--flush-records", "400", "--flush-interval", "0.5"};
  // Crashes of a single sink, each restart in a new group: the table's snapshot summaries, not
  // the group's committed offsets, say where to resume.
  for (int round = 0; round < 18; ++round) {
    auto args = flags;
    args.insert(args.end(), {"-G", "crash-" + std::to_string(round)});
    Subprocess sink(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_, args),
                    dir_.path() / "logs");
    KillAtRandomPoint(sink, catalog_, lake_, total, random);
    // After every kill the table is whole for an independent reader: exactly what it committed.
    TableRead read = ReadWithPyiceberg(catalog_, dir_.path(), false);
    ASSERT_EQ(read.exit_code, 0) << read.err;
    EXPECT_EQ(read.records, CommittedInTable(catalog_, lake_));
  }
  // Then two members of one group, one of them killed and restarted a few times.
  auto pair = flags;
  pair.insert(pair.end(), {"-G", "pair"});
  Subprocess steady(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_, pair),
                    dir_.path() / "logs");
  for (int round = 0; round < 3; ++round) {
    Subprocess victim(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_, pair),
                      dir_.path() / "logs");
    KillAtRandomPoint(victim, catalog_, lake_, total, random);
  }
  ASSERT_TRUE(WaitFor([&] { return CommittedInTable(catalog_, lake_) == total; },
                      std::chrono::seconds(120)))
      << CommittedInTable(catalog_, lake_) << steady.Stderr();
  steady.Signal(SIGKILL);
  steady.Wait();
  ExpectSeqRowsExactlyOnce(ReadWithPyiceberg(catalog_, dir_.path(), true), total);
}

TEST_F(IcebergSinkTest, SameOnAnS3Lake) {
  S3ServerProcess s3(dir_.path(), {"lake"});
  BrokerProcess broker(dir_.path());
  const int total = 3000;
  Produce(broker.bootstrap(), dir_.path(), SeqMessages(0, total));
  auto sink = RunCommand(IcebergSinkArgs(broker.bootstrap(), "s3://lake/warehouse", catalog_,
                                         {"-e", "--flush-records", "1000"}),
                         std::chrono::seconds(120), s3.Env());
  ASSERT_EQ(sink.exit_code, 0) << sink.err;
  ExpectSeqRowsExactlyOnce(
      ReadWithPyiceberg(catalog_, dir_.path(), true, s3.Env()),  // the AWS environment
      total);
}

// --compact-every: the sink compacts between flushes; the replace snapshot keeps every record, and
// a restarted sink still resumes from the offsets (found past the replace snapshot).
TEST_F(IcebergSinkTest, CompactsBetweenFlushesAndResumesAfterwards) {
  BrokerProcess broker(dir_.path());
  Produce(broker.bootstrap(), dir_.path(), SeqMessages(0, 2000));
  Subprocess sink(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_,
                                  {"--flush-records", "100", "--compact-every", "1"}),
                  dir_.path() / "logs");
  ASSERT_TRUE(WaitFor([&] { return sink.Stderr().find("compacted") != std::string::npos; },
                      std::chrono::seconds(60)))
      << sink.Stderr();
  ASSERT_TRUE(
      WaitFor([&] { return CommittedInTable(catalog_, lake_) == 2000; }, std::chrono::seconds(60)));
  sink.Signal(SIGTERM);
  EXPECT_EQ(sink.Wait(), 0) << sink.Stderr();
  TableRead read = ReadWithPyiceberg(catalog_, dir_.path(), false);
  EXPECT_NE(read.out.find("\"operation\": \"replace\""), std::string::npos) << read.out;
  Produce(broker.bootstrap(), dir_.path(), SeqMessages(2000, 3000));
  auto again = RunCommand(IcebergSinkArgs(broker.bootstrap(), lake_.string(), catalog_, {"-e"}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"records_consumed\":1000,"), std::string::npos) << again.out;
  ExpectSeqRowsExactlyOnce(ReadWithPyiceberg(catalog_, dir_.path(), true), 3000);
}

TEST_F(IcebergSinkTest, DemoLandsTheFeedInAnIcebergTable) {
  auto demo = RunCommand({TicklakeBinary(), "demo", "--table-format", "iceberg", "--duration", "3",
                          "--rate", "2000", "--data-dir", (dir_.path() / "demo").string()},
                         std::chrono::seconds(120));
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  size_t ok = demo.out.find("OK: ");
  ASSERT_NE(ok, std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("every record exactly once"), std::string::npos) << demo.out;
  // The demo's queries read the Iceberg table itself (no crawl): 14 indices.
  EXPECT_NE(demo.out.find("Records per index:"), std::string::npos) << demo.out;
  EXPECT_EQ(demo.out.find("crawler:"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("(14 rows)"), std::string::npos) << demo.out;
  TableRead read = ReadWithPyiceberg(dir_.path() / "demo" / "catalog.db", dir_.path(), false);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.records, std::stoll(demo.out.substr(ok + 4)));
}

TEST_F(IcebergSinkTest, BadFlagsAreRejected) {
  auto format = RunCommand(IcebergSinkArgs("x:1", lake_.string(), catalog_, {"--format", "jsonl"}));
  EXPECT_EQ(format.exit_code, 1);
  EXPECT_NE(format.err.find("Iceberg tables are written as Parquet"), std::string::npos)
      << format.err;
  auto codec =
      RunCommand(IcebergSinkArgs("x:1", lake_.string(), catalog_, {"--compression", "snappy"}));
  EXPECT_EQ(codec.exit_code, 1);
  EXPECT_NE(codec.err.find("Iceberg tables are written with zstd"), std::string::npos) << codec.err;
  auto spec =
      RunCommand(IcebergSinkArgs("x:1", lake_.string(), catalog_, {"--partition-by", "week(ts)"}));
  EXPECT_EQ(spec.exit_code, 1);
  EXPECT_NE(spec.err.find("week"), std::string::npos) << spec.err;
  auto table_format =
      RunCommand({TicklakeBinary(), "sink", "-b", "x:1", "--table-format", "delta"});
  EXPECT_EQ(table_format.exit_code, 1);
  EXPECT_NE(table_format.err.find("unknown --table-format 'delta'"), std::string::npos)
      << table_format.err;
}

}  // namespace
}  // namespace ticklake::test
