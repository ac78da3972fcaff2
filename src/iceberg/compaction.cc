#include "iceberg/compaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <set>

#include "common/duckdb.h"
#include "common/file_util.h"
#include "iceberg/parquet_files.h"

namespace ticklake::iceberg {
namespace {

std::string RandomStem() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("compacted-{:016x}", rng());
}

// Bins of files up to `target` bytes each (first fit over files sorted largest first); bins of a
// single file are dropped, since rewriting one file alone merges nothing.
std::vector<std::vector<const DataFile*>> Pack(std::vector<const DataFile*> files, int64_t target,
                                               int min_input_files) {
  std::sort(files.begin(), files.end(), [](const DataFile* a, const DataFile* b) {
    return a->file_size_in_bytes > b->file_size_in_bytes;
  });
  std::vector<std::vector<const DataFile*>> bins;
  std::vector<int64_t> sizes;
  for (const DataFile* f : files) {
    size_t i = 0;
    while (i < bins.size() && sizes[i] + f->file_size_in_bytes > target) ++i;
    if (i == bins.size()) {
      bins.emplace_back();
      sizes.push_back(0);
    }
    bins[i].push_back(f);
    sizes[i] += f->file_size_in_bytes;
  }
  std::erase_if(bins, [&](const auto& bin) {
    return bin.size() < 2 || static_cast<int>(bin.size()) < min_input_files;
  });
  return bins;
}

}  // namespace

CompactResult Compact(Table& table, const CompactOptions& options) {
  if (options.target_file_size <= 0) Fail("compact: the target file size must be positive");
  CompactResult result;
  table.Refresh();
  ScanPlan plan = table.Plan();
  if (!plan.snapshot) return result;
  const TableMetadata& metadata = table.metadata();
  const Schema& schema = metadata.CurrentSchema();
  const PartitionSpec& spec = metadata.DefaultSpec();
  int64_t small = options.min_file_size.value_or(options.target_file_size * 3 / 4);

  // Small files of the current partition spec, by partition.
  std::map<std::vector<Literal>, std::vector<const DataFile*>> by_partition;
  for (const auto& f : plan.files) {
    if (f.spec_id == spec.spec_id && f.file_size_in_bytes < small)
      by_partition[f.partition].push_back(&f);
  }
  std::vector<std::pair<std::vector<Literal>, std::vector<const DataFile*>>> work;
  for (auto& [partition, files] : by_partition) {
    if (static_cast<int>(files.size()) < options.min_input_files) continue;
    for (auto& bin : Pack(files, options.target_file_size, options.min_input_files)) {
      work.emplace_back(partition, std::move(bin));
    }
  }
  if (work.empty()) return result;

  std::optional<TempDir> own_temp;
  std::filesystem::path temp = options.temp_dir;
  if (temp.empty()) {
    own_temp.emplace("ticklake-compact");
    temp = own_temp->path();
  }
  duck::Database db;
  duck::Connection conn(db);
  ObjectStore& lake = table.lake();
  RewriteRequest rewrite;
  std::vector<std::string> uploaded;
  std::vector<std::filesystem::path> local_copies;
  std::set<std::vector<Literal>> partitions;
  try {
    for (const auto& [partition, bin] : work) {
      std::vector<std::string> inputs;
      int64_t records = 0;
      for (const DataFile* f : bin) {
        std::string key = table.KeyOf(f->location);
        if (auto local = lake.LocalPath(key)) {
          inputs.push_back(local->string());
        } else {
          auto copy = temp / fmt::format("input-{}.parquet", local_copies.size());
          lake.GetToFile(key, copy);
          local_copies.push_back(copy);
          inputs.push_back(copy.string());
        }
        records += f->record_count;
      }
      std::string list;
      for (const auto& input : inputs)
        list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(input);
      std::string source = fmt::format("read_parquet([{}], union_by_name = true)", list);
      // Files written before a schema change lack the newer columns: those read as NULL.
      std::set<std::string> present;
      duck::Result described = conn.Query("DESCRIBE SELECT * FROM " + source);
      for (size_t row = 0; row < described.RowCount(); ++row)
        present.insert(described.GetString(0, row).value_or(""));
      std::string columns;
      for (const auto& field : schema.fields) {
        if (!columns.empty()) columns += ", ";
        std::string name = duck::QuoteIdentifier(field.name);
        columns += present.count(field.name)
                       ? fmt::format("CAST({} AS {}) AS {}", name, DuckDbType(field.type), name)
                       : fmt::format("CAST(NULL AS {}) AS {}", DuckDbType(field.type), name);
      }
      std::string stem = RandomStem();
      auto out = temp / (stem + ".parquet");
      DataFile written =
          WriteParquet(conn, fmt::format("SELECT {} FROM {}", columns, source), schema, out);
      if (written.record_count != records) {
        Fail("compact {}: rewrote {} records as {}", table.ident().ToString(), records,
             written.record_count);
      }
      std::string key = table.NewDataFileKey(partition, stem);
      lake.PutFile(key, out);
      uploaded.push_back(key);
      std::filesystem::remove(out);
      written.location = table.LocationOf(key);
      written.partition = partition;
      written.spec_id = spec.spec_id;
      rewrite.added.push_back(written);
      for (const DataFile* f : bin) {
        rewrite.removed.push_back(f->location);
        result.bytes_removed += f->file_size_in_bytes;
      }
      result.bytes_added += written.file_size_in_bytes;
      result.records += records;
      partitions.insert(partition);
    }
    rewrite.summary["ticklake.compaction.target-file-size"] =
        std::to_string(options.target_file_size);
    Snapshot snapshot = table.Rewrite(rewrite);
    result.snapshot_id = snapshot.snapshot_id;
  } catch (...) {
    // Nothing references the new files unless the rewrite committed.
    for (const auto& key : uploaded) {
      try {
        lake.Delete(key);
      } catch (const Error&) {
      }
    }
    for (const auto& copy : local_copies) std::filesystem::remove(copy);
    throw;
  }
  for (const auto& copy : local_copies) std::filesystem::remove(copy);
  result.partitions_rewritten = static_cast<int64_t>(partitions.size());
  result.files_removed = static_cast<int64_t>(rewrite.removed.size());
  result.files_added = static_cast<int64_t>(rewrite.added.size());
  return result;
}

}  // namespace ticklake::iceberg
