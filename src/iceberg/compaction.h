// Compaction of an Iceberg table: rewrites the small data files of each partition into files near
// a target size, and commits the change as one "replace" snapshot (Table::Rewrite) — same rows,
// fewer files. It is safe while a sink keeps appending: the rewrite only removes files that are
// still live when it commits (optimistic concurrency), and appends made meanwhile are kept.
// A crash mid-way leaves only unreferenced new files, which Table::Expire's orphan sweep removes.
// Not thread-safe: one call at a time per Table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "iceberg/table.h"

namespace ticklake::iceberg {

struct CompactOptions {
  int64_t target_file_size = 128ll << 20;  // bytes
  // Files at least this large are left alone (default: 3/4 of the target).
  std::optional<int64_t> min_file_size;
  int min_input_files = 2;         // a partition with fewer small files is not rewritten
  std::filesystem::path temp_dir;  // where new files are written before upload
};

struct CompactResult {
  int64_t partitions_rewritten = 0;
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t bytes_removed = 0;
  int64_t bytes_added = 0;
  int64_t records = 0;
  std::optional<int64_t> snapshot_id;  // nullopt when nothing needed rewriting
};

CompactResult Compact(Table& table, const CompactOptions& options);

}  // namespace ticklake::iceberg
