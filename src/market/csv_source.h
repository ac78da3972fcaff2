// CsvSource: replays the rows of a CSV file (any header) as JSON records, in file order, in
// random order (sampling with replacement, like pandas df.sample(1) per message, which is what
// the tutorial's producer does) or in timestamp order (the caller paces them by time_us).
//
// The file is read and parsed once, up front; rows are kept pre-rendered as JSON, so replay costs
// no parsing. Malformed rows (see CsvReader) and, in time order, rows whose time cannot be
// parsed are reported through `report` with their line number and reason, counted and skipped;
// with `strict` the first one throws Error instead. Values keep their types (csv_reader.h).
//
// Key: the value of `key_column` (default "Index" when the header has it, else no key).
// Time column (order=time): `time_column`, else the first of ts, timestamp, time, Date
// (case-insensitive). Accepted times: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.fraction]] with an
// optional Z or ±HH:MM offset (none = UTC), or a Unix time number (seconds, or ms/us/ns when
// large). Rows are replayed stably sorted by time.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "market/simulator.h"

namespace ticklake::market {

enum class ReplayOrder { kFile, kRandom, kTime };
ReplayOrder ParseReplayOrder(const std::string& text);  // file|random|time; throws Error

struct CsvSourceOptions {
  std::string path;
  ReplayOrder order = ReplayOrder::kFile;
  bool loop = false;
  bool strict = false;
  std::string key_column;   // empty: "Index" if present
  std::string time_column;  // empty: detect
  uint64_t seed = 0;        // for random order; 0 = random
  // Receives one line per malformed row, e.g. "data.csv line 7: expected 9 fields, got 8".
  std::function<void(const std::string&)> report;
};

struct CsvRow {
  std::string json;
  std::string key;
  bool has_key = false;
  int64_t time_us = 0;  // only in time order
};

class CsvSource {
 public:
  // Reads and parses the file; throws Error for an unreadable file, a bad header, a missing key
  // or time column, or (strict) the first malformed row.
  explicit CsvSource(const CsvSourceOptions& options);

  // The next row, or nullptr when the replay is over (file/time order without loop). In time
  // order with loop, each pass is shifted by the data set's span plus one average row spacing,
  // so `due_us` keeps increasing.
  const CsvRow* Next(int64_t* due_us = nullptr);

  int64_t malformed_rows() const { return malformed_; }
  size_t row_count() const { return rows_.size(); }
  const std::vector<std::string>& header() const { return header_; }
  int key_index() const { return key_index_; }
  int time_index() const { return time_index_; }

 private:
  CsvSourceOptions options_;
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
  int key_index_ = -1;
  int time_index_ = -1;
  int64_t malformed_ = 0;
  size_t next_ = 0;
  int64_t pass_ = 0;
  int64_t pass_span_us_ = 0;
  Random random_;
};

// Parses a time as described above into microseconds since the epoch (UTC).
std::optional<int64_t> ParseTimeMicros(std::string_view text);

}  // namespace ticklake::market
