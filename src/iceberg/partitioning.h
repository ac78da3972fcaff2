// Iceberg partition specs and transforms ("hidden partitioning"): a partition value is computed
// from a source column by a transform — identity, year, month, day, hour — so readers prune
// files by predicates on the source column and never see a separate partition column.
//
// ParseIcebergPartitionBy reads the sink's --partition-by in Iceberg form: comma-separated items
// `FIELD` (identity) or `UNIT(FIELD)` with UNIT year|month|day|hour; field names are matched to
// the schema case-insensitively. The Hive form `KEY=UNIT(SOURCE)` is accepted too (KEY names the
// partition field); a Kafka-timestamp source ("kafka") means the kafka_timestamp column.
// Plain value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/schema.h"

namespace ticklake::iceberg {

enum class Transform { kIdentity, kYear, kMonth, kDay, kHour };

std::string_view TransformName(Transform transform);  // "identity", "year", ...
Transform ParseTransform(std::string_view name);      // throws Error on an unknown name

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 1000;  // partition field ids start at 1000 (spec)
  std::string name;         // e.g. "index", "ts_day"
  Transform transform = Transform::kIdentity;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  bool Unpartitioned() const { return fields.empty(); }
};

// The partition value of `value` (of the source column's type): identity keeps it; year, month,
// day, hour give int32 years/months/days/hours since 1970 (spec). Null stays null.
Literal ApplyTransform(Transform transform, TypeId source_type, const Literal& value);
// The result type of a transform on a source type (identity: the source type; others: int;
// the spec writes day's as "date").
TypeId TransformResultType(Transform transform, TypeId source_type);

// The partition path of a data file as Java and pyiceberg write it: "index=HSI/ts_day=2026-11-27",
// with values escaped as URL path segments, "null" for nulls.
std::string PartitionPath(const PartitionSpec& spec, const Schema& schema,
                          const std::vector<Literal>& values);

struct PartitionRequest {
  std::string source;  // field name as given
  Transform transform = Transform::kIdentity;
  std::string name;  // partition field name; empty = derived ("index", "ts_day")
};
// Parses --partition-by (see above); throws Error naming the bad item.
std::vector<PartitionRequest> ParseIcebergPartitionBy(std::string_view text);
// Binds requests to a schema: source ids, field ids from 1000, derived names. Throws Error when a
// source field is missing or a time transform is applied to a non-date/timestamp column.
PartitionSpec BindPartitionSpec(const std::vector<PartitionRequest>& requests, const Schema& schema,
                                int32_t spec_id = 0);

}  // namespace ticklake::iceberg
