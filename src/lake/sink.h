// The lake sink: a Kafka consumer-group member that lands every record of a topic exactly once in
// the lake as Hive-partitioned Parquet or JSON Lines, through an ObjectStore.
//
// Records are buffered per Kafka partition and grouped by Hive partition; a buffer is flushed
// when it reaches --flush-records or --flush-bytes, when its first record is --flush-interval old,
// when the partition is revoked, and on shutdown. Each flush is one batch of CommitLog
// (commit_log.h): the lake, not the group's committed offset, says where a partition resumes.
// Records that are not valid JSON objects go to _errors/ (or are skipped, or stop the sink).
// Offsets that jump (records deleted by retention before they were read) are reported and
// counted, never hidden.
//
// With --table-format iceberg the flushes land in an Apache Iceberg table instead, and the
// table's snapshots (not CommitLog) say where partitions resume (iceberg_committer.h).
//
// Thread-safety: RunSink runs on the calling thread; SinkStats may be read from other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lake/sink_options.h"

namespace ticklake::lake {

// Live counters, readable from other threads while the sink runs.
struct SinkStats {
  std::atomic<int64_t> records_consumed{0};
  std::atomic<int64_t> records_written{0};
  std::atomic<int64_t> error_records{0};
  std::atomic<int64_t> files_written{0};
  std::atomic<int64_t> bytes_written{0};
  std::atomic<int64_t> batches_committed{0};
  std::atomic<int64_t> records_missing{0};  // offsets skipped by the broker (retention)
  std::atomic<int64_t> lag{-1};             // sum over assigned partitions; -1 unknown
  std::atomic<int64_t> catalog_updates{0};
};

struct SinkSummary {
  int64_t records_consumed = 0, records_written = 0, error_records = 0, files_written = 0,
          bytes_written = 0, batches_committed = 0, records_missing = 0;
  double seconds = 0;
};

std::string SummaryJson(const SinkOptions& options, const SinkSummary& summary);

// Runs until `should_stop` returns true (then flushes and commits) or, with exit_at_end, until
// caught up. Throws Error on failures it cannot continue from (an unreachable cluster, a lake
// that cannot be written, a bad record with --on-error fail).
SinkSummary RunSink(const SinkOptions& options, const std::function<bool()>& should_stop,
                    SinkStats* live = nullptr);

}  // namespace ticklake::lake
