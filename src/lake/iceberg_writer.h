// IcebergFileWriter: turns the records of one sink flush (JSON Lines from RecordParser, Kafka
// columns included) into the Parquet data files of an Iceberg table, with DuckDB:
//   1. PlanSchema reads every record once (simdjson) and returns the schema to write with — the
//      table's current schema, evolved as iceberg_record_types.h decides (new columns, allowed
//      promotions);
//   2. Write reads them again into typed DuckDB data chunks (no JSON re-parsing by DuckDB),
//      rejects the records whose values do not fit the schema (each with a reason naming the
//      field and both types), computes each record's partition tuple with the table's partition
//      spec (hidden partitioning: the source values stay in the data), and writes one file per
//      (Kafka partition, Iceberg partition) with ONE partitioned COPY carrying the schema's field
//      ids; each file's statistics come from its footer (iceberg::DescribeParquet).
// Files land in the writer's temporary directory; uploading and committing them is the caller's
// (IcebergCommitter). Rows within a file are in offset order only as far as DuckDB's
// partitioned writer keeps it (the table declares no sort order).
// Not thread-safe: one writer per thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/duckdb.h"
#include "iceberg/data_file.h"
#include "iceberg/partitioning.h"
#include "iceberg/schema.h"

namespace ticklake::lake {

class IcebergFileWriter {
 public:
  // With kafka_columns false, the records' Kafka columns (which RecordParser always adds in
  // Iceberg mode, to tell offsets) are left out of the table.
  IcebergFileWriter(bool kafka_columns, const std::filesystem::path& temp_dir);

  struct Input {
    int32_t partition = 0;         // Kafka partition
    std::string* jsonl = nullptr;  // newline-terminated records; capacity may grow (padding)
  };

  // The schema to write these records with (see above). Its schema_id is the current one when
  // nothing changed. Throws Error when the records cannot be read (they were validated before).
  iceberg::Schema PlanSchema(const std::vector<Input>& inputs, const iceberg::Schema& current,
                             int32_t last_column_id);

  struct Rejected {
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = 0;
    std::string reason;
    std::string payload;  // the record without its Kafka columns, as JSON
  };
  struct File {
    size_t input = 0;  // index into the inputs
    std::filesystem::path local;
    iceberg::DataFile data;  // partition, counts and statistics; location left to the caller
  };
  struct Output {
    std::vector<File> files;
    std::vector<Rejected> rejected;
    std::vector<int64_t> records;  // rows written, per input
  };
  // Writes the records that fit `schema` (a PlanSchema result the table accepted) partitioned
  // by `spec`. Throws Error naming the directory when DuckDB fails.
  Output Write(const std::vector<Input>& inputs, const iceberg::Schema& schema,
               const iceberg::PartitionSpec& spec);

 private:
  bool kafka_columns_;
  std::filesystem::path temp_dir_;
  duck::Database db_;
  duck::Connection conn_;
  simdjson::dom::parser parser_;
};

}  // namespace ticklake::lake
