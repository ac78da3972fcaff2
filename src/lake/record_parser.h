// RecordParser: parses one Kafka message, once, into a JSON object ready to be appended to a
// ColumnBatch (column_batch.h), or says why it cannot. A record is a JSON object of valid UTF-8 no
// larger than the configured limit, without fields named like the Kafka metadata columns (when
// those are added); the parser also computes its Hive partition path from the partition fields.
// Not thread-safe: one parser per thread (it reuses simdjson's buffers).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/partition_spec.h"

namespace ticklake::lake {

// The Kafka metadata columns added to every record (when enabled).
inline constexpr std::string_view kKafkaColumns[] = {"kafka_topic", "kafka_partition",
                                                     "kafka_offset", "kafka_timestamp"};

struct KafkaMeta {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // the message's Kafka timestamp
};

struct ParsedRecord {
  simdjson::dom::object object;  // valid until the parser's next Parse
  std::string partition_path;    // "index=HSI"; empty when not partitioned
};

class RecordParser {
 public:
  // Partition fields are matched against record keys case-insensitively; Hive keys are
  // lower-case, as Glue and Athena name columns (partition_spec.h).
  RecordParser(std::vector<PartitionColumn> partitions, size_t max_record_bytes,
               bool kafka_columns);

  // On success fills `out` and returns nullopt; otherwise returns the reason, e.g.
  // "not JSON: ..." or "not a JSON object". `meta` gives the time of kafka time partitions.
  std::optional<std::string> Parse(std::string_view payload, const KafkaMeta& meta,
                                   ParsedRecord* out);

  // Lower-case Hive keys, in --partition-by order.
  const std::vector<std::string>& partition_keys() const { return partition_keys_; }
  // The record fields whose values are only in the Hive path (the plain --partition-by fields,
  // not time-bucket sources): left out of the data (ColumnBatch::Append).
  const std::vector<std::string>& path_only_fields() const { return path_only_fields_; }

 private:
  std::vector<PartitionColumn> partitions_;
  std::vector<std::string> partition_keys_, path_only_fields_;
  size_t max_record_bytes_;
  bool kafka_columns_;
  simdjson::dom::parser parser_;
  std::vector<std::optional<std::string>> values_;
};

}  // namespace ticklake::lake
