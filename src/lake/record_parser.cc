#include "lake/record_parser.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/hive_path.h"
#include "common/strings.h"
#include "lake/json_types.h"

namespace ticklake::lake {
namespace {

// The partition value of a JSON scalar: strings as they are, other scalars as their JSON text,
// null (and objects or arrays, which make no sense as folder names) as missing.
std::optional<std::string> PartitionValue(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::BOOL:
      return simdjson::minify(value);
    default:
      return std::nullopt;
  }
}

// Microseconds since the epoch of a time field: an ISO-8601 timestamp or date, or epoch
// seconds, milliseconds or microseconds (told apart by magnitude).
std::optional<int64_t> TimeValue(simdjson::dom::element value) {
  double number;
  if (value.is_string()) {
    std::string_view text = value.get_string().value_unsafe();
    if (auto micros = ParseIsoTimestamp(text)) return micros;
    if (auto days = ParseIsoDate(text)) return int64_t{*days} * 86'400'000'000;
    return std::nullopt;
  }
  if (value.get_double().get(number)) return std::nullopt;
  double magnitude = number < 0 ? -number : number;
  if (magnitude < 1e11) return static_cast<int64_t>(number * 1e6);  // seconds
  if (magnitude < 1e14) return static_cast<int64_t>(number * 1e3);  // milliseconds
  return static_cast<int64_t>(number);                              // microseconds
}

}  // namespace

RecordParser::RecordParser(std::vector<PartitionColumn> partitions, size_t max_record_bytes,
                           bool kafka_columns)
    : partitions_(std::move(partitions)),
      max_record_bytes_(max_record_bytes),
      kafka_columns_(kafka_columns) {
  for (const auto& column : partitions_) {
    partition_keys_.push_back(column.key);
    if (!column.unit) path_only_fields_.push_back(column.field);
  }
  values_.resize(partition_keys_.size());
}

std::optional<std::string> RecordParser::Parse(std::string_view payload, const KafkaMeta& meta,
                                               ParsedRecord* out) {
  if (payload.size() > max_record_bytes_) {
    return fmt::format("record of {} bytes exceeds the limit of {} bytes (--max-record-bytes)",
                       payload.size(), max_record_bytes_);
  }
  simdjson::dom::element root;
  if (auto error = parser_.parse(payload.data(), payload.size()).get(root)) {
    return fmt::format("not JSON: {}", simdjson::error_message(error));
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return "not a JSON object";

  std::fill(values_.begin(), values_.end(), std::nullopt);
  for (auto field : object) {
    if (kafka_columns_) {
      for (std::string_view reserved : kKafkaColumns) {
        if (EqualsIgnoreAsciiCase(field.key, reserved)) {
          return fmt::format("field '{}' is reserved for Kafka metadata (see --kafka-columns)",
                             field.key);
        }
      }
    }
    for (size_t i = 0; i < partitions_.size(); ++i) {
      const PartitionColumn& column = partitions_[i];
      if (column.field.empty() || !EqualsIgnoreAsciiCase(field.key, column.field)) continue;
      if (column.unit) {
        auto micros = TimeValue(field.value);
        values_[i] =
            micros ? std::optional<std::string>(TimeBucket(*micros, *column.unit)) : std::nullopt;
      } else {
        values_[i] = PartitionValue(field.value);
      }
    }
  }
  for (size_t i = 0; i < partitions_.size(); ++i) {
    if (partitions_[i].unit && partitions_[i].field.empty()) {
      values_[i] = TimeBucket(meta.timestamp_ms * 1000, *partitions_[i].unit);
    }
  }
  out->partition_path = partition_keys_.empty() ? "" : HivePartitionPath(partition_keys_, values_);
  out->object = object;
  return std::nullopt;
}

}  // namespace ticklake::lake
