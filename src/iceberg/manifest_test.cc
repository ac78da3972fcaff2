#include "iceberg/manifest.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/error.h"
#include "iceberg/avro_file.h"

namespace ticklake::iceberg {
namespace {

Schema TickSchema() {
  Schema s;
  s.fields = {NestedField{1, "index", TypeId::kString, false, ""},
              NestedField{2, "ts", TypeId::kTimestampTz, false, ""},
              NestedField{3, "close", TypeId::kDouble, false, ""}};
  return s;
}

PartitionSpec DaySpec() {
  PartitionSpec spec;
  spec.spec_id = 3;
  spec.fields = {PartitionField{1, 1000, "index", Transform::kIdentity},
                 PartitionField{2, 1001, "ts day", Transform::kDay}};  // not an Avro name
  return spec;
}

ManifestEntry Entry(std::string location, Literal index, int32_t day, int64_t records) {
  ManifestEntry e;
  e.status = ManifestEntryStatus::kAdded;
  e.snapshot_id = 77;
  e.sequence_number = 5;
  e.file_sequence_number = 5;
  e.file.location = std::move(location);
  e.file.partition = {std::move(index), day};
  e.file.spec_id = 3;
  e.file.record_count = records;
  e.file.file_size_in_bytes = 1000 + records;
  e.file.column_sizes = {{1, 10}, {3, 30}};
  e.file.value_counts = {{1, records}, {3, records}};
  e.file.null_value_counts = {{1, 0}, {3, 1}};
  e.file.lower_bounds = {{3, SerializeBound(TypeId::kDouble, 1.5)}};
  e.file.upper_bounds = {{3, SerializeBound(TypeId::kDouble, 9.5)}};
  e.file.split_offsets = {4};
  return e;
}

TEST(IcebergManifestTest, ManifestRoundTripsThroughAvroC) {
  std::vector<ManifestEntry> entries = {
      Entry("file:///l/t/data/a.parquet", std::string("HSI"), 20419, 3),
      Entry("file:///l/t/data/b.parquet", std::monostate{}, -1, 4)};
  entries[1].status = ManifestEntryStatus::kExisting;
  entries[1].sequence_number = 2;
  std::string bytes = WriteManifest(entries, TickSchema(), DaySpec(), "m0.avro");

  auto meta = ReadAvroMetadata(bytes, "m0.avro");
  EXPECT_EQ(meta.at("format-version"), "2");
  EXPECT_EQ(meta.at("content"), "data");
  EXPECT_EQ(meta.at("partition-spec-id"), "3");
  EXPECT_NE(meta.at("partition-spec").find("\"field-id\":1001"), std::string::npos);
  EXPECT_NE(meta.at("schema").find("\"timestamptz\""), std::string::npos);
  EXPECT_NE(meta.at("avro.schema").find("\"field-id\": 102"), std::string::npos);
  EXPECT_NE(meta.at("avro.schema").find("ts_x20day"), std::string::npos);
  EXPECT_EQ(meta.at("avro.codec"), "deflate");

  ManifestFile file;
  file.spec_id = 3;
  auto back = ReadManifest(bytes, file, "m0.avro");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].status, ManifestEntryStatus::kAdded);
  EXPECT_EQ(back[0].snapshot_id, 77);
  EXPECT_EQ(back[0].file.location, "file:///l/t/data/a.parquet");
  EXPECT_EQ(back[0].file.partition, (std::vector<Literal>{std::string("HSI"), int32_t{20419}}));
  EXPECT_EQ(back[1].file.partition, (std::vector<Literal>{std::monostate{}, int32_t{-1}}));
  EXPECT_EQ(back[1].status, ManifestEntryStatus::kExisting);
  EXPECT_EQ(back[1].sequence_number, 2);
  EXPECT_EQ(back[0].file.record_count, 3);
  EXPECT_EQ(back[0].file.column_sizes, entries[0].file.column_sizes);
  EXPECT_EQ(back[1].file.null_value_counts, entries[1].file.null_value_counts);
  EXPECT_EQ(DeserializeBound(TypeId::kDouble, back[0].file.upper_bounds.at(3)), Literal(9.5));
  EXPECT_EQ(back[0].file.split_offsets, std::vector<int64_t>{4});
}

TEST(IcebergManifestTest, ManifestListRoundTripsWithPartitionSummaries) {
  std::vector<ManifestEntry> entries = {Entry("a", std::string("N225"), 10, 3),
                                        Entry("b", std::string("HSI"), 12, 4)};
  ManifestFile m = SummarizeManifest(entries, TickSchema(), DaySpec());
  EXPECT_EQ(m.added_files_count, 2);
  EXPECT_EQ(m.added_rows_count, 7);
  m.path = "file:///l/t/metadata/x-m0.avro";
  m.length = 1234;
  m.sequence_number = 5;
  m.min_sequence_number = 5;
  m.added_snapshot_id = 77;
  std::string bytes = WriteManifestList({m}, 77, std::nullopt, 5, "snap-77.avro");
  auto meta = ReadAvroMetadata(bytes, "snap-77.avro");
  EXPECT_EQ(meta.at("snapshot-id"), "77");
  EXPECT_EQ(meta.at("parent-snapshot-id"), "null");
  EXPECT_EQ(meta.at("sequence-number"), "5");
  auto back = ReadManifestList(bytes, "snap-77.avro");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].path, m.path);
  EXPECT_EQ(back[0].length, 1234);
  EXPECT_EQ(back[0].spec_id, 3);
  EXPECT_EQ(back[0].added_rows_count, 7);
  ASSERT_EQ(back[0].partitions.size(), 2u);
  EXPECT_EQ(back[0].partitions[0].lower_bound, "HSI");
  EXPECT_EQ(back[0].partitions[0].upper_bound, "N225");
  EXPECT_EQ(DeserializeBound(TypeId::kDate, *back[0].partitions[1].upper_bound),
            Literal(int32_t{12}));
  EXPECT_FALSE(back[0].partitions[1].contains_null);
}

TEST(IcebergManifestTest, NotAvroIsAnErrorNamingTheFile) {
  ManifestFile file;
  for (std::string bytes :
       {std::string("PAR1 not avro at all, long enough to be checked"), std::string("")}) {
    try {
      ReadManifest(bytes, file, "s3://b/t/metadata/bad-m0.avro");
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("s3://b/t/metadata/bad-m0.avro"), std::string::npos)
          << e.what();
    }
  }
  // An Avro file whose schema is not a manifest list's: the missing field is named.
  std::string other = WriteManifestList({ManifestFile{}}, 1, 0, 1, "x");
  other.replace(other.find("\"manifest_path\""), 15, "\"manifest_paht\"");
  try {
    ReadManifestList(other, "renamed.avro");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("renamed.avro: no field 'manifest_path'"),
              std::string::npos)
        << e.what();
  }
  // A truncated data block is refused too; Avro C 1.11.1 leaks the block buffer on this path
  // (file_read_block_count), so this case is not run under LeakSanitizer.
  if (std::getenv("ASAN_OPTIONS") == nullptr) {
    EXPECT_THROW(ReadManifestList(other.substr(0, other.size() - 20), "half.avro"), Error);
  }
}

}  // namespace
}  // namespace ticklake::iceberg
