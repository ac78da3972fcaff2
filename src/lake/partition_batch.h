// PartitionBatch: what one sink flush lands of one Kafka partition — offsets [start_offset,
// next_offset), their records as a ColumnBatch per Hive partition path, and the rejected ones as
// JSON Lines for _errors/. The consuming thread fills it; the flush worker then takes it whole.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "lake/column_batch.h"

namespace ticklake::lake {

struct PartitionBatch {
  struct Group {
    Group(const std::string& topic, int32_t partition) : records(topic, partition) {}
    ColumnBatch records;
  };
  int32_t partition = 0;
  int64_t start_offset = -1, next_offset = -1;
  std::map<std::string, Group> groups;  // by Hive partition path ("" without --partition-by)
  std::string errors_jsonl;
  int64_t consumed = 0, written = 0;
  size_t bytes = 0;  // allocated

  bool empty() const { return consumed == 0; }
};

}  // namespace ticklake::lake
