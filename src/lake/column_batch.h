// ColumnBatch: the records of one future lake file, held as columns from the moment they are
// received. The sink parses each Kafka message once (RecordParser) and appends the parsed object
// here: every top-level field becomes a column of tagged values (null, boolean, integer, double,
// string, or a nested value's JSON text) plus the type evidence of json_types.h, so encoding a
// flush needs no second JSON pass. Strings live in one arena; each record's Kafka offset and
// timestamp are kept beside the columns.
//
// Fields named in `left_out` (matched case-insensitively) are not kept: the sink leaves out the
// --partition-by fields, whose values are in the Hive path (Athena refuses a column that is also
// a partition key), so they cost the buffers nothing.
//
// Columns are matched by exact key, in order of first appearance (records of one producer list
// their fields in the same order, so the same slot is tried first). A batch holding a nested
// value, or two keys that differ only in case, cannot be typed here: needs_read_json() says so
// and AppendJsonLines turns it back into JSON Lines for DuckDB's read_json. A key repeated within
// one record keeps its last value.
// Not thread-safe; a batch is filled by one thread and may then be handed to another.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lake/json_types.h"

namespace ticklake::lake {

class ColumnBatch {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kJson };
  struct Column {
    std::string name;
    ColumnEvidence evidence;
    std::vector<Kind> kinds;      // one per row
    std::vector<uint64_t> slots;  // a bool, int64 or double's bits, or a string's arena offset
  };

  ColumnBatch(std::string topic, int32_t partition);

  // Appends one record: the fields of `object` but those named in `left_out`, the message's
  // offset and timestamp.
  void Append(simdjson::dom::object object, int64_t offset, int64_t timestamp_ms,
              std::span<const std::string> left_out = {});

  size_t rows() const { return offsets_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::vector<int64_t>& timestamps_ms() const { return timestamps_; }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  bool needs_read_json() const { return nested_ || case_conflict_; }

  // The value of a row whose kind is kInt, kDouble, kBool; the text of kString and kJson.
  static int64_t Int(uint64_t slot) { return static_cast<int64_t>(slot); }
  static double Double(uint64_t slot);
  std::string_view Text(uint64_t slot) const;
  // The JSON text of a kInt or kDouble value: a double in its shortest round-trip form, with
  // ".0" when that looks like an integer (so it reads back as a decimal).
  static std::string NumberText(Kind kind, uint64_t slot);

  // Bytes allocated: what the batch costs in memory, not just its contents (kept as it grows).
  size_t allocated_bytes() const { return allocated_; }

  // Appends the records as JSON Lines (keys in column order), with the Kafka columns
  // (kKafkaColumns, record_parser.h) when `kafka_columns`.
  void AppendJsonLines(std::string& out, bool kafka_columns) const;

 private:
  size_t ColumnOf(std::string_view key, size_t position);
  void Set(Column& column, Kind kind, uint64_t slot);
  uint64_t AddText(std::string_view text);
  template <typename T>
  void Push(std::vector<T>& values, T value);

  std::string topic_;
  int32_t partition_;
  std::vector<Column> columns_;
  std::unordered_map<std::string, size_t> by_name_;
  std::unordered_map<std::string, size_t> by_lower_name_;  // the first column of each spelling
  std::vector<int64_t> offsets_, timestamps_;
  std::vector<char> arena_;
  size_t allocated_ = 0;
  bool nested_ = false, case_conflict_ = false;
};

}  // namespace ticklake::lake
