#include "lake/lake_file_encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/error.h"
#include "common/strings.h"
#include "lake/json_types.h"
#include "lake/record_parser.h"

namespace ticklake::lake {

LakeFormat ParseLakeFormat(std::string_view name) {
  if (name == "parquet") return LakeFormat::kParquet;
  if (name == "jsonl" || name == "json") return LakeFormat::kJsonl;
  if (name == "jsonl.gz" || name == "jsonl+gzip") return LakeFormat::kJsonlGzip;
  Fail("unknown lake format '{}': expected parquet, jsonl or jsonl.gz", name);
}

std::string_view FileExtension(LakeFormat format) {
  switch (format) {
    case LakeFormat::kParquet:
      return ".parquet";
    case LakeFormat::kJsonl:
      return ".jsonl";
    case LakeFormat::kJsonlGzip:
      return ".jsonl.gz";
  }
  return "";
}

ParquetCodec ParseParquetCodec(std::string_view name) {
  static constexpr std::pair<std::string_view, ParquetCodec> kCodecs[] = {
      {"auto", ParquetCodec::kAuto},     {"zstd", ParquetCodec::kZstd},
      {"snappy", ParquetCodec::kSnappy}, {"lz4", ParquetCodec::kLz4},
      {"gzip", ParquetCodec::kGzip},     {"uncompressed", ParquetCodec::kUncompressed}};
  for (const auto& [text, codec] : kCodecs)
    if (name == text) return codec;
  Fail("unknown Parquet compression '{}': expected auto, zstd, snappy, lz4, gzip or uncompressed",
       name);
}

std::string_view CodecName(ParquetCodec codec, size_t rows) {
  switch (codec) {
    case ParquetCodec::kAuto:
      return rows < kSmallParquetFileRows ? "snappy" : "zstd";
    case ParquetCodec::kZstd:
      return "zstd";
    case ParquetCodec::kSnappy:
      return "snappy";
    case ParquetCodec::kLz4:
      return "lz4_raw";  // the LZ4 of current Parquet readers (the old LZ4 framing is deprecated)
    case ParquetCodec::kGzip:
      return "gzip";
    case ParquetCodec::kUncompressed:
      return "uncompressed";
  }
  return "zstd";
}

namespace {

// The column that says which file of a partitioned COPY a record belongs to: its index among the
// COPY's files, so that every COPY writes into the same kFilesPerCopy folders.
constexpr const char* kFileColumn = "__ticklake_file";
// The table function that returns the rows of a batch to a COPY (LakeFileEncoder::Scan).
constexpr const char* kScanFunction = "ticklake_batch";
// Files written by one partitioned COPY: DuckDB keeps a Parquet writer open per file, with
// buffers of its own (~0.3 MB measured), so a flush of thousands of small files would hold
// hundreds of MB in DuckDB at once; a statement costs only milliseconds.
constexpr size_t kFilesPerCopy = 32;
// Rows written by one partitioned COPY, unless one file alone has more: about one row group.
constexpr size_t kRowsPerCopy = 131072;

duck::DatabaseOptions EncoderDatabaseOptions(const std::filesystem::path& temp_dir) {
  duck::DatabaseOptions options;
  options.temp_directory = (temp_dir / "duckdb").string();
  // Encoding runs beside Kafka consumption: two threads are plenty for a batch.
  options.settings = {{"threads", "2"},
                      {"preserve_insertion_order", "true"},
                      // A partitioned COPY writes one file per sink file: keep all of them open
                      // (more open partitions than this would split a file in two).
                      {"partitioned_write_max_open_files", "100000"}};
  return options;
}

// A column of the encoded file: the union, by name, of the batches' columns.
struct Column {
  std::string name;
  ColumnEvidence evidence;
  ColumnType type = ColumnType::kVarchar;
};

duckdb_type DuckType(ColumnType type) {
  switch (type) {
    case ColumnType::kBoolean:
      return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::kBigint:
      return DUCKDB_TYPE_BIGINT;
    case ColumnType::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnType::kDate:
      return DUCKDB_TYPE_DATE;
    case ColumnType::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP;
    case ColumnType::kVarchar:
      return DUCKDB_TYPE_VARCHAR;
  }
  return DUCKDB_TYPE_VARCHAR;
}

// Writes a value of `records` as a column of `type` (json_types.h resolved it from all the
// values).
void SetColumnValue(duck::ChunkWriter& chunk, size_t column, idx_t row, ColumnType type,
                    ColumnBatch::Kind kind, uint64_t slot, const ColumnBatch& records) {
  using Kind = ColumnBatch::Kind;
  switch (type) {
    case ColumnType::kBoolean:
      return chunk.SetValue<bool>(column, row, slot != 0);
    case ColumnType::kBigint:
      return chunk.SetValue<int64_t>(column, row, ColumnBatch::Int(slot));
    case ColumnType::kDouble:
      return chunk.SetValue<double>(column, row,
                                    kind == Kind::kInt ? static_cast<double>(ColumnBatch::Int(slot))
                                                       : ColumnBatch::Double(slot));
    case ColumnType::kDate:  // every value is a date, kept as its days
      return chunk.SetValue(column, row, duckdb_date{static_cast<int32_t>(ColumnBatch::Int(slot))});
    case ColumnType::kTimestamp:
      switch (kind) {
        case Kind::kDate:
          return chunk.SetValue(column, row,
                                duckdb_timestamp{ColumnBatch::Int(slot) * 86'400'000'000});
        case Kind::kTimestamp:
          return chunk.SetValue(column, row, duckdb_timestamp{ColumnBatch::Int(slot)});
        default:  // a timestamp not in the canonical form, kept as its text
          return chunk.SetValue(column, row,
                                duckdb_timestamp{*ParseIsoTimestamp(records.Text(slot))});
      }
    case ColumnType::kVarchar:
      // Strings as they are; numbers and booleans in a text column as their JSON text.
      switch (kind) {
        case Kind::kString:
          return chunk.SetText(column, row, records.Text(slot));
        case Kind::kBool:
          return chunk.SetText(column, row, slot ? "true" : "false");
        case Kind::kDate:
        case Kind::kTimestamp:
          return chunk.SetText(column, row, ColumnBatch::TimeText(kind, slot));
        default:
          return chunk.SetText(column, row, ColumnBatch::NumberText(kind, slot));
      }
  }
}

}  // namespace

// What the COPYs of an EncodeAll call read (PlanScan): the files' columns (their union), the Kafka
// columns, and kFileColumn when the call has more than one file.
struct LakeFileEncoder::ScanPlan {
  std::vector<Column> columns;
  std::vector<std::string> names;  // every column returned
  std::vector<duckdb_type> types;
  // source[f][c]: file f's column holding column c, or SIZE_MAX (which no segment holds: null)
  std::vector<std::vector<size_t>> source;
  std::vector<File>* files = nullptr;
  bool kafka_columns = false, by_file = false;
};

// The rows of files [begin, end) of an EncodeAll, as a lane's table function ticklake_batch_<i>()
// returns them to its COPY. DuckDB reads the batches in place (no table is loaded). Its threads
// take whole files in turn, so a file's rows stay in order, and each batch is freed as soon as
// its rows are in chunks. The lane's thread waits in the COPY meanwhile.
struct LakeFileEncoder::Scan {
  const ScanPlan* plan = nullptr;
  size_t begin = 0, end = 0;          // the files of the current COPY
  std::atomic<size_t> next_file = 0;  // the next file a thread may take

  // A DuckDB thread's position: the file it took, and its next row's segment and row in it.
  struct Cursor {
    size_t file = SIZE_MAX, segment = 0, row = 0;
  };

  static void Bind(duckdb_bind_info info) {
    const ScanPlan& plan = *static_cast<Scan*>(duckdb_bind_get_extra_info(info))->plan;
    for (size_t c = 0; c < plan.types.size(); ++c) {
      duckdb_logical_type type = duckdb_create_logical_type(plan.types[c]);
      duckdb_bind_add_result_column(info, plan.names[c].c_str(), type);
      duckdb_destroy_logical_type(&type);
    }
  }
  static void Init(duckdb_init_info info) {
    auto* scan = static_cast<Scan*>(duckdb_init_get_extra_info(info));
    scan->next_file = scan->begin;
    duckdb_init_set_max_threads(info, scan->end - scan->begin);
  }
  static void InitThread(duckdb_init_info info) {
    duckdb_init_set_init_data(info, std::make_unique<Cursor>().release(), [](void* cursor) {
      std::unique_ptr<Cursor> owned(static_cast<Cursor*>(cursor));
    });
  }
  static void Produce(duckdb_function_info info, duckdb_data_chunk output) {
    auto* scan = static_cast<Scan*>(duckdb_function_get_extra_info(info));
    auto* cursor = static_cast<Cursor*>(duckdb_function_get_local_init_data(info));
    try {
      duckdb_data_chunk_set_size(output, scan->Fill(output, *cursor));
    } catch (const std::exception& e) {
      duckdb_function_set_error(info, e.what());
    }
  }

  idx_t Fill(duckdb_data_chunk output, Cursor& at) {
    const auto& [columns, names, types, source, files, kafka_columns, by_file] = *plan;
    duck::ChunkWriter chunk(output);
    const idx_t capacity = duckdb_vector_size();
    const size_t kafka = columns.size();
    idx_t n = 0;
    while (n < capacity) {
      if (at.file == SIZE_MAX || at.segment == (*files)[at.file].records.segments().size()) {
        if (at.file != SIZE_MAX) {
          // DuckDB copied the rows (strings too): the batch is not needed any more.
          ColumnBatch& done = (*files)[at.file].records;
          done = ColumnBatch(done.topic(), done.partition());
        }
        at = Cursor{next_file++};
        if (at.file >= end) {
          at.file = SIZE_MAX;
          break;
        }
        continue;
      }
      const ColumnBatch& records = (*files)[at.file].records;
      const ColumnBatch::Segment& segment = records.segments()[at.segment];
      const std::vector<size_t>& from = source[at.file];
      for (; n < capacity && at.row < segment.rows(); ++at.row, ++n) {
        const size_t row = at.row;
        for (size_t c = 0; c < columns.size(); ++c) {
          ColumnBatch::Kind kind = segment.kind(row, from[c]);  // null past the segment's width
          if (kind == ColumnBatch::Kind::kNull) {
            chunk.SetNull(c, n);
          } else {
            SetColumnValue(chunk, c, n, columns[c].type, kind, segment.slot(row, from[c]), records);
          }
        }
        if (kafka_columns) {
          chunk.SetText(kafka, n, records.topic());
          chunk.SetValue<int32_t>(kafka + 1, n, records.partition());
          chunk.SetValue<int64_t>(kafka + 2, n, segment.offset(row));
          chunk.SetValue(kafka + 3, n, duckdb_timestamp{segment.timestamp_ms(row) * 1000});
        }
        if (by_file)
          chunk.SetValue<int64_t>(types.size() - 1, n, static_cast<int64_t>(at.file - begin));
      }
      if (at.row == segment.rows()) at = Cursor{at.file, at.segment + 1, 0};
    }
    return n;
  }
};

// A connection that runs one COPY at a time, with its own scan (table function) and folders.
struct LakeFileEncoder::Lane {
  Lane(duck::Database& db, size_t index, const std::filesystem::path& temp_dir,
       const ScanPlan* plan)
      : conn(db),
        function(fmt::format("{}_{}", kScanFunction, index)),
        directory(temp_dir / fmt::format("partitioned-{}", index)) {
    scan.plan = plan;
    duckdb_table_function f = duckdb_create_table_function();
    duckdb_table_function_set_name(f, function.c_str());
    duckdb_table_function_set_extra_info(f, &scan, nullptr);
    duckdb_table_function_set_bind(f, &Scan::Bind);
    duckdb_table_function_set_init(f, &Scan::Init);
    duckdb_table_function_set_local_init(f, &Scan::InitThread);
    duckdb_table_function_set_function(f, &Scan::Produce);
    duckdb_state state = duckdb_register_table_function(conn.handle(), f);
    duckdb_destroy_table_function(&f);
    if (state == DuckDBError) Fail("duckdb: cannot register the table function {}", function);
  }

  duck::Connection conn;
  Scan scan;
  std::string function;
  std::filesystem::path directory;  // where its partitioned COPYs write, a folder per file
};

LakeFileEncoder::LakeFileEncoder(LakeFormat format, bool kafka_columns, size_t max_record_bytes,
                                 const std::filesystem::path& temp_dir, ParquetCodec codec)
    : format_(format),
      codec_(codec),
      kafka_columns_(kafka_columns),
      max_record_bytes_(max_record_bytes),
      temp_dir_(temp_dir),
      db_(EncoderDatabaseOptions(temp_dir)),
      plan_(std::make_unique<ScanPlan>()) {
  for (size_t i = 0; i < kLanes; ++i)
    lanes_.push_back(std::make_unique<Lane>(db_, i, temp_dir, plan_.get()));
}

LakeFileEncoder::~LakeFileEncoder() = default;

bool LakeFileEncoder::PlanScan(std::vector<File>& files) {
  ScanPlan& scan = *plan_;
  scan.columns.clear();
  scan.names.clear();
  scan.types.clear();
  scan.source.clear();
  std::unordered_map<std::string, size_t> index;  // by lower-case name
  scan.by_file = files.size() > 1;
  scan.kafka_columns = kafka_columns_;
  scan.source.resize(files.size());
  for (size_t f = 0; f < files.size(); ++f) {
    const ColumnBatch& records = files[f].records;
    if (records.needs_read_json()) return false;
    for (size_t c = 0; c < records.columns().size(); ++c) {
      const ColumnBatch::Column& column = records.columns()[c];
      std::string lower = AsciiLower(column.name);
      if (scan.by_file && lower == kFileColumn) return false;
      auto [it, added] = index.try_emplace(lower, scan.columns.size());
      if (added) {
        scan.columns.push_back({column.name, {}, {}});
      } else if (scan.columns[it->second].name != column.name) {
        return false;  // "Close" and "close": let read_json decide
      }
      scan.columns[it->second].evidence.Merge(column.evidence);
      scan.source[f].resize(scan.columns.size(), SIZE_MAX);
      scan.source[f][it->second] = c;
    }
  }
  if (scan.columns.empty() && !kafka_columns_) return false;
  auto add = [&](std::string name, duckdb_type type) {
    scan.names.push_back(std::move(name));
    scan.types.push_back(type);
  };
  for (Column& column : scan.columns) {
    column.type = column.evidence.Resolve();
    add(column.name, DuckType(column.type));
  }
  if (kafka_columns_) {
    add(std::string(kKafkaColumns[0]), DUCKDB_TYPE_VARCHAR);
    add(std::string(kKafkaColumns[1]), DUCKDB_TYPE_INTEGER);
    add(std::string(kKafkaColumns[2]), DUCKDB_TYPE_BIGINT);
    add(std::string(kKafkaColumns[3]), DUCKDB_TYPE_TIMESTAMP);
  }
  if (scan.by_file) add(kFileColumn, DUCKDB_TYPE_BIGINT);
  for (auto& from : scan.source) from.resize(scan.columns.size(), SIZE_MAX);
  scan.files = &files;
  return true;
}

void LakeFileEncoder::LoadWithReadJson(std::string_view jsonl) {
  std::filesystem::path file = temp_dir_ / "batch.jsonl";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(jsonl.data(), static_cast<std::streamsize>(jsonl.size()));
    if (!out.flush()) Fail("cannot write {}: {}", file.string(), ErrnoMessage());
  }
  // sample_size=-1: infer the schema from every record, so a field first seen late is not lost.
  lanes_[0]->conn.Query(fmt::format(
      "CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM read_ndjson({}, sample_size=-1, "
      "maximum_object_size={}, timestampformat='iso')",
      duck::QuoteLiteral(file.string()), max_record_bytes_ + 4096));
}

void LakeFileEncoder::Encode(ColumnBatch records, const std::filesystem::path& output) {
  std::vector<File> files;
  files.push_back({std::move(records), output});
  EncodeAll(std::move(files));
}

void LakeFileEncoder::EncodeAll(std::vector<File> files) {
  if (files.empty()) return;
  if (!PlanScan(files)) {
    // Nested values: read_json infers STRUCT and LIST types, one file at a time.
    Lane& lane = *lanes_[0];
    for (const File& file : files) {
      try {
        std::string jsonl;
        file.records.AppendJsonLines(jsonl, kafka_columns_);
        LoadWithReadJson(jsonl);
      } catch (const Error& e) {
        Fail("cannot encode a batch into {}: {}", file.output.string(), e.what());
      }
      Copy(lane, file.output, {}, file.records.rows(), true);
    }
    lane.conn.Query("DROP TABLE batch");  // not kept while the sink buffers the next flush
    return;
  }
  // The COPYs: DuckDB partitions only Parquet and CSV writes, so JSON Lines take one per file.
  // Parquet files share one while they are small together: DuckDB keeps each open file's rows in
  // memory up to a row group (122,880), so a COPY takes few files when they are big (keyed
  // topics), many when they are small. Its files share a codec.
  struct Group {
    size_t first, end, rows;  // files [first, end), the rows of the biggest
  };
  std::vector<Group> groups;
  for (size_t first = 0, end; first < files.size(); first = end) {
    size_t rows = files[first].records.rows(), biggest = rows;
    const std::string_view codec = CodecName(codec_, rows);
    for (end = first + 1;
         format_ == LakeFormat::kParquet && end < files.size() && end - first < kFilesPerCopy &&
         rows + files[end].records.rows() <= kRowsPerCopy &&
         CodecName(codec_, files[end].records.rows()) == codec;
         ++end) {
      rows += files[end].records.rows();
      biggest = std::max(biggest, files[end].records.rows());
    }
    groups.push_back({first, end, biggest});
  }
  // The folders DuckDB writes into (one per file of a COPY) are kept for the next COPY and flush:
  // on a local disk a mkdir and rmdir per file cost more than writing it. Only a failed write
  // leaves files in them.
  if (std::exchange(partitioned_dirty_, true)) {
    for (const auto& lane : lanes_) std::filesystem::remove_all(lane->directory);
  }
  // The lanes take the COPYs in turn, two at a time: DuckDB creates, finishes and closes a COPY's
  // files on one thread, and meanwhile the other COPY's rows are encoded.
  std::atomic<size_t> next = 0;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto run = [&](Lane& lane) {
    try {
      for (size_t g = next++; g < groups.size(); g = next++) {
        const Group& group = groups[g];
        if (group.end - group.first == 1) {
          Copy(lane, files[group.first].output, {{group.first, group.end}}, group.rows, false);
        } else {
          Copy(lane, lane.directory, {{group.first, group.end}}, group.rows, false);
          MoveOutOfFolders(files, group.first, group.end, lane.directory);
        }
      }
    } catch (...) {
      next = groups.size();  // the other lane stops after its COPY
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t i = 1; i < std::min(lanes_.size(), groups.size()); ++i)
      helpers.emplace_back([&, i] { run(*lanes_[i]); });
    run(*lanes_[0]);
  }
  if (failure) std::rethrow_exception(failure);
  partitioned_dirty_ = false;
}

void LakeFileEncoder::MoveOutOfFolders(const std::vector<File>& files, size_t first, size_t end,
                                       const std::filesystem::path& directory) {
  for (size_t f = first; f < end; ++f) {
    std::filesystem::path folder = directory / fmt::format("{}={}", kFileColumn, f - first);
    std::vector<std::filesystem::path> written;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
      written.push_back(entry.path());
    if (ec || written.size() != 1) {
      Fail("cannot encode a batch into {}: DuckDB wrote {} files into {}{}",
           files[f].output.string(), written.size(), folder.string(),
           ec ? " (" + ec.message() + ")" : "");
    }
    std::filesystem::rename(written[0], files[f].output, ec);
    if (ec) {
      Fail("cannot encode a batch into {}: cannot move {} there: {}", files[f].output.string(),
           written[0].string(), ec.message());
    }
  }
}

void LakeFileEncoder::Copy(Lane& lane, const std::filesystem::path& output,
                           std::optional<std::pair<size_t, size_t>> files, size_t rows,
                           bool json_kafka_columns) {
  const bool partitioned = files && files->second - files->first > 1;
  std::vector<std::string> dropped;
  std::string from = "batch";
  if (files) {
    from = lane.function + "()";
    lane.scan.begin = files->first;
    lane.scan.end = files->second;
    if (plan_->by_file && !partitioned) dropped.push_back(kFileColumn);
  }
  std::string select = "SELECT *";
  if (!dropped.empty()) {
    select += " EXCLUDE (";
    for (size_t i = 0; i < dropped.size(); ++i)
      select += (i ? ", " : "") + duck::QuoteIdentifier(dropped[i]);
    select += ")";
  }
  if (json_kafka_columns && kafka_columns_) {
    select +=
        " REPLACE (kafka_partition::INTEGER AS kafka_partition, epoch_ms(kafka_timestamp) AS "
        "kafka_timestamp)";
  }
  std::string options;
  switch (format_) {
    case LakeFormat::kParquet:
      options = fmt::format("FORMAT parquet, COMPRESSION {}", CodecName(codec_, rows));
      break;
    case LakeFormat::kJsonl:
      options = "FORMAT json";
      break;
    case LakeFormat::kJsonlGzip:
      options = "FORMAT json, COMPRESSION gzip";
      break;
  }
  if (partitioned) options += fmt::format(", PARTITION_BY ({}), OVERWRITE_OR_IGNORE", kFileColumn);
  std::string sql = fmt::format("COPY ({} FROM {}) TO {} ({})", select, from,
                                duck::QuoteLiteral(output.string()), options);
  if (auto error = lane.conn.TryExecute(sql))
    Fail("cannot encode a batch into {}: {}", output.string(), *error);
}

}  // namespace ticklake::lake
