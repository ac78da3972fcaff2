// A data file as a manifest entry describes it (spec v2 "Manifests", data_file struct): location,
// partition tuple, record count, size, and per-column statistics keyed by field id. Readers prune
// files with the partition values and the lower/upper bounds.
// Plain value types; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/schema.h"

namespace ticklake::iceberg {

struct DataFile {
  std::string location;  // full URI, e.g. s3://bucket/lake/stock_market/data/…/x.parquet
  std::string format = "PARQUET";
  std::vector<Literal> partition;  // one value per field of the spec it was written with
  int32_t spec_id = 0;
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // SerializeBound of the column's type
  std::map<int32_t, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;
  std::optional<int32_t> sort_order_id;
};

enum class ManifestEntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  ManifestEntryStatus status = ManifestEntryStatus::kAdded;
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;  // data sequence number
  int64_t file_sequence_number = 0;
  DataFile file;
};

}  // namespace ticklake::iceberg
