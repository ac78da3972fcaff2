// Iceberg manifests and manifest lists (spec v2), as Avro files with the spec's schemas and field
// ids (avro_file.h). A manifest lists data files (ManifestEntry) of one partition spec with their
// partition tuple (the typed r102 struct) and column statistics; a manifest list (one per
// snapshot) lists the manifests with their counts and per-partition-field summaries.
// Readers apply the spec's inheritance: an entry without a snapshot id or sequence number takes
// the manifest's (as Java and pyiceberg write added entries).
// Pure functions over bytes; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iceberg/data_file.h"
#include "iceberg/partitioning.h"
#include "iceberg/schema.h"

namespace ticklake::iceberg {

struct PartitionFieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // SerializeBound of the partition field's type
  std::optional<std::string> upper_bound;
};

struct ManifestFile {  // one entry of a manifest list
  std::string path;    // full URI
  int64_t length = 0;
  int32_t spec_id = 0;
  int32_t content = 0;  // 0 = data
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<PartitionFieldSummary> partitions;
};

// The Avro bytes of a manifest holding `entries` (all of `spec`). `schema` is the table schema
// the manifest's metadata records and that types the partition fields.
std::string WriteManifest(const std::vector<ManifestEntry>& entries, const Schema& schema,
                          const PartitionSpec& spec, const std::string& where);
// Entries of a manifest, with inherited snapshot ids and sequence numbers from `file`. Throws
// Error naming `where` when the bytes are not an Iceberg manifest.
std::vector<ManifestEntry> ReadManifest(std::string bytes, const ManifestFile& file,
                                        const std::string& where);

// Counts and partition summaries of a manifest's entries; path, length, sequence numbers and
// added_snapshot_id are left to the caller.
ManifestFile SummarizeManifest(const std::vector<ManifestEntry>& entries, const Schema& schema,
                               const PartitionSpec& spec);

std::string WriteManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                              std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                              const std::string& where);
std::vector<ManifestFile> ReadManifestList(std::string bytes, const std::string& where);

// The Avro type of an Iceberg primitive ("int", {"type": "long", "logicalType": ...}, ...).
std::string AvroType(TypeId type);

}  // namespace ticklake::iceberg
