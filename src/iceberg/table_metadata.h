// Iceberg table metadata (spec v2, "Table Metadata"): the JSON document vN.metadata.json that a
// catalog points to. It holds every schema, partition spec and sort order the table had, the
// snapshots with their summaries and manifest lists, the snapshot log and the metadata log.
// ParseTableMetadata reads what Java, pyiceberg and ticklake write (unknown keys are kept out,
// not refused); SerializeTableMetadata writes format-version 2 with every required field.
// Plain value types; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/partitioning.h"
#include "iceberg/schema.h"

namespace ticklake::iceberg {

struct SortField {
  int32_t source_id = 0;
  Transform transform = Transform::kIdentity;
  bool ascending = true;
  bool nulls_first = true;
};

struct SortOrder {
  int32_t order_id = 0;  // 0 = unsorted
  std::vector<SortField> fields;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;  // full URI of the manifest list (Avro)
  // "operation" (append | replace | overwrite | delete) plus the spec's counters
  // (added-data-files, added-records, total-records, …) and ticklake's own keys
  // (ticklake.kafka.*, docs/architecture.md).
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;

  std::string Operation() const;  // summary["operation"]
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
};

struct TableMetadata {
  int32_t format_version = 2;
  std::string table_uuid;
  std::string location;  // the table's root URI
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;

  const Schema& CurrentSchema() const;
  const PartitionSpec& DefaultSpec() const;
  const Schema* SchemaById(int32_t id) const;
  const PartitionSpec* SpecById(int32_t id) const;
  const Snapshot* CurrentSnapshot() const;  // nullptr for a table with no snapshot
  const Snapshot* SnapshotById(int64_t id) const;
  // The snapshot that was current at `timestamp_ms` (snapshot log), nullptr before the first.
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
};

// Throws Error naming `where` (the metadata file) when the JSON is not valid table metadata.
TableMetadata ParseTableMetadata(std::string_view json, const std::string& where);
std::string SerializeTableMetadata(const TableMetadata& metadata);
// The JSON of one schema ({"type": "struct", "schema-id": …, "fields": […]}) and of a partition
// spec's fields ([{"source-id": …}]), as manifests record them in their Avro metadata.
std::string SerializeSchema(const Schema& schema);
std::string SerializePartitionFields(const PartitionSpec& spec);

}  // namespace ticklake::iceberg
