#include "lake/column_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/error.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace ticklake::lake {

ColumnBatch::ColumnBatch(std::string topic, int32_t partition)
    : topic_(std::move(topic)), partition_(partition) {}

ColumnBatch::Segment::Segment(size_t capacity, size_t width, size_t stride)
    : capacity_(capacity), width_(width), stride_(stride) {
  block_ = std::make_unique_for_overwrite<std::byte[]>(bytes());
  slots_ = reinterpret_cast<uint64_t*>(block_.get());
  offsets_ = reinterpret_cast<int64_t*>(slots_ + capacity * stride);
  timestamps_ = offsets_ + capacity;
  kinds_ = reinterpret_cast<Kind*>(timestamps_ + capacity);
}

size_t ColumnBatch::Segment::bytes() const {
  return capacity_ * (stride_ * (sizeof(uint64_t) + sizeof(Kind)) + 2 * sizeof(int64_t));
}

double ColumnBatch::Double(uint64_t slot) { return std::bit_cast<double>(slot); }

std::string_view ColumnBatch::Text(uint64_t slot) const {
  const char* at = chunks_[slot >> 32].get() + (slot & 0xffff'ffff);
  uint32_t length;
  std::memcpy(&length, at, sizeof length);
  return {at + sizeof length, length};
}

std::string ColumnBatch::NumberText(Kind kind, uint64_t slot) {
  if (kind == Kind::kInt) return fmt::format("{}", Int(slot));
  std::string text = fmt::format("{}", Double(slot));
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string ColumnBatch::TimeText(Kind kind, uint64_t slot) {
  std::string text;
  if (kind == Kind::kDate) {
    AppendIsoDate(text, static_cast<int32_t>(Int(slot)));
  } else {
    AppendIsoTimestamp(text, Int(slot));
  }
  return text;
}

const ColumnBatch::Segment& ColumnBatch::SegmentOf(size_t* row) const {
  for (const Segment& segment : segments_) {
    if (*row < segment.rows()) return segment;
    *row -= segment.rows();
  }
  Fail("row out of range of a batch of {} rows", rows_);
}

ColumnBatch::Kind ColumnBatch::kind(size_t row, size_t column) const {
  const Segment& segment = SegmentOf(&row);
  return segment.kind(row, column);
}

uint64_t ColumnBatch::slot(size_t row, size_t column) const {
  const Segment& segment = SegmentOf(&row);
  return segment.slot(row, column);
}

uint64_t ColumnBatch::AddText(std::string_view text) {
  const size_t needed = sizeof(uint32_t) + text.size();
  if (chunks_.empty() || chunk_used_ + needed > chunk_capacity_) {
    // A quarter of what the arena holds (so that little of it sits unused), under 4 GiB (slots
    // hold a 32-bit place in a chunk); a long text gets a chunk of its own size.
    chunk_capacity_ = std::max(needed, std::clamp<size_t>(arena_bytes_ / 4, 4096, 1 << 30));
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk_capacity_));
    chunk_used_ = 0;
    arena_bytes_ += chunk_capacity_;
    allocated_ += chunk_capacity_;
  }
  char* at = chunks_.back().get() + chunk_used_;
  auto length = static_cast<uint32_t>(text.size());
  std::memcpy(at, &length, sizeof length);
  std::memcpy(at + sizeof length, text.data(), text.size());
  uint64_t slot = (uint64_t{chunks_.size() - 1} << 32) | chunk_used_;
  chunk_used_ += needed;
  return slot;
}

size_t ColumnBatch::ColumnOf(std::string_view key, size_t position) {
  if (position < columns_.size() && columns_[position].name == key) return position;
  auto it = by_name_.find(std::string(key));
  if (it != by_name_.end()) return it->second;
  size_t column = columns_.size();
  by_name_.emplace(std::string(key), column);
  if (!by_lower_name_.emplace(AsciiLower(key), column).second) case_conflict_ = true;
  columns_.push_back({std::string(key), {}});
  return column;
}

ColumnBatch::Segment& ColumnBatch::Writable() {
  const size_t width = columns_.size();
  if (segments_.empty() || segments_.back().rows_ == segments_.back().capacity_) {
    segments_.push_back(Segment(std::max(kMinSegmentRows, rows_ / 4), width, width));
    allocated_ += segments_.back().bytes();
    return segments_.back();
  }
  Segment& last = segments_.back();
  if (width <= last.stride_) {
    last.width_ = std::max(last.width_, width);  // its rows are null there (Append clears rows)
  } else {
    // A column first seen part-way through the segment, which has no room for it: lay its rows
    // out again, with room for a quarter more (rare: a producer's records mostly share fields).
    Segment wider(last.capacity_, width, std::max(width, last.stride_ + last.stride_ / 4 + 1));
    for (size_t row = 0; row < last.rows_; ++row) {
      std::memcpy(wider.slots_ + row * wider.stride_, last.slots_ + row * last.stride_,
                  last.stride_ * sizeof(uint64_t));
      std::memcpy(wider.kinds_ + row * wider.stride_, last.kinds_ + row * last.stride_,
                  last.stride_);
      std::memset(wider.kinds_ + row * wider.stride_ + last.stride_, 0,
                  wider.stride_ - last.stride_);
    }
    std::memcpy(wider.offsets_, last.offsets_, last.rows_ * sizeof(int64_t));
    std::memcpy(wider.timestamps_, last.timestamps_, last.rows_ * sizeof(int64_t));
    wider.rows_ = last.rows_;
    allocated_ += wider.bytes() - last.bytes();
    last = std::move(wider);
  }
  return last;
}

void ColumnBatch::Append(simdjson::dom::object object, int64_t offset, int64_t timestamp_ms,
                         std::span<const std::string> left_out) {
  values_.clear();
  size_t position = 0;
  for (auto field : object) {
    if (std::any_of(left_out.begin(), left_out.end(), [&](const std::string& name) {
          return EqualsIgnoreAsciiCase(field.key, name);
        })) {
      continue;
    }
    const size_t column = ColumnOf(field.key, position++);
    ColumnEvidence& e = columns_[column].evidence;
    simdjson::dom::element v = field.value;
    Value& value = values_.emplace_back(Value{column, Kind::kNull, 0});
    switch (v.type()) {
      case simdjson::dom::element_type::INT64:
        e.integers = true;
        value = {column, Kind::kInt, static_cast<uint64_t>(v.get_int64().value_unsafe())};
        break;
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        e.decimals = true;
        value = {column, Kind::kDouble, std::bit_cast<uint64_t>(v.get_double().value_unsafe())};
        break;
      case simdjson::dom::element_type::BOOL:
        e.booleans = true;
        value = {column, Kind::kBool, v.get_bool().value_unsafe() ? 1u : 0u};
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      case simdjson::dom::element_type::STRING: {
        std::string_view text = v.get_string().value_unsafe();
        if (auto days = ParseIsoDate(text)) {
          e.dates = true;
          value = {column, Kind::kDate, static_cast<uint64_t>(int64_t{*days})};
        } else if (auto micros = ParseCanonicalTimestamp(text)) {
          e.timestamps = true;
          value = {column, Kind::kTimestamp, static_cast<uint64_t>(*micros)};
        } else {
          if (ParseIsoTimestamp(text)) {
            e.timestamps = true;
          } else {
            e.other_strings = true;
          }
          value = {column, Kind::kString, AddText(text)};
        }
        break;
      }
      default:  // an object or an array
        nested_ = true;
        value = {column, Kind::kJson, AddText(simdjson::minify(v))};
        break;
    }
  }
  Segment& segment = Writable();
  const size_t row = segment.rows_++;
  Kind* kinds = segment.kinds_ + row * segment.stride_;
  uint64_t* slots = segment.slots_ + row * segment.stride_;
  // Kind::kNull: the fields this record does not have, and the room for columns not seen yet.
  std::memset(kinds, 0, segment.stride_);
  for (const Value& value : values_) {  // in order: a repeated key keeps its last value
    kinds[value.column] = value.kind;
    slots[value.column] = value.slot;
  }
  segment.offsets_[row] = offset;
  segment.timestamps_[row] = timestamp_ms;
  ++rows_;
}

void ColumnBatch::AppendJsonLines(std::string& out, bool kafka_columns) const {
  for (const Segment& segment : segments_) {
    for (size_t row = 0; row < segment.rows(); ++row) {
      out.push_back('{');
      bool first = true;
      for (size_t c = 0; c < columns_.size(); ++c) {
        Kind kind = segment.kind(row, c);
        if (kind == Kind::kNull) continue;
        uint64_t slot = segment.slot(row, c);
        if (!first) out.push_back(',');
        first = false;
        AppendJsonString(out, columns_[c].name);
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
          case Kind::kDate:
          case Kind::kTimestamp:
            out.push_back('"');
            out += TimeText(kind, slot);
            out.push_back('"');
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
                       partition_, segment.offset(row), segment.timestamp_ms(row));
      }
      out += "}\n";
    }
  }
}

}  // namespace ticklake::lake
