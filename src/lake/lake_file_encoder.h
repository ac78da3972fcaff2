// LakeFileEncoder: turns a ColumnBatch (records parsed once by RecordParser at receipt) into one
// lake data file — Parquet (zstd or snappy, ParquetCodec) or JSON Lines (plain or gzip) — using
// embedded DuckDB, so the file's schema follows the records: columns are the union of the records'
// fields, numbers widen (int to double), ISO-8601 dates and timestamps become DATE and TIMESTAMP,
// and values that do not fit one type are kept as text (json_types.h). The Kafka columns (when
// enabled) come last: kafka_topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
// kafka_timestamp TIMESTAMP.
//
// Flat records (the common case) go from the batch's columns straight into DuckDB data chunks —
// no JSON is parsed again; a batch with nested objects or arrays is turned back into JSON Lines
// for DuckDB's read_json, which makes them STRUCT and LIST columns.
//
// EncodeAll writes many files (a sink flush: one per Hive partition per Kafka partition) with
// partitioned COPYs of up to 32 files and about a row group of rows, because a statement per file
// costs milliseconds of fixed overhead that dominates small files. The files of one call share one
// schema (the union). DuckDB reads the batches in place through a table function (no table is
// loaded), and the encoder takes them and frees each one as soon as the COPY has read it: a flush
// is never held twice (the sink's memory bound). It runs two COPYs at a time, on its caller's
// thread and one it starts: DuckDB creates, finishes and closes a COPY's files on one thread,
// which left its second thread mostly idle. Not thread-safe: one encoder per thread.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/duckdb.h"
#include "lake/column_batch.h"

namespace ticklake::lake {

enum class LakeFormat { kParquet, kJsonl, kJsonlGzip };

LakeFormat ParseLakeFormat(std::string_view name);  // parquet | jsonl | jsonl.gz
std::string_view FileExtension(LakeFormat format);  // ".parquet", ".jsonl", ".jsonl.gz"

// The codec of Parquet files. kAuto: zstd for files of at least kSmallParquetFileRows rows,
// snappy for smaller ones. DuckDB compresses each page with a fresh zstd context, and setting one
// up costs microseconds (two CPUID instructions, which a hypervisor traps): on the small files of
// a topic whose every partition holds every Hive partition that made zstd cost 1.6x the CPU of
// the whole encode for files only 28 % smaller, while on files of thousands of rows it costs
// little and saves a third (docs/architecture.md).
enum class ParquetCodec { kAuto, kZstd, kSnappy, kLz4, kGzip, kUncompressed };
inline constexpr size_t kSmallParquetFileRows = 4096;
// auto | zstd | snappy | lz4 | gzip | uncompressed
ParquetCodec ParseParquetCodec(std::string_view name);
// The codec of a Parquet file of `rows` rows, as DuckDB's COPY names it ("zstd", ...).
std::string_view CodecName(ParquetCodec codec, size_t rows);

class LakeFileEncoder {
 public:
  LakeFileEncoder(LakeFormat format, bool kafka_columns, size_t max_record_bytes,
                  const std::filesystem::path& temp_dir, ParquetCodec codec = ParquetCodec::kAuto);
  ~LakeFileEncoder();

  // Encodes `records` (at least one) into `output`. Throws Error naming the output on failure.
  void Encode(ColumnBatch records, const std::filesystem::path& output);

  struct File {
    ColumnBatch records;  // at least one record
    std::filesystem::path output;
  };
  // Encodes each file's records into its output, as Encode does.
  void EncodeAll(std::vector<File> files);

 private:
  struct ScanPlan;  // what the COPYs of an EncodeAll call read (.cc)
  struct Scan;      // the table function through which a COPY reads the batches (.cc)
  struct Lane;      // a connection running one COPY at a time, with its own Scan (.cc)
  static constexpr size_t kLanes = 2;

  // Prepares the scan of `files`: their columns' union and types, and a column kFileColumn
  // holding each record's file when there is more than one; false when a record holds a nested
  // value or two keys differ only in case (cases read_json handles).
  bool PlanScan(std::vector<File>& files);
  void LoadWithReadJson(std::string_view jsonl);
  // Renames the files that a partitioned COPY of files [first, end) wrote into `directory` (the
  // folder kFileColumn=i for file first + i) to their outputs.
  static void MoveOutOfFolders(const std::vector<File>& files, size_t first, size_t end,
                               const std::filesystem::path& directory);
  // COPY on `lane` to `output` of the table "batch" that read_json loaded (nullopt), or of the
  // planned scan: one file (files [first, first + 1)), or files [first, end) at once into the
  // directory `output`, one folder per file. `rows`: the rows of the biggest file written
  // (ParquetCodec). After read_json, `json_kafka_columns` types the Kafka columns (loaded as JSON
  // numbers).
  void Copy(Lane& lane, const std::filesystem::path& output,
            std::optional<std::pair<size_t, size_t>> files, size_t rows, bool json_kafka_columns);

  LakeFormat format_;
  ParquetCodec codec_;
  bool kafka_columns_;
  size_t max_record_bytes_;
  std::filesystem::path temp_dir_;
  bool partitioned_dirty_ = true;  // the folders of partitioned COPYs may hold files
  duck::Database db_;
  std::unique_ptr<ScanPlan> plan_;
  std::vector<std::unique_ptr<Lane>> lanes_;  // lanes_[0] also loads read_json's table
};

}  // namespace ticklake::lake
