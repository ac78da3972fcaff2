#include "lake/iceberg_record_types.h"

#include <fmt/format.h>

#include <limits>

#include "common/strings.h"
#include "lake/json_types.h"

namespace ticklake::lake {
using iceberg::TypeId;

JsonKind KindOf(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return JsonKind::kNull;
    case simdjson::dom::element_type::BOOL:
      return JsonKind::kBoolean;
    case simdjson::dom::element_type::INT64:
      return JsonKind::kInteger;
    case simdjson::dom::element_type::UINT64:  // beyond int64: only a double holds it
    case simdjson::dom::element_type::DOUBLE:
      return JsonKind::kNumber;
    case simdjson::dom::element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      if (ParseIsoDate(text)) return JsonKind::kDate;
      if (ParseIsoTimestamp(text)) return JsonKind::kTimestamp;
      return JsonKind::kString;
    }
    default:
      return JsonKind::kNested;
  }
}

std::string_view KindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kNull:
      return "null";
    case JsonKind::kBoolean:
      return "boolean";
    case JsonKind::kInteger:
      return "integer";
    case JsonKind::kNumber:
      return "number with a fraction";
    case JsonKind::kDate:
      return "date";
    case JsonKind::kTimestamp:
      return "timestamp";
    case JsonKind::kString:
      return "string";
    case JsonKind::kNested:
      return "object or array";
  }
  return "value";
}

namespace {

bool InInt32(simdjson::dom::element value) {
  int64_t v = value.get_int64().value_unsafe();
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

enum class Family { kNone, kNumeric, kBoolean, kText };

Family FamilyOf(JsonKind kind) {
  switch (kind) {
    case JsonKind::kInteger:
    case JsonKind::kNumber:
      return Family::kNumeric;
    case JsonKind::kBoolean:
      return Family::kBoolean;
    case JsonKind::kDate:
    case JsonKind::kTimestamp:
    case JsonKind::kString:
    case JsonKind::kNested:
      return Family::kText;
    case JsonKind::kNull:
      return Family::kNone;
  }
  return Family::kNone;
}

}  // namespace

void ColumnValues::Add(JsonKind kind, simdjson::dom::element value) {
  if (kind == JsonKind::kNull) return;
  if (first == JsonKind::kNull) first = kind;
  kinds |= 1u << static_cast<int>(kind);
  if (kind == JsonKind::kInteger && !beyond_int32 && !InInt32(value)) beyond_int32 = true;
}

std::optional<TypeId> KafkaColumnType(std::string_view name) {
  if (name == "kafka_topic") return TypeId::kString;
  if (name == "kafka_partition") return TypeId::kInt;
  if (name == "kafka_offset") return TypeId::kLong;
  if (name == "kafka_timestamp") return TypeId::kTimestampTz;
  return std::nullopt;
}

std::optional<TypeId> NewColumnType(const ColumnValues& v) {
  // The values of the first value's family decide; the others will not fit and are rejected.
  switch (FamilyOf(v.first)) {
    case Family::kNone:
      return std::nullopt;
    case Family::kNumeric:
      return v.Has(JsonKind::kNumber) ? TypeId::kDouble : TypeId::kLong;
    case Family::kBoolean:
      return TypeId::kBoolean;
    case Family::kText:
      if (v.Has(JsonKind::kString) || v.Has(JsonKind::kNested)) return TypeId::kString;
      return v.Has(JsonKind::kTimestamp) ? TypeId::kTimestampTz : TypeId::kDate;
  }
  return std::nullopt;
}

iceberg::Schema EvolveSchema(const iceberg::Schema& current, int32_t last_column_id,
                             const std::vector<ColumnValues>& columns) {
  iceberg::Schema schema = current;
  bool changed = false;
  int32_t next_id = std::max(last_column_id, current.HighestFieldId()) + 1;
  for (const ColumnValues& values : columns) {
    std::optional<TypeId> kafka = KafkaColumnType(values.name);
    const iceberg::NestedField* existing = schema.FindByName(values.name);
    if (existing) {
      auto& field = schema.fields[static_cast<size_t>(existing - schema.fields.data())];
      if (kafka) continue;  // written as the table has it
      if (field.type == TypeId::kInt && values.beyond_int32) {
        field.type = TypeId::kLong;
        changed = true;
      } else if (field.type == TypeId::kFloat &&
                 (values.Has(JsonKind::kInteger) || values.Has(JsonKind::kNumber))) {
        field.type = TypeId::kDouble;  // a float column would round the values
        changed = true;
      }
      continue;
    }
    std::optional<TypeId> type = kafka ? kafka : NewColumnType(values);
    if (!type) continue;
    schema.fields.push_back({next_id++, values.name, *type, false, ""});
    changed = true;
  }
  if (changed) schema.schema_id = current.fields.empty() ? 0 : current.schema_id + 1;
  return schema;
}

bool CanReadWritten(const iceberg::Schema& schema, const iceberg::Schema& written) {
  for (const auto& field : written.fields) {
    const iceberg::NestedField* now = schema.FindById(field.id);
    if (!now || now->name != field.name || !iceberg::CanPromote(field.type, now->type))
      return false;
  }
  return true;
}

bool Fits(JsonKind kind, simdjson::dom::element value, TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return kind == JsonKind::kBoolean;
    case TypeId::kInt:
      return kind == JsonKind::kInteger && InInt32(value);
    case TypeId::kLong:
      return kind == JsonKind::kInteger;
    case TypeId::kFloat:
    case TypeId::kDouble:
      return kind == JsonKind::kInteger || kind == JsonKind::kNumber;
    case TypeId::kDate:
      return kind == JsonKind::kDate;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return kind == JsonKind::kDate || kind == JsonKind::kTimestamp;
    case TypeId::kString:
      return kind == JsonKind::kString || kind == JsonKind::kDate || kind == JsonKind::kTimestamp ||
             kind == JsonKind::kNested;
    case TypeId::kBinary:
      return false;
  }
  return false;
}

std::string FitReason(std::string_view field, JsonKind kind, const iceberg::NestedField& column) {
  bool vowel = kind == JsonKind::kInteger || kind == JsonKind::kNested;
  return fmt::format(
      "field '{}' is {} {} but column {} is {} (not a type promotion Iceberg allows)", field,
      vowel ? "an" : "a", KindName(kind), column.name, iceberg::TypeName(column.type));
}

std::string IcebergTableName(std::string_view topic) {
  std::string name = AsciiLower(topic);
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
  }
  return name;
}

}  // namespace ticklake::lake
