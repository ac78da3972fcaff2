// How JSON record values map onto an Iceberg table's columns when the sink writes Iceberg
// (docs/architecture.md, "Exactly once into Iceberg"). Pure decisions, no I/O:
//   - KindOf classifies a JSON value: boolean, integer, number, ISO date, ISO timestamp, other
//     string, nested (object or array), null.
//   - A column new to the table gets the type its values in the batch agree on: integers ->
//     long, numbers -> double, booleans -> boolean, dates -> date, dates and timestamps ->
//     timestamptz, any strings or nested values -> string (nested values as their JSON text).
//     When a batch mixes kinds that share no type (a number and a string), the kind of the first
//     value decides and the records whose values do not fit it are rejected. Only-null columns
//     are not added until a value arrives.
//   - An existing column evolves only as the Iceberg spec allows: int -> long (an integer beyond
//     32 bits), float -> double (any number).
//   - Fits() tells whether a value may be stored in a column without a lossy or silent cast;
//     FitReason() says why not, naming the field and both types. Records that do not fit go to
//     the dead-letter output, never the whole batch.
// Column names are lower-case (as Glue and Athena name them); record keys match columns
// case-insensitively. The Kafka columns have fixed types (kafka_topic string, kafka_partition
// int, kafka_offset long, kafka_timestamp timestamptz).
// Plain functions and value types; thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/schema.h"

namespace ticklake::lake {

enum class JsonKind { kNull, kBoolean, kInteger, kNumber, kDate, kTimestamp, kString, kNested };

JsonKind KindOf(simdjson::dom::element value);
std::string_view KindName(JsonKind kind);  // "null", "boolean", "integer", "number", ...

// What a batch's values of one column were.
struct ColumnValues {
  std::string name;                  // lower-case
  JsonKind first = JsonKind::kNull;  // the first non-null value's kind
  uint32_t kinds = 0;                // bit per JsonKind seen
  bool beyond_int32 = false;         // an integer outside the int range

  void Add(JsonKind kind, simdjson::dom::element value);
  bool Has(JsonKind kind) const { return kinds & (1u << static_cast<int>(kind)); }
};

// The Kafka columns' Iceberg types; nullopt for other names.
std::optional<iceberg::TypeId> KafkaColumnType(std::string_view lower_name);

// The type a new column gets for these values; nullopt when it saw only nulls.
std::optional<iceberg::TypeId> NewColumnType(const ColumnValues& values);

// The schema to write a batch with: `current` (the table's schema, empty for a new table) with
// promotions the values need and the new columns appended in order of first appearance, new ids
// above `last_column_id`. `columns` holds every column of the batch (Kafka columns included,
// with their fixed types). Keeps the current schema's id when nothing changes; else id + 1.
iceberg::Schema EvolveSchema(const iceberg::Schema& current, int32_t last_column_id,
                             const std::vector<ColumnValues>& columns);

// Whether `schema` (the table's current schema) can read files written with `written`: every
// written field is there with the same id and name and the same or a promoted type.
bool CanReadWritten(const iceberg::Schema& schema, const iceberg::Schema& written);

// Whether a value of `kind` may be stored in a column of `type` (`value` for range checks).
bool Fits(JsonKind kind, simdjson::dom::element value, iceberg::TypeId type);
// Why it does not, e.g. "field 'Close' is a string but column close is double".
std::string FitReason(std::string_view field, JsonKind kind, const iceberg::NestedField& column);

// The Iceberg table name for a topic: lower-case, characters other than [a-z0-9_] become '_'.
std::string IcebergTableName(std::string_view topic);

}  // namespace ticklake::lake
