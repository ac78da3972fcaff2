// Table: one Iceberg table in a lake (an ObjectStore) registered in a SqlCatalog, and the
// operations that change it. Every change writes new manifests, a new manifest list and a new
// vN.metadata.json, then swaps the catalog's pointer with compare-and-swap; when another writer
// committed first, the change is re-applied on the new current metadata (its `validate` hook
// decides whether it still holds) and retried. So a sink and `ticklake compact` never lose each
// other's commits, and two sinks of one consumer group share a table.
//
// Layout under the table's root key <name>/ (the lake store's keys):
//   metadata/<00001>-<uuid>.metadata.json, metadata/snap-<id>-<attempt>-<uuid>.avro (manifest
//   lists), metadata/<uuid>-m<N>.avro (manifests), data/<partition path>/<file>.parquet.
// Metadata records full URIs (store.UriOf(key)); local lakes use file:/// URIs.
//
// Thread-safety: a Table is used by one thread; any number of processes may commit to the same
// table at once (optimistic concurrency above).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "iceberg/data_file.h"
#include "iceberg/sql_catalog.h"
#include "iceberg/table_metadata.h"
#include "store/object_store.h"

namespace ticklake::iceberg {

// Thrown by a validate hook, or by an operation whose precondition no longer holds on the new
// current metadata (a compaction whose input files were removed meanwhile): not retried.
struct CommitConflict : Error {
  using Error::Error;
};

struct CreateTableOptions {
  Schema schema;
  std::vector<PartitionRequest> partition_by;  // bound to the schema at creation
  SortOrder sort_order;                        // order_id 0 = unsorted
  std::map<std::string, std::string> properties;
};

struct AppendRequest {
  std::vector<DataFile> files;  // already written to the store
  // Extra snapshot summary properties (ticklake.kafka.* offsets, …).
  std::map<std::string, std::string> summary;
  // A schema to make current in the same commit (added fields, promoted types), or nullopt.
  // It must be a valid evolution of the current schema (ids kept, promotions allowed): else Error.
  std::optional<Schema> new_schema;
  // Called with the current metadata before each attempt; throws CommitConflict to abort.
  std::function<void(const TableMetadata&)> validate;
};

// Summary keys with this prefix (the sink's ticklake.kafka.* offsets) describe what the table
// holds; a rewrite copies them from its parent snapshot, since it changes no rows.
inline constexpr std::string_view kCarriedSummaryPrefix = "ticklake.";

struct RewriteRequest {              // compaction: replace `removed` by `added`, same rows
  std::vector<std::string> removed;  // data file locations, all live in the current snapshot
  std::vector<DataFile> added;
  std::map<std::string, std::string> summary;
};

struct ScanRequest {
  std::optional<int64_t> snapshot_id;  // default: current snapshot
  std::optional<int64_t> as_of_ms;     // time travel by timestamp (snapshot log)
  // Only files that may hold rows where field `id` is in [lower, upper] (bounds or partition
  // values); unknown statistics keep the file.
  struct Range {
    int32_t field_id;
    Literal lower, upper;  // monostate = unbounded
  };
  std::vector<Range> ranges;
};

struct ScanPlan {
  const Snapshot* snapshot = nullptr;  // nullptr: the table has no snapshot (no rows)
  Schema schema;                       // the schema of that snapshot
  std::vector<DataFile> files;
  int64_t files_pruned = 0;
};

struct ExpireResult {
  int64_t snapshots_expired = 0;
  int64_t data_files_deleted = 0;
  int64_t manifest_files_deleted = 0;  // manifests, manifest lists and old metadata files
  int64_t orphans_deleted = 0;         // files under data/ and metadata/ no metadata references
};

class Table {
 public:
  // nullopt when the catalog does not know the table.
  static std::optional<Table> Load(SqlCatalog& catalog, ObjectStore& lake, const TableIdent& ident);
  // Creates the table with its root at key `root` of the lake (v1 metadata, no snapshot), or
  // loads it when another process created it first.
  static Table Create(SqlCatalog& catalog, ObjectStore& lake, const TableIdent& ident,
                      const std::string& root, const CreateTableOptions& options);

  const TableMetadata& metadata() const { return metadata_; }
  const std::string& metadata_location() const { return metadata_location_; }
  const TableIdent& ident() const { return ident_; }
  // The lake key of the table's root and of a new data file in a partition.
  const std::string& root_key() const { return root_key_; }
  std::string NewDataFileKey(const std::vector<Literal>& partition, const std::string& stem) const;
  // Lake key of a location written in metadata (throws Error when it is outside the lake).
  std::string KeyOf(const std::string& location) const;
  // The full URI that metadata records for a lake key (DataFile::location): file:///… for a
  // local lake, s3://bucket/prefix/… for S3. The inverse of KeyOf.
  std::string LocationOf(const std::string& key) const;
  ObjectStore& lake() const { return *lake_; }

  void Refresh();

  // Each returns the snapshot it committed.
  Snapshot Append(const AppendRequest& request);
  Snapshot Rewrite(const RewriteRequest& request);
  // Makes `schema` current without a new snapshot (a metadata-only commit).
  void UpdateSchema(const Schema& schema);
  void SetProperties(const std::map<std::string, std::string>& properties);

  ScanPlan Plan(const ScanRequest& request = {}) const;
  // Every manifest entry of a snapshot (live files), with its partition values and statistics.
  std::vector<ManifestEntry> LiveEntries(const Snapshot& snapshot) const;

  // Removes snapshots older than `older_than_ms` except the newest `retain_last`, and deletes
  // data files, manifests and manifest lists no remaining snapshot references; with
  // `orphans_older_than_ms`, also files under data/ and metadata/ that no metadata references
  // and were last modified before that time (files a crashed writer left). Never deletes a file
  // the current snapshot or any kept snapshot needs.
  ExpireResult Expire(int64_t older_than_ms, int retain_last,
                      std::optional<int64_t> orphans_older_than_ms);

 private:
  Table(SqlCatalog& catalog, ObjectStore& lake, TableIdent ident);

  // Keys written by one commit attempt, deleted when the attempt does not land.
  using Written = std::vector<std::string>;
  // The optimistic commit loop: `apply` builds the next metadata from the current one (writing
  // manifests and recording their keys); a lost compare-and-swap refreshes and re-applies.
  void Commit(
      const std::string& what,
      const std::function<TableMetadata(const TableMetadata& base, Written& written)>& apply);
  std::string NewMetadataKey() const;
  void DeleteQuietly(const Written& keys);
  std::vector<ManifestEntry> ReadManifestEntries(const std::string& manifest_list) const;

  SqlCatalog* catalog_;
  ObjectStore* lake_;
  TableIdent ident_;
  std::string root_key_;
  std::string metadata_location_;
  TableMetadata metadata_;
};

}  // namespace ticklake::iceberg
