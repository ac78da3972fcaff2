#include "lake/iceberg_offsets.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>

#include "common/error.h"

namespace ticklake::lake {

std::string SerializeOffsets(const KafkaOffsets& offsets) {
  std::string out = "{";
  for (const auto& [partition, next] : offsets) {
    fmt::format_to(std::back_inserter(out), "{}\"{}\":{}", out.size() > 1 ? "," : "", partition,
                   next);
  }
  return out + "}";
}

KafkaOffsets ParseOffsets(std::string_view text, const std::string& where) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(simdjson::padded_string(text)).get_object().get(object))
    Fail("{}: {} is not a JSON object of partition offsets: {}", where, kSummaryOffsets, text);
  KafkaOffsets offsets;
  for (auto field : object) {
    int32_t partition = -1;
    auto [end, ec] =
        std::from_chars(field.key.data(), field.key.data() + field.key.size(), partition);
    int64_t next = -1;
    if (ec != std::errc() || end != field.key.data() + field.key.size() || partition < 0 ||
        field.value.get_int64().get(next) || next < 0) {
      Fail("{}: {} holds a bad entry \"{}\" in {}", where, kSummaryOffsets, field.key, text);
    }
    offsets[partition] = next;
  }
  return offsets;
}

KafkaOffsets CommittedOffsets(const iceberg::TableMetadata& metadata, const std::string& topic) {
  const iceberg::Snapshot* snapshot = metadata.CurrentSnapshot();
  // Bounded by the number of snapshots: a malformed parent chain cannot loop forever.
  for (size_t steps = 0; snapshot && steps <= metadata.snapshots.size(); ++steps) {
    auto named = snapshot->summary.find(kSummaryTopic);
    auto offsets = snapshot->summary.find(kSummaryOffsets);
    if (named != snapshot->summary.end() && named->second == topic &&
        offsets != snapshot->summary.end()) {
      return ParseOffsets(offsets->second, fmt::format("snapshot {} of {}", snapshot->snapshot_id,
                                                       metadata.location));
    }
    if (!snapshot->parent_snapshot_id) break;
    snapshot = metadata.SnapshotById(*snapshot->parent_snapshot_id);
  }
  return {};
}

std::map<std::string, std::string> OffsetsSummary(const std::string& topic, KafkaOffsets committed,
                                                  const KafkaOffsets& batch) {
  for (const auto& [partition, next] : batch) committed[partition] = next;
  return {{kSummaryTopic, topic}, {kSummaryOffsets, SerializeOffsets(committed)}};
}

}  // namespace ticklake::lake
