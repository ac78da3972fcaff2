// Iceberg schemas (spec v2, "Schemas and Data Types"): the primitive types ticklake writes, fields
// with ids, and the type promotions the spec allows. Nested types (struct, list, map) are not
// produced by ticklake: a nested JSON value lands as its JSON text in a string column.
//
// Field ids are what Iceberg readers use to match Parquet columns (not names), so a field keeps
// its id for life; a new field always gets last-column-id + 1.
// Plain value types; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ticklake::iceberg {

enum class TypeId {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDate,
  kTimestamp,
  kTimestampTz,
  kString,
  kBinary
};

// The spec's names: "boolean", "int", "long", "float", "double", "date", "timestamp",
// "timestamptz", "string", "binary".
std::string_view TypeName(TypeId type);
// nullopt for a name that is not one of the above.
std::optional<TypeId> ParseTypeName(std::string_view name);
// The spec's allowed promotions: int -> long, float -> double, and a type to itself.
bool CanPromote(TypeId from, TypeId to);

struct NestedField {
  int32_t id = 0;
  std::string name;
  TypeId type = TypeId::kString;
  bool required = false;
  std::string doc;
};

struct Schema {
  int32_t schema_id = 0;
  std::vector<NestedField> fields;

  // Exact name match first, then a case-insensitive one (records may say "Close" for "close").
  const NestedField* FindByName(std::string_view name) const;
  const NestedField* FindById(int32_t id) const;
  int32_t HighestFieldId() const;  // 0 for an empty schema
};

// A single value of a primitive type: partition values and column bounds. Dates are days since
// 1970-01-01, timestamps microseconds since the epoch (UTC), as in the spec.
using Literal = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string>;

// The spec's binary single-value serialization (Appendix D), used for lower/upper bounds in
// manifests, and its inverse. Throws Error on a literal that does not fit the type.
std::string SerializeBound(TypeId type, const Literal& value);
Literal DeserializeBound(TypeId type, std::string_view bytes);

}  // namespace ticklake::iceberg
