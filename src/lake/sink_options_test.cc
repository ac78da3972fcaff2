#include "lake/sink_options.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::lake {
namespace {

// The sink's options with these flags (the others default).
SinkOptions With(std::string format, std::string compression, std::string table_format = "hive",
                 std::string partition_by = "Index") {
  SinkOptions options;
  options.format = std::move(format);
  options.compression = std::move(compression);
  options.table_format = std::move(table_format);
  options.partition_by = std::move(partition_by);
  return options;
}

// The error CheckSinkOptions gives for `options`, or "" when it accepts them.
std::string CheckError(const SinkOptions& options) {
  try {
    CheckSinkOptions(options);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(SinkOptions, TheDefaultsAndTheFlagsThatFitTogetherAreAccepted) {
  SinkOptions hive;
  EXPECT_EQ(CheckError(hive), "");
  EXPECT_FALSE(WritesIceberg(hive));
  EXPECT_EQ(CheckError(With("jsonl.gz", "auto", "hive", "Index,dt=day(ts)")), "");
  EXPECT_EQ(CheckError(With("parquet", "lz4")), "");
  SinkOptions iceberg = With("parquet", "zstd", "iceberg", "day(ts)");
  EXPECT_EQ(CheckError(iceberg), "");
  EXPECT_TRUE(WritesIceberg(iceberg));
}

TEST(SinkOptions, FlagsThatDoNotFitTogetherAreRejectedByName) {
  struct Case {
    SinkOptions options;
    std::string error;
  };
  const Case cases[] = {
      {With("csv", "auto"), "unknown lake format 'csv': expected parquet, jsonl or jsonl.gz"},
      {With("parquet", "brotli"), "unknown Parquet compression 'brotli'"},
      {With("jsonl", "zstd"),
       "--compression zstd applies to Parquet files, not jsonl (jsonl.gz is gzip)"},
      {With("parquet", "auto", "delta"),
       "unknown --table-format 'delta': expected hive or iceberg"},
      {With("jsonl", "auto", "iceberg"), "Iceberg tables are written as Parquet, not jsonl"},
      {With("parquet", "snappy", "iceberg"),
       "--compression snappy: Iceberg tables are written with zstd"},
      {With("parquet", "auto", "hive", "Index,dt=week(ts)"),
       "unit must be year, month, day or hour"},
  };
  for (const Case& c : cases) {
    std::string error = CheckError(c.options);
    EXPECT_NE(error.find(c.error), std::string::npos)
        << "expected '" << c.error << "', got '" << error << "'";
  }
}

TEST(SinkOptions, OnErrorNamesItsChoices) {
  EXPECT_EQ(ParseOnError("dlq"), OnError::kDeadLetter);
  EXPECT_EQ(ParseOnError("skip"), OnError::kSkip);
  EXPECT_EQ(ParseOnError("fail"), OnError::kFail);
  EXPECT_THROW(ParseOnError("ignore"), Error);
}

}  // namespace
}  // namespace ticklake::lake
