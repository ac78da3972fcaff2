#include "lake/column_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/json_writer.h"
#include "common/strings.h"

namespace ticklake::lake {

ColumnBatch::ColumnBatch(std::string topic, int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

double ColumnBatch::Double(uint64_t slot) { return std::bit_cast<double>(slot); }

std::string_view ColumnBatch::Text(uint64_t slot) const {
  uint32_t length;
  std::memcpy(&length, arena_.data() + slot, sizeof length);
  return {arena_.data() + slot + sizeof length, length};
}

std::string ColumnBatch::NumberText(Kind kind, uint64_t slot) {
  if (kind == Kind::kInt) return fmt::format("{}", Int(slot));
  std::string text = fmt::format("{}", Double(slot));
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

namespace {
// Columns and the arena grow by a quarter, not double as std::vector does (the arena is a vector:
// libstdc++'s strings double even on reserve): the buffers are accounted (and bounded) by what
// they allocate, and doubling left a third of that unused on average — smaller flushes, more
// files. The extra copies cost little.
size_t Grown(size_t size, size_t needed) { return std::max(size + needed, size + size / 4 + 16); }
}  // namespace

uint64_t ColumnBatch::AddText(std::string_view text) {
  uint64_t slot = arena_.size();
  size_t capacity = arena_.capacity();
  if (arena_.size() + sizeof(uint32_t) + text.size() > capacity)
    arena_.reserve(Grown(arena_.size(), sizeof(uint32_t) + text.size()));
  auto length = static_cast<uint32_t>(text.size());
  const char* bytes = reinterpret_cast<const char*>(&length);
  arena_.insert(arena_.end(), bytes, bytes + sizeof length);
  arena_.insert(arena_.end(), text.begin(), text.end());
  allocated_ += arena_.capacity() - capacity;
  return slot;
}

template <typename T>
void ColumnBatch::Push(std::vector<T>& values, T value) {
  size_t capacity = values.capacity();
  if (values.size() == capacity) values.reserve(Grown(capacity, 1));
  values.push_back(value);
  allocated_ += (values.capacity() - capacity) * sizeof(T);
}

size_t ColumnBatch::ColumnOf(std::string_view key, size_t position) {
  if (position < columns_.size() && columns_[position].name == key) return position;
  auto it = by_name_.find(std::string(key));
  if (it != by_name_.end()) return it->second;
  size_t column = columns_.size();
  by_name_.emplace(std::string(key), column);
  if (!by_lower_name_.emplace(AsciiLower(key), column).second) case_conflict_ = true;
  Column& added = columns_.emplace_back();
  added.name = std::string(key);
  added.kinds.assign(rows(), Kind::kNull);  // the rows before it had no such field
  added.slots.assign(rows(), 0);
  allocated_ += added.kinds.capacity() + added.slots.capacity() * sizeof(uint64_t);
  return column;
}

void ColumnBatch::Set(Column& column, Kind kind, uint64_t slot) {
  if (column.kinds.size() > rows()) {  // a key repeated within the record: the last one counts
    column.kinds.back() = kind;
    column.slots.back() = slot;
    return;
  }
  Push(column.kinds, kind);
  Push(column.slots, slot);
}

void ColumnBatch::Append(simdjson::dom::object object, int64_t offset, int64_t timestamp_ms,
                         std::span<const std::string> left_out) {
  size_t position = 0;
  for (auto field : object) {
    if (std::any_of(left_out.begin(), left_out.end(), [&](const std::string& name) {
          return EqualsIgnoreAsciiCase(field.key, name);
        })) {
      continue;
    }
    Column& column = columns_[ColumnOf(field.key, position++)];
    ColumnEvidence& e = column.evidence;
    simdjson::dom::element v = field.value;
    switch (v.type()) {
      case simdjson::dom::element_type::INT64:
        e.integers = true;
        Set(column, Kind::kInt, static_cast<uint64_t>(v.get_int64().value_unsafe()));
        break;
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        e.decimals = true;
        Set(column, Kind::kDouble, std::bit_cast<uint64_t>(v.get_double().value_unsafe()));
        break;
      case simdjson::dom::element_type::BOOL:
        e.booleans = true;
        Set(column, Kind::kBool, v.get_bool().value_unsafe() ? 1 : 0);
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        Set(column, Kind::kNull, 0);
        break;
      case simdjson::dom::element_type::STRING: {
        std::string_view text = v.get_string().value_unsafe();
        if (ParseIsoDate(text)) {
          e.dates = true;
        } else if (ParseIsoTimestamp(text)) {
          e.timestamps = true;
        } else {
          e.other_strings = true;
        }
        Set(column, Kind::kString, AddText(text));
        break;
      }
      default:  // an object or an array
        nested_ = true;
        Set(column, Kind::kJson, AddText(simdjson::minify(v)));
        break;
    }
  }
  Push(offsets_, offset);
  Push(timestamps_, timestamp_ms);
  for (Column& column : columns_) {  // fields this record does not have
    if (column.kinds.size() < rows()) {
      Push(column.kinds, Kind::kNull);
      Push(column.slots, uint64_t{0});
    }
  }
}

void ColumnBatch::AppendJsonLines(std::string& out, bool kafka_columns) const {
  for (size_t row = 0; row < rows(); ++row) {
    out.push_back('{');
    bool first = true;
    for (const Column& column : columns_) {
      Kind kind = column.kinds[row];
      uint64_t slot = column.slots[row];
      if (kind == Kind::kNull) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(out, column.name);
      out.push_back(':');
      switch (kind) {
        case Kind::kNull:
          break;
        case Kind::kBool:
          out += slot ? "true" : "false";
          break;
        case Kind::kInt:
        case Kind::kDouble:
          out += NumberText(kind, slot);
          break;
        case Kind::kString:
          AppendJsonString(out, Text(slot));
          break;
        case Kind::kJson:
          out += Text(slot);
          break;
      }
    }
    if (kafka_columns) {
      out += first ? "\"kafka_topic\":" : ",\"kafka_topic\":";
      AppendJsonString(out, topic_);
      fmt::format_to(std::back_inserter(out),
                     ",\"kafka_partition\":{},\"kafka_offset\":{},\"kafka_timestamp\":{}",
                     partition_, offsets_[row], timestamps_[row]);
    }
    out += "}\n";
  }
}

}  // namespace ticklake::lake
