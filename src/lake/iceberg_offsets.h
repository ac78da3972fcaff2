// The Kafka offsets an Iceberg table holds, kept in its snapshot summaries as the Iceberg Kafka
// Connect sink keeps them (docs/architecture.md, "Exactly once into Iceberg"): every snapshot the
// sink commits carries
//   ticklake.kafka.topic   = the topic
//   ticklake.kafka.offsets = {"<partition>": <next offset>, ...}
// cumulative over all partitions: carried forward from the parent snapshot and updated with the
// batch. Snapshots written by others (compaction's replace snapshots) may not carry them, so the
// offsets are those of the nearest ancestor of the current snapshot that does.
// Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "iceberg/table_metadata.h"

namespace ticklake::lake {

inline constexpr const char* kSummaryTopic = "ticklake.kafka.topic";
inline constexpr const char* kSummaryOffsets = "ticklake.kafka.offsets";

using KafkaOffsets = std::map<int32_t, int64_t>;  // partition -> next offset

std::string SerializeOffsets(const KafkaOffsets& offsets);
// Throws Error naming `where` when the text is not such a JSON object.
KafkaOffsets ParseOffsets(std::string_view text, const std::string& where);

// The offsets of `topic` committed in the table: those of the nearest ancestor of the current
// snapshot whose summary names the topic; empty when none does. Throws Error when a summary's
// offsets cannot be parsed.
KafkaOffsets CommittedOffsets(const iceberg::TableMetadata& metadata, const std::string& topic);

// The summary properties of a snapshot appending a batch: `committed` updated with `batch`.
std::map<std::string, std::string> OffsetsSummary(const std::string& topic, KafkaOffsets committed,
                                                  const KafkaOffsets& batch);

}  // namespace ticklake::lake
