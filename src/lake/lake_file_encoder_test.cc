#include "lake/lake_file_encoder.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "lake/column_batch_testing.h"

namespace ticklake::lake {
namespace {

const std::vector<std::string> kIndex = {"index"};  // as --partition-by Index leaves it out

class EncoderTest : public ::testing::Test {
 protected:
  // Encodes `jsonl` as Parquet and returns "name type" lines of the file's schema.
  // `left_out`: fields the sink leaves out of the batch (its --partition-by fields).
  std::string Schema(std::string jsonl, std::vector<std::string> left_out = {}) {
    LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path());
    encoder.Encode(ColumnBatchOf(jsonl, "t", 0, left_out), file_);
    auto r = conn_.Query("DESCRIBE SELECT * FROM read_parquet(" +
                         duck::QuoteLiteral(file_.string()) + ")");
    std::string out;
    for (size_t i = 0; i < r.RowCount(); ++i)
      out += *r.GetString(0, i) + " " + *r.GetString(1, i) + "\n";
    return out;
  }
  std::string Rows(const std::string& sql_tail) {
    auto r = conn_.Query("SELECT * FROM read_parquet(" + duck::QuoteLiteral(file_.string()) + ") " +
                         sql_tail);
    std::string out;
    for (size_t row = 0; row < r.RowCount(); ++row) {
      for (size_t col = 0; col < r.ColumnCount(); ++col)
        out += (col ? "|" : "") + r.GetString(col, row).value_or("NULL");
      out += "\n";
    }
    return out;
  }
  // Files of sizes[f] records {"file":f,"seq":0..}, to be written to Output(name, f).
  std::vector<LakeFileEncoder::File> FilesOf(const std::vector<size_t>& sizes,
                                             std::string_view name) {
    std::vector<LakeFileEncoder::File> files;
    for (size_t f = 0; f < sizes.size(); ++f) {
      std::string jsonl;
      for (size_t i = 0; i < sizes[f]; ++i)
        jsonl += fmt::format("{{\"file\":{},\"seq\":{}}}\n", f, i);
      files.push_back({ColumnBatchOf(jsonl), Output(name, f)});
    }
    return files;
  }
  std::filesystem::path Output(std::string_view name, size_t f) {
    return dir_.path() / fmt::format("{}{}.parquet", name, f);
  }
  TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "out.parquet";
  duck::Database db_;
  duck::Connection conn_{db_};
};

TEST_F(EncoderTest, InfersTypesOfFlatRecordsLikeReadJson) {
  std::string schema = Schema(
      R"({"Index":"HSI","Date":"2026-11-27","ts":"2026-11-27T15:32:10.5Z","Close":1,"Volume":7,"ok":true}
{"Index":"N225","Date":"2026-11-28","ts":"2026-11-27 16:00:00","Close":2.5,"Volume":8,"ok":false,"late":"x"}
)",
      kIndex);
  EXPECT_EQ(schema,
            "Date DATE\nts TIMESTAMP\nClose DOUBLE\nVolume BIGINT\nok BOOLEAN\nlate VARCHAR\n");
  EXPECT_EQ(Rows("ORDER BY Date"),
            "2026-11-27|2026-11-27 15:32:10.5|1.0|7|true|NULL\n2026-11-28|2026-11-27 "
            "16:00:00|2.5|8|false|x\n");
}

TEST_F(EncoderTest, DatesAndTimestampsKeepTheirValueInEveryColumnType) {
  // ColumnBatch keeps canonical dates and timestamps as numbers: a TIMESTAMP column mixes them
  // with a date and another spelling, a VARCHAR column gets their text back exactly.
  EXPECT_EQ(Schema(R"({"ts":"2026-11-29T15:26:53.257068Z","d":"2026-11-29","s":"2026-11-29"}
{"ts":"2026-11-29","d":"1969-12-31","s":"2026-11-29T15:26:53.257068Z"}
{"ts":"2026-11-29T16:26:53.5+01:00","d":"2000-02-29","s":"x"}
)"),
            "ts TIMESTAMP\nd DATE\ns VARCHAR\n");
  EXPECT_EQ(Rows(""),
            "2026-11-29 15:26:53.257068|2026-11-29|2026-11-29\n"
            "2026-11-29 00:00:00|1969-12-31|2026-11-29T15:26:53.257068Z\n"
            "2026-11-29 15:26:53.5|2000-02-29|x\n");
}

TEST_F(EncoderTest, ConflictingValuesAreKeptAsText) {
  EXPECT_EQ(Schema("{\"v\":1}\n{\"v\":\"one\"}\n{\"v\":2.5}\n{\"v\":null}\n{\"v\":3.0}\n"),
            "v VARCHAR\n");
  EXPECT_EQ(Rows(""), "1\none\n2.5\nNULL\n3.0\n");
}

TEST_F(EncoderTest, NestedValuesGoThroughReadJson) {
  EXPECT_EQ(Schema("{\"a\":1,\"n\":{\"x\":[1,2]}}\n{\"a\":2,\"n\":{\"x\":[3]}}\n"),
            "a BIGINT\nn STRUCT(x BIGINT[])\n");
  auto r = conn_.Query("SELECT n::VARCHAR FROM read_parquet(" + duck::QuoteLiteral(file_.string()) +
                       ") ORDER BY a");
  EXPECT_EQ(r.GetString(0, 0), "{'x': [1, 2]}");
  EXPECT_EQ(r.GetString(0, 1), "{'x': [3]}");
}

TEST_F(EncoderTest, KeysDifferingOnlyInCaseGoThroughReadJson) {
  // DuckDB column names are case-insensitive; read_json reconciles them.
  EXPECT_NO_THROW(Schema("{\"Close\":1}\n{\"close\":2}\n"));
}

TEST_F(EncoderTest, WritesJsonLines) {
  LakeFileEncoder encoder(LakeFormat::kJsonl, false, 1 << 20, dir_.path());
  auto out = dir_.path() / "out.jsonl";
  encoder.Encode(ColumnBatchOf("{\"Index\":\"HSI\",\"Close\":1.5}\n", "t", 0, kIndex), out);
  EXPECT_EQ(ReadWholeFile(out), "{\"Close\":1.5}\n");
}

TEST_F(EncoderTest, EncodesManyFilesInOneScanEachWithItsOwnRecords) {
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path());
  std::vector<LakeFileEncoder::File> files;
  std::vector<std::filesystem::path> outputs;
  for (int f = 0; f < 150; ++f) {  // more than DuckDB keeps open by default
    std::string jsonl;
    for (int i = 0; i < 3000; ++i)
      jsonl += fmt::format("{{\"Index\":\"I{}\",\"seq\":{}}}\n", f, f * 10000 + i);
    if (f == 7) jsonl += "{\"Index\":\"I7\",\"late\":\"x\"}\n";
    outputs.push_back(dir_.path() / fmt::format("f{}.parquet", f));
    files.push_back({ColumnBatchOf(jsonl, "t", 0, kIndex), outputs.back()});
  }
  encoder.EncodeAll(std::move(files));
  for (size_t f = 0; f < outputs.size(); ++f) {
    auto r =
        conn_.Query(fmt::format("SELECT count(*), min(seq), max(seq), count(DISTINCT seq), "
                                "count(late) FROM read_parquet({})",
                                duck::QuoteLiteral(outputs[f].string())));
    ASSERT_EQ(r.GetString(0, 0), f == 7 ? "3001" : "3000") << f;
    EXPECT_EQ(r.GetString(1, 0), std::to_string(f * 10000)) << f;
    EXPECT_EQ(r.GetString(2, 0), std::to_string(f * 10000 + 2999)) << f;
    EXPECT_EQ(r.GetString(3, 0), "3000") << f;
    EXPECT_EQ(r.GetString(4, 0), f == 7 ? "1" : "0") << f;
  }
  // DuckDB's folders stay for the next flush, empty: in each of the encoder's two lanes, one per
  // file of a COPY (at most 32), not one per file of the flush.
  for (const char* lane : {"partitioned-0", "partitioned-1"}) {
    size_t folders = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path() / lane)) {
      EXPECT_TRUE(entry.is_directory()) << entry.path();
      ++folders;
    }
    EXPECT_GT(folders, 0u) << lane;  // both lanes wrote
    EXPECT_LE(folders, 32u) << lane;
  }
}

TEST_F(EncoderTest, WritesBigFilesWithFewerPerCopy) {
  // A COPY holds about a row group of rows: big files (keyed topics) go one or two at a time.
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path());
  const std::vector<size_t> sizes = {5, 140000, 5, 70000, 70000, 5, 5};
  encoder.EncodeAll(FilesOf(sizes, "big"));
  for (size_t f = 0; f < sizes.size(); ++f) {
    auto r = conn_.Query(fmt::format(
        "SELECT count(*), count(DISTINCT seq), min(file), max(file) FROM read_parquet({})",
        duck::QuoteLiteral(Output("big", f).string())));
    EXPECT_EQ(r.GetString(0, 0), std::to_string(sizes[f])) << f;
    EXPECT_EQ(r.GetString(1, 0), std::to_string(sizes[f])) << f;
    EXPECT_EQ(r.GetString(2, 0), std::to_string(f));
    EXPECT_EQ(r.GetString(3, 0), std::to_string(f));
  }
}

TEST_F(EncoderTest, AutoCompressesSmallFilesWithSnappyAndBigOnesWithZstd) {
  // Each COPY has one codec: small and big files are never written by the same one.
  auto codecs = [&](ParquetCodec codec) {
    LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path(), codec);
    const std::vector<size_t> sizes = {10, kSmallParquetFileRows, 20, kSmallParquetFileRows - 1,
                                       kSmallParquetFileRows + 5};
    encoder.EncodeAll(FilesOf(sizes, "c"));
    std::string out;
    for (size_t f = 0; f < sizes.size(); ++f) {
      auto path = duck::QuoteLiteral(Output("c", f).string());
      auto rows = conn_.Query(fmt::format("SELECT count(*), min(file), max(file) FROM {}", path));
      EXPECT_EQ(rows.GetString(0, 0), std::to_string(sizes[f])) << f;
      EXPECT_EQ(rows.GetString(1, 0), std::to_string(f)) << f;
      EXPECT_EQ(rows.GetString(2, 0), std::to_string(f)) << f;
      auto meta = conn_.Query(fmt::format(
          "SELECT string_agg(DISTINCT lower(compression), ',') FROM parquet_metadata({})", path));
      out += *meta.GetString(0, 0) + " ";
    }
    return out;
  };
  EXPECT_EQ(codecs(ParquetCodec::kAuto), "snappy zstd snappy snappy zstd ");
  EXPECT_EQ(codecs(ParquetCodec::kZstd), "zstd zstd zstd zstd zstd ");
  EXPECT_EQ(codecs(ParquetCodec::kLz4), "lz4_raw lz4_raw lz4_raw lz4_raw lz4_raw ");
}

TEST(ParquetCodecTest, ParsesTheCodecNames) {
  EXPECT_EQ(ParseParquetCodec("auto"), ParquetCodec::kAuto);
  EXPECT_EQ(ParseParquetCodec("uncompressed"), ParquetCodec::kUncompressed);
  EXPECT_EQ(CodecName(ParquetCodec::kGzip, 1), "gzip");
  EXPECT_EQ(CodecName(ParquetCodec::kAuto, kSmallParquetFileRows - 1), "snappy");
  EXPECT_EQ(CodecName(ParquetCodec::kAuto, kSmallParquetFileRows), "zstd");
  try {
    ParseParquetCodec("brotli");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "unknown Parquet compression 'brotli': expected auto, zstd, snappy, lz4, gzip or "
                 "uncompressed");
  }
}

TEST_F(EncoderTest, ReusesItsFoldersFlushAfterFlush) {
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path());
  for (int flush = 0; flush < 3; ++flush) {
    std::vector<LakeFileEncoder::File> files;
    int count = flush == 1 ? 40 : 70;  // fewer files than the folders the first flush made
    for (int f = 0; f < count; ++f) {
      files.push_back({ColumnBatchOf(fmt::format("{{\"flush\":{},\"file\":{}}}\n", flush, f)),
                       dir_.path() / fmt::format("{}-{}.parquet", flush, f)});
    }
    encoder.EncodeAll(std::move(files));
    auto r = conn_.Query(fmt::format(
        "SELECT count(*), count(DISTINCT file), min(flush), max(flush) FROM read_parquet({})",
        duck::QuoteLiteral((dir_.path() / fmt::format("{}-*.parquet", flush)).string())));
    EXPECT_EQ(r.GetString(0, 0), std::to_string(count)) << flush;
    EXPECT_EQ(r.GetString(1, 0), std::to_string(count)) << flush;
    EXPECT_EQ(r.GetString(2, 0), std::to_string(flush));
    EXPECT_EQ(r.GetString(3, 0), std::to_string(flush));
  }
}

TEST_F(EncoderTest, AFailedCopyFailsTheCallNamingItsFileAndTheNextCallWorks) {
  LakeFileEncoder encoder(LakeFormat::kParquet, false, 1 << 20, dir_.path());
  // 100 small files: four partitioned COPYs, two at a time; one file cannot be moved into place.
  std::vector<LakeFileEncoder::File> files = FilesOf(std::vector<size_t>(100, 10), "a");
  files[70].output = dir_.path() / "missing" / "a70.parquet";
  try {
    encoder.EncodeAll(std::move(files));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("missing/a70.parquet")) << e.what();
  }
  // The folders the failed COPY left files in are cleared: the next flush writes what it holds.
  encoder.EncodeAll(FilesOf(std::vector<size_t>(100, 3), "b"));
  auto r = conn_.Query(
      fmt::format("SELECT count(*), count(DISTINCT file), min(seq), max(seq) FROM read_parquet({})",
                  duck::QuoteLiteral((dir_.path() / "b*.parquet").string())));
  EXPECT_EQ(r.GetString(0, 0), "300");
  EXPECT_EQ(r.GetString(1, 0), "100");
  EXPECT_EQ(r.GetString(2, 0), "0");
  EXPECT_EQ(r.GetString(3, 0), "2");
}

TEST_F(EncoderTest, EncodesManyNestedFilesOneByOne) {
  LakeFileEncoder encoder(LakeFormat::kJsonl, false, 1 << 20, dir_.path());
  auto fa = dir_.path() / "a.jsonl", fb = dir_.path() / "b.jsonl";
  std::vector<LakeFileEncoder::File> files;  // batches move, never copy
  files.push_back({ColumnBatchOf("{\"a\":1,\"n\":[1]}\n"), fa});
  files.push_back({ColumnBatchOf("{\"a\":2}\n"), fb});
  encoder.EncodeAll(std::move(files));
  EXPECT_EQ(ReadWholeFile(fa), "{\"a\":1,\"n\":[1]}\n");
  EXPECT_EQ(ReadWholeFile(fb), "{\"a\":2}\n");
}

TEST_F(EncoderTest, KafkaColumnsAreTyped) {
  LakeFileEncoder encoder(LakeFormat::kParquet, true, 1 << 20, dir_.path());
  encoder.Encode(ColumnBatchOf("{\"v\":1}\n{\"w\":\"x\"}\n", "ticks", 7), file_);
  EXPECT_EQ(Rows("ORDER BY kafka_offset"),
            "1|NULL|ticks|7|0|1970-01-01 00:00:00\nNULL|x|ticks|7|1|1970-01-01 00:00:00.001\n");
  auto r =
      conn_.Query("SELECT typeof(kafka_partition), typeof(kafka_timestamp) FROM read_parquet(" +
                  duck::QuoteLiteral(file_.string()) + ") LIMIT 1");
  EXPECT_EQ(r.GetString(0, 0), "INTEGER");
  EXPECT_EQ(r.GetString(1, 0), "TIMESTAMP");
}

TEST_F(EncoderTest, NestedRecordsKeepTheirKafkaColumns) {
  LakeFileEncoder encoder(LakeFormat::kParquet, true, 1 << 20, dir_.path());
  encoder.Encode(ColumnBatchOf("{\"n\":{\"x\":1}}\n", "ticks", 7), file_);
  auto r = conn_.Query(
      "SELECT n::VARCHAR, kafka_topic, kafka_partition, kafka_offset, "
      "kafka_timestamp::VARCHAR FROM read_parquet(" +
      duck::QuoteLiteral(file_.string()) + ")");
  EXPECT_EQ(r.GetString(0, 0), "{'x': 1}");
  EXPECT_EQ(r.GetString(1, 0), "ticks");
  EXPECT_EQ(r.GetString(2, 0), "7");
  EXPECT_EQ(r.GetString(3, 0), "0");
  EXPECT_EQ(r.GetString(4, 0), "1970-01-01 00:00:00");
}

TEST_F(EncoderTest, WritesManyJsonLinesFilesFromOneLoad) {
  LakeFileEncoder encoder(LakeFormat::kJsonl, false, 1 << 20, dir_.path());
  auto fa = dir_.path() / "a.jsonl", fb = dir_.path() / "b.jsonl";
  std::vector<LakeFileEncoder::File> files;
  files.push_back({ColumnBatchOf("{\"Index\":\"A\",\"v\":1}\n", "t", 0, kIndex), fa});
  files.push_back({ColumnBatchOf("{\"INDEX\":\"B\",\"v\":2.5}\n", "t", 0, kIndex), fb});
  encoder.EncodeAll(std::move(files));
  EXPECT_EQ(ReadWholeFile(fa), "{\"v\":1.0}\n");  // one schema for the files of one call
  EXPECT_EQ(ReadWholeFile(fb), "{\"v\":2.5}\n");
}

}  // namespace
}  // namespace ticklake::lake
