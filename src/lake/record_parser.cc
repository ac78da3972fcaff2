#include "lake/record_parser.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/json_writer.h"
#include "lake/hive_path.h"

namespace ticklake::lake {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

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

}  // namespace

RecordParser::RecordParser(std::vector<std::string> partition_fields, size_t max_record_bytes,
                           bool kafka_columns)
    : max_record_bytes_(max_record_bytes), kafka_columns_(kafka_columns) {
  for (const auto& field : partition_fields) partition_keys_.push_back(Lower(field));
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
  out->present_fields = 0;
  for (auto field : object) {
    if (kafka_columns_) {
      for (const char* reserved : kKafkaColumns) {
        if (EqualsIgnoreCase(field.key, reserved)) {
          return fmt::format("field '{}' is reserved for Kafka metadata (see --kafka-columns)",
                             field.key);
        }
      }
    }
    for (size_t i = 0; i < partition_keys_.size(); ++i) {
      if (EqualsIgnoreCase(field.key, partition_keys_[i])) {
        out->present_fields |= uint64_t{1} << i;
        values_[i] = PartitionValue(field.value);
      }
    }
  }
  out->partition_path = partition_keys_.empty() ? "" : HivePartitionPath(partition_keys_, values_);

  // simdjson's minify validated nothing, but the payload was parsed above.
  minified_.resize(payload.size());
  size_t length = 0;
  if (simdjson::minify(payload.data(), payload.size(), minified_.data(), length) !=
      simdjson::SUCCESS) {
    return "not JSON: cannot minify";
  }
  minified_.resize(length);

  std::string& line = out->line;
  line.clear();
  if (!kafka_columns_) {
    line = minified_;
    return std::nullopt;
  }
  // minified_ is "{...}": drop the closing brace and append the metadata columns.
  line.append(minified_, 0, minified_.size() - 1);
  if (minified_.size() > 2) line.push_back(',');
  line += "\"kafka_topic\":";
  AppendJsonString(line, meta.topic);
  fmt::format_to(std::back_inserter(line),
                 ",\"kafka_partition\":{},\"kafka_offset\":{},\"kafka_timestamp\":{}}}",
                 meta.partition, meta.offset, meta.timestamp_ms);
  return std::nullopt;
}

}  // namespace ticklake::lake
