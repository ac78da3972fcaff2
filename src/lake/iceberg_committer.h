// IcebergCommitter: lands the sink's flushes in an Apache Iceberg table, exactly once
// (docs/architecture.md, "Exactly once into Iceberg"). The Iceberg commit is the commit point:
//   1. the flush's records become Parquet data files (IcebergFileWriter), uploaded straight to
//      their final keys <topic>/data/<partition path>/<p:05>-<start:020>-<id>.parquet — no
//      snapshot references them yet, so a crash leaves only orphans that `expire` removes;
//      dead letters go to _errors/<topic>/part-<p>-<start>.jsonl (deterministic: a retry after a
//      crash overwrites them);
//   2. ONE Table::Append for every partition of the flush, whose summary carries the topic and
//      the cumulative next offsets of all partitions (iceberg_offsets.h). Its validate hook
//      checks that the table's offset of every partition in the flush is still the one this
//      member resumed from or last committed: otherwise another member committed those records
//      (this one lost the partition) and the flush stops with CommitConflict, never committing
//      twice. When others committed meanwhile (other partitions, a compaction), the summary is
//      recomputed on the new snapshot and the append retried; when they changed the schema so
//      that the written files no longer match, the flush is written again.
// Resume() tells where a partition continues: the offset in the table's snapshot summaries, not
// the consumer group's committed offset.
// The table (catalog "ticklake", namespace "default", name = the topic lower-cased) is created
// on the first flush with that flush's schema, the --partition-by spec and the properties
// write.format.default=parquet, write.parquet.compression-codec=zstd, ticklake.source.topic.
// Not thread-safe: one committer per sink thread; any number of processes may share the table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "iceberg/compaction.h"
#include "iceberg/sql_catalog.h"
#include "iceberg/table.h"
#include "lake/iceberg_offsets.h"
#include "lake/iceberg_writer.h"
#include "lake/sink.h"
#include "store/object_store.h"

namespace ticklake::lake {

// Thrown by the validate hook when the table moved on since the flush planned its commit; the
// committer catches it, re-reads the table and retries.
struct TableMovedOn : iceberg::CommitConflict {
  using iceberg::CommitConflict::CommitConflict;
};

struct IcebergSinkOptions {
  std::string catalog;  // the SQL catalog file (catalog.db)
  std::string topic;
  std::string partition_by;  // Iceberg form (iceberg::ParseIcebergPartitionBy); "" = none
  bool kafka_columns = true;
  OnError on_error = OnError::kDeadLetter;
  std::filesystem::path temp_dir;
};

class IcebergCommitter {
 public:
  IcebergCommitter(const IcebergSinkOptions& options, ObjectStore& lake);
  IcebergCommitter(const IcebergCommitter&) = delete;
  IcebergCommitter& operator=(const IcebergCommitter&) = delete;

  // Where `partition` resumes: the next offset the table holds for it (nullopt when none).
  // Removes the dead-letter file an uncommitted flush may have left at that offset.
  std::optional<int64_t> Resume(int32_t partition);

  struct Batch {
    int32_t partition = 0;
    int64_t start_offset = 0;                   // first offset read in this batch
    int64_t next_offset = 0;                    // offset after the last one read
    std::string* jsonl = nullptr;               // RecordParser lines (Kafka columns included)
    const std::string* errors_jsonl = nullptr;  // dead letters already found by the sink
  };
  struct Landed {
    int64_t records = 0;  // rows committed
    int64_t errors = 0;   // records rejected for not fitting the table's schema
    int64_t files = 0;    // data and dead-letter files
    int64_t bytes = 0;
  };
  // Lands the batches in one snapshot; returns what was landed per batch. Throws CommitConflict
  // when another member committed one of the partitions, Error on other failures (nothing is
  // committed then).
  std::vector<Landed> Land(const std::vector<Batch>& batches);

  // Rewrites the table's small files (iceberg::Compact) in one replace snapshot; nullopt when
  // there is no table yet.
  std::optional<iceberg::CompactResult> Compact();

  const iceberg::TableIdent& ident() const { return ident_; }
  int64_t snapshots_committed() const { return snapshots_committed_; }

 private:
  bool LoadTable();
  void CheckOffsets(const iceberg::TableMetadata& metadata, const std::vector<Batch>& batches);

  IcebergSinkOptions options_;
  ObjectStore& lake_;
  iceberg::SqlCatalog catalog_;
  iceberg::TableIdent ident_;
  IcebergFileWriter writer_;
  std::optional<iceberg::Table> table_;
  // Per partition: the offset this member resumed from or last committed (nullopt: none).
  std::map<int32_t, std::optional<int64_t>> expected_;
  int64_t snapshots_committed_ = 0;
};

}  // namespace ticklake::lake
