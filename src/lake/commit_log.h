// CommitLog: the sink's exactly-once protocol over an ObjectStore (docs/architecture.md,
// "Exactly once"). For each Kafka partition the lake holds one state object,
//   _ticklake/sink/<topic>/partition-<p>.json = {next_offset, pending: [{staging, final}]},
// and a batch of records [start, end] is landed in three steps:
//   1. every file of the batch is written to _ticklake/staging/<topic>/<p>/<start>/<final key
//      with '/' as '~'>;
//   2. Commit() replaces the state object (an atomic put) — the commit point;
//   3. each staged file is moved to its final, deterministic name
//      <topic>/<hive path>/part-<p>-<start>.<ext>.
// Recover() on partition assignment redoes step 3 for the last committed batch and deletes any
// staging left by an uncommitted one, then returns where consumption must resume: the lake, not
// the consumer group's committed offset, is the truth. Names starting with '_' are not data to
// Hive, Glue, Athena or the crawler, so staged files are never visible as table data.
// Thread-safety: calls for different partitions may run concurrently; one partition, one caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/object_store.h"

namespace ticklake::lake {

struct StagedFile {
  std::string staging_key;
  std::string final_key;
};

struct PartitionState {
  int64_t next_offset = 0;
  std::vector<StagedFile> pending;
};

class CommitLog {
 public:
  CommitLog(ObjectStore& store, std::string topic);

  // Finishes an interrupted commit, removes uncommitted staging; returns the next offset to
  // consume, or nullopt when the lake holds nothing of this partition yet.
  std::optional<int64_t> Recover(int32_t partition);

  // Where to stage a file of the batch starting at `start_offset` that will become `final_key`.
  std::string StagingKey(int32_t partition, int64_t start_offset,
                         const std::string& final_key) const;

  // The commit point, then the publication of the staged files. Throws Error on failure; the
  // batch is then either committed (Recover publishes it) or not (Recover deletes it).
  void Commit(int32_t partition, int64_t next_offset, const std::vector<StagedFile>& files);

  std::string StateKey(int32_t partition) const;
  std::optional<PartitionState> ReadState(int32_t partition);

 private:
  void Publish(const std::vector<StagedFile>& files, bool check_staged);

  ObjectStore& store_;
  std::string topic_;
};

// The final key of a data file: <topic>/<hive path>/part-<partition:05>-<start:020><ext>.
std::string DataFileKey(const std::string& topic, const std::string& hive_path, int32_t partition,
                        int64_t start_offset, std::string_view extension);
// The final key of a batch's rejected records: _errors/<topic>/part-<p>-<start>.jsonl.
std::string ErrorFileKey(const std::string& topic, int32_t partition, int64_t start_offset);

std::string SerializeState(const std::string& topic, int32_t partition,
                           const PartitionState& state);
// Throws Error naming `where` when the text is not a valid state object.
PartitionState ParseState(std::string_view text, const std::string& where);

}  // namespace ticklake::lake
