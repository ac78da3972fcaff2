// HiveLander: lands a sink flush — the batches of several Kafka partitions — as Hive-partitioned
// files, by the commit protocol of docs/architecture.md: every file of every batch is encoded at
// once (one DuckDB scan; a statement per file would cost milliseconds each), the files are moved
// into their batches' staging folders and made durable (step 1), then each batch is committed in
// the CommitLog, in order (its commit point, then the files' publication).
// Not thread-safe: the sink's flush worker calls it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "lake/commit_log.h"
#include "lake/lake_file_encoder.h"
#include "lake/partition_batch.h"
#include "store/object_store.h"

namespace ticklake::lake {

class HiveLander {
 public:
  // Files are encoded in `temp_dir`. (The --partition-by fields are already left out of the
  // batches: ColumnBatch::Append.)
  HiveLander(ObjectStore& store, CommitLog& log, LakeFileEncoder& encoder, std::string topic,
             std::string extension, std::filesystem::path temp_dir);

  struct Landed {
    int64_t files = 0, bytes = 0;
  };
  // Lands and commits every batch, calling `committed` after each commit point; takes their
  // records. Throws Error on failure: the batches committed before it stay committed, the others
  // are not (CommitLog::Recover cleans up).
  void Land(std::vector<PartitionBatch>& batches,
            const std::function<void(const PartitionBatch&, const Landed&)>& committed);

 private:
  ObjectStore& store_;
  CommitLog& log_;
  LakeFileEncoder& encoder_;
  std::string topic_, extension_;
  std::filesystem::path temp_dir_;
};

}  // namespace ticklake::lake
