// ColumnBatch: the records of one future lake file, held as typed values from the moment they are
// received. The sink parses each Kafka message once (RecordParser) and appends the parsed object
// here: every top-level field becomes a column of tagged values (null, boolean, integer, double,
// date, timestamp, string, or a nested value's JSON text) plus the type evidence of
// json_types.h, so encoding a flush needs no second JSON pass. Dates and timestamps written in
// their canonical forms (json_types.h) are kept as numbers, which turn back into the same text;
// other strings live in an arena. Each record's Kafka offset and timestamp are kept beside it.
//
// Rows are kept in segments, each allocated once, when the one before it is full, and never moved
// (a growing vector copies everything it holds each time it grows: a fifth of the consuming
// thread's time on a topic whose flushes are thousands of small files). A segment holds the
// values of its rows row by row, for the columns known when it was filled; columns that appear
// later are null in it. A column first seen part-way through a segment widens it in place when
// it has room, else lays it out again with room for a quarter more columns (records whose keys
// keep changing cost what they hold, not a copy per new key). Segments, like the arena's chunks,
// are a quarter of what the batch already holds (at least kMinSegmentRows rows), so little of what
// a batch allocates sits unused: the sink's memory bound counts what it allocates.
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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lake/json_types.h"

namespace ticklake::lake {

class ColumnBatch {
 public:
  // A value's kind. Its slot holds a bool, int64 or double's bits, kDate's days since 1970-01-01,
  // kTimestamp's microseconds since the epoch (UTC), or a kString or kJson text's place in the
  // arena.
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kDate, kTimestamp, kString, kJson };
  struct Column {
    std::string name;
    ColumnEvidence evidence;
  };
  static constexpr size_t kMinSegmentRows = 32;

  class Segment {
   public:
    size_t rows() const { return rows_; }
    size_t capacity() const { return capacity_; }
    size_t width() const { return width_; }    // the columns it holds; the later ones are null
    size_t stride() const { return stride_; }  // the columns it has room for
    Kind kind(size_t row, size_t column) const {
      return column < width_ ? kinds_[row * stride_ + column] : Kind::kNull;
    }
    uint64_t slot(size_t row, size_t column) const { return slots_[row * stride_ + column]; }
    int64_t offset(size_t row) const { return offsets_[row]; }
    int64_t timestamp_ms(size_t row) const { return timestamps_[row]; }

   private:
    friend class ColumnBatch;
    Segment(size_t capacity, size_t width, size_t stride);
    size_t bytes() const;

    size_t capacity_, width_, stride_, rows_ = 0;
    std::unique_ptr<std::byte[]> block_;  // slots, offsets, timestamps, kinds
    uint64_t* slots_;
    int64_t *offsets_, *timestamps_;
    Kind* kinds_;
  };

  ColumnBatch(std::string topic, int32_t partition);

  // Appends one record: the fields of `object` but those named in `left_out`, the message's
  // offset and timestamp.
  void Append(simdjson::dom::object object, int64_t offset, int64_t timestamp_ms,
              std::span<const std::string> left_out = {});

  size_t rows() const { return rows_; }
  const std::vector<Column>& columns() const { return columns_; }
  const std::vector<Segment>& segments() const { return segments_; }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  bool needs_read_json() const { return nested_ || case_conflict_; }

  // The value at a row (any row; reading segment by segment is faster).
  Kind kind(size_t row, size_t column) const;
  uint64_t slot(size_t row, size_t column) const;

  // The value of a row whose kind is kInt, kDouble, kBool; the text of kString and kJson.
  static int64_t Int(uint64_t slot) { return static_cast<int64_t>(slot); }
  static double Double(uint64_t slot);
  std::string_view Text(uint64_t slot) const;
  // The JSON text of a kInt or kDouble value: a double in its shortest round-trip form, with
  // ".0" when that looks like an integer (so it reads back as a decimal).
  static std::string NumberText(Kind kind, uint64_t slot);
  // The text a kDate or kTimestamp value was received as.
  static std::string TimeText(Kind kind, uint64_t slot);

  // Bytes allocated for the rows and texts: what the batch costs in memory, not just its contents.
  size_t allocated_bytes() const { return allocated_; }

  // Appends the records as JSON Lines (keys in column order), with the Kafka columns
  // (kKafkaColumns, record_parser.h) when `kafka_columns`.
  void AppendJsonLines(std::string& out, bool kafka_columns) const;

 private:
  struct Value {
    size_t column;
    Kind kind;
    uint64_t slot;
  };

  size_t ColumnOf(std::string_view key, size_t position);
  uint64_t AddText(std::string_view text);
  // The last segment, with room for a row and a place for every column.
  Segment& Writable();
  const Segment& SegmentOf(size_t* row) const;

  std::string topic_;
  int32_t partition_;
  std::vector<Column> columns_;
  std::unordered_map<std::string, size_t> by_name_;
  std::unordered_map<std::string, size_t> by_lower_name_;  // the first column of each spelling
  std::vector<Segment> segments_;
  size_t rows_ = 0;
  std::vector<std::unique_ptr<char[]>> chunks_;  // the arena; a text is in one chunk
  size_t chunk_used_ = 0, chunk_capacity_ = 0, arena_bytes_ = 0;
  size_t allocated_ = 0;
  std::vector<Value> values_;  // the record being appended
  bool nested_ = false, case_conflict_ = false;
};

}  // namespace ticklake::lake
