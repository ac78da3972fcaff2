// Test support: a ColumnBatch from JSON Lines, as the sink would have filled it from one record
// per Kafka message (offsets 0, 1, ...; timestamp = offset), without the fields named in
// `left_out`. Throws on a line that is not JSON.
#pragma once

#include <simdjson.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "lake/column_batch.h"

namespace ticklake::lake {

inline ColumnBatch ColumnBatchOf(std::string_view jsonl, std::string topic = "t",
                                 int32_t partition = 0,
                                 std::span<const std::string> left_out = {}) {
  ColumnBatch batch(std::move(topic), partition);
  simdjson::dom::parser parser;
  int64_t offset = 0;
  while (!jsonl.empty()) {
    size_t end = jsonl.find('\n');
    std::string line(jsonl.substr(0, end));
    jsonl.remove_prefix(end == std::string_view::npos ? jsonl.size() : end + 1);
    simdjson::dom::object object;
    if (parser.parse(line).get(object)) throw std::invalid_argument("not a JSON object: " + line);
    batch.Append(object, offset, offset, left_out);
    ++offset;
  }
  return batch;
}

}  // namespace ticklake::lake
