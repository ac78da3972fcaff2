#include "iceberg/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "iceberg/manifest.h"

namespace ticklake::iceberg {
namespace {

constexpr int kMaxCommitAttempts = 10;
constexpr size_t kMaxMetadataLog = 100;  // write.metadata.previous-versions-max's default

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string RandomUuid() {
  uint64_t hi = Random()(), lo = Random()();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;        // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);  // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

// Random positive 63-bit ids, as Java and pyiceberg choose them.
int64_t NewSnapshotId(const TableMetadata& m) {
  for (;;) {
    auto id = static_cast<int64_t>(Random()() & 0x7FFFFFFFFFFFFFFFULL);
    if (id != 0 && !m.SnapshotById(id)) return id;
  }
}

// The store's root as a URI prefix ending in '/': local lakes as file:///abs/path/.
std::string LakePrefix(const ObjectStore& lake) {
  std::string uri = lake.Uri();
  if (uri.starts_with('/')) uri = "file://" + uri;
  if (!uri.ends_with('/')) uri += '/';
  return uri;
}

// file:/a, file:///a and /a name the same local file.
std::string NormalizeLocation(std::string_view location) {
  if (location.starts_with("file:")) {
    location.remove_prefix(5);
    while (location.starts_with("//")) location.remove_prefix(1);
  }
  return std::string(location);
}

int64_t SummaryInt(const Snapshot* s, const char* key) {
  if (!s) return 0;
  auto it = s->summary.find(key);
  if (it == s->summary.end()) return 0;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

// Compares two literals of compatible types; nullopt when they cannot be compared.
std::optional<int> CompareLiterals(const Literal& a, const Literal& b) {
  auto numeric = [](const Literal& v) -> std::optional<long double> {
    if (auto* i = std::get_if<int32_t>(&v)) return *i;
    if (auto* l = std::get_if<int64_t>(&v)) return *l;
    if (auto* f = std::get_if<float>(&v)) return *f;
    if (auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  if (auto x = numeric(a), y = numeric(b); x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  if (auto* x = std::get_if<std::string>(&a)) {
    if (auto* y = std::get_if<std::string>(&b)) return x->compare(*y) < 0 ? -1 : *x == *y ? 0 : 1;
  }
  if (auto* x = std::get_if<bool>(&a)) {
    if (auto* y = std::get_if<bool>(&b)) return *x == *y ? 0 : (*x ? 1 : -1);
  }
  return std::nullopt;
}

bool IsNull(const Literal& v) { return std::holds_alternative<std::monostate>(v); }

// False only when the statistics prove no row of the file has field `range.field_id` in range.
bool MayContain(const DataFile& file, const Schema& schema, const PartitionSpec* spec,
                const ScanRequest::Range& range) {
  const NestedField* field = schema.FindById(range.field_id);
  if (!field) return true;
  auto outside = [&](const Literal& lo, const Literal& hi) {
    if (!IsNull(range.lower)) {
      if (auto c = CompareLiterals(hi, range.lower); c && *c < 0) return true;
    }
    if (!IsNull(range.upper)) {
      if (auto c = CompareLiterals(lo, range.upper); c && *c > 0) return true;
    }
    return false;
  };
  if (spec) {
    for (size_t i = 0; i < spec->fields.size() && i < file.partition.size(); ++i) {
      const PartitionField& pf = spec->fields[i];
      if (pf.source_id != range.field_id || IsNull(file.partition[i])) continue;
      // The transforms are monotonic: compare the partition value with the transformed range.
      try {
        Literal lo = IsNull(range.lower) ? Literal{}
                                         : ApplyTransform(pf.transform, field->type, range.lower);
        Literal hi = IsNull(range.upper) ? Literal{}
                                         : ApplyTransform(pf.transform, field->type, range.upper);
        if (!IsNull(lo)) {
          if (auto c = CompareLiterals(file.partition[i], lo); c && *c < 0) return false;
        }
        if (!IsNull(hi)) {
          if (auto c = CompareLiterals(file.partition[i], hi); c && *c > 0) return false;
        }
      } catch (const Error&) {
        // A range literal of another type than the column: no pruning by this field.
      }
    }
  }
  auto lower = file.lower_bounds.find(range.field_id);
  auto upper = file.upper_bounds.find(range.field_id);
  if (lower != file.lower_bounds.end() && upper != file.upper_bounds.end()) {
    try {
      if (outside(DeserializeBound(field->type, lower->second),
                  DeserializeBound(field->type, upper->second))) {
        return false;
      }
    } catch (const Error&) {
      // Unreadable statistics keep the file.
    }
  }
  return true;
}

// The schema to make current: `wanted` checked as an evolution of `base` (ids kept, allowed
// promotions, new optional fields above last-column-id), with an id of its own.
Schema EvolveSchema(const TableMetadata& base, Schema wanted) {
  const Schema& current = base.CurrentSchema();
  for (const auto& old_field : current.fields) {
    const NestedField* now = wanted.FindById(old_field.id);
    if (!now)
      Fail("schema evolution: field '{}' (id {}) cannot be dropped", old_field.name, old_field.id);
    if (!CanPromote(old_field.type, now->type)) {
      Fail("schema evolution: field '{}' cannot change from {} to {}", old_field.name,
           TypeName(old_field.type), TypeName(now->type));
    }
    if (now->required && !old_field.required) {
      Fail("schema evolution: field '{}' cannot become required", old_field.name);
    }
  }
  std::set<int32_t> ids;
  for (const auto& f : wanted.fields) {
    if (!ids.insert(f.id).second) Fail("schema evolution: two fields with id {}", f.id);
    if (!current.FindById(f.id)) {
      if (f.id <= base.last_column_id) {
        Fail("schema evolution: new field '{}' must have an id above {}", f.name,
             base.last_column_id);
      }
      if (f.required) Fail("schema evolution: new field '{}' cannot be required", f.name);
    }
  }
  auto same = [&](const Schema& s) {
    if (s.fields.size() != wanted.fields.size()) return false;
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const auto &a = s.fields[i], &b = wanted.fields[i];
      if (a.id != b.id || a.name != b.name || a.type != b.type || a.required != b.required)
        return false;
    }
    return true;
  };
  int32_t highest = 0;
  for (const auto& s : base.schemas) {
    if (same(s)) {
      wanted.schema_id = s.schema_id;
      return wanted;
    }
    highest = std::max(highest, s.schema_id);
  }
  wanted.schema_id = highest + 1;
  return wanted;
}

void ApplySchema(TableMetadata& next, const Schema& schema) {
  if (!next.SchemaById(schema.schema_id)) next.schemas.push_back(schema);
  next.current_schema_id = schema.schema_id;
  next.last_column_id = std::max(next.last_column_id, schema.HighestFieldId());
}

// Totals of a snapshot from its manifest list: every manifest's live files are its added and
// existing ones.
void AddTotals(std::map<std::string, std::string>& summary,
               const std::vector<ManifestFile>& manifests, const Snapshot* parent,
               int64_t size_delta) {
  int64_t files = 0, records = 0;
  for (const auto& m : manifests) {
    files += m.added_files_count + m.existing_files_count;
    records += m.added_rows_count + m.existing_rows_count;
  }
  summary["total-data-files"] = std::to_string(files);
  summary["total-records"] = std::to_string(records);
  summary["total-delete-files"] = "0";
  summary["total-position-deletes"] = "0";
  summary["total-equality-deletes"] = "0";
  if (!parent || parent->summary.count("total-files-size")) {
    summary["total-files-size"] =
        std::to_string(SummaryInt(parent, "total-files-size") + size_delta);
  }
}

}  // namespace

Table::Table(SqlCatalog& catalog, ObjectStore& lake, TableIdent ident)
    : catalog_(&catalog), lake_(&lake), ident_(std::move(ident)) {}

std::optional<Table> Table::Load(SqlCatalog& catalog, ObjectStore& lake, const TableIdent& ident) {
  if (!catalog.MetadataLocation(ident)) return std::nullopt;
  Table table(catalog, lake, ident);
  table.Refresh();
  return table;
}

Table Table::Create(SqlCatalog& catalog, ObjectStore& lake, const TableIdent& ident,
                    const std::string& root, const CreateTableOptions& options) {
  if (auto existing = Load(catalog, lake, ident)) return std::move(*existing);
  Table table(catalog, lake, ident);
  table.root_key_ = root;
  while (table.root_key_.ends_with('/')) table.root_key_.pop_back();
  ValidateKey(table.root_key_);
  TableMetadata& m = table.metadata_;
  m.table_uuid = RandomUuid();
  m.location = table.LocationOf(table.root_key_);
  m.last_updated_ms = NowMs();
  std::set<int32_t> ids;
  for (const auto& f : options.schema.fields) {
    if (f.id <= 0 || !ids.insert(f.id).second) {
      Fail("iceberg table {}: field '{}' needs a unique positive id", ident.ToString(), f.name);
    }
  }
  Schema schema = options.schema;
  schema.schema_id = 0;
  m.schemas = {schema};
  m.last_column_id = schema.HighestFieldId();
  m.partition_specs = {BindPartitionSpec(options.partition_by, schema, 0)};
  for (const auto& f : m.partition_specs[0].fields)
    m.last_partition_id = std::max(m.last_partition_id, f.field_id);
  m.sort_orders = {SortOrder{}};
  if (options.sort_order.order_id != 0) {
    for (const auto& f : options.sort_order.fields) {
      if (!schema.FindById(f.source_id)) {
        Fail("iceberg table {}: sort field {} is not in the schema", ident.ToString(), f.source_id);
      }
    }
    m.sort_orders.push_back(options.sort_order);
    m.default_sort_order_id = options.sort_order.order_id;
  }
  m.properties = options.properties;
  m.properties.emplace("write.parquet.compression-codec", "zstd");
  std::string key =
      fmt::format("{}/metadata/00000-{}.metadata.json", table.root_key_, RandomUuid());
  lake.Put(key, SerializeTableMetadata(m));
  table.metadata_location_ = table.LocationOf(key);
  if (!catalog.Register(ident, table.metadata_location_)) {
    lake.Delete(key);  // another process created the table first: use theirs
    auto theirs = Load(catalog, lake, ident);
    if (!theirs) Fail("iceberg table {}: created and dropped concurrently", ident.ToString());
    return std::move(*theirs);
  }
  return table;
}

std::string Table::LocationOf(const std::string& key) const { return LakePrefix(*lake_) + key; }

std::string Table::KeyOf(const std::string& location) const {
  std::string prefix = NormalizeLocation(LakePrefix(*lake_));
  std::string normalized = NormalizeLocation(location);
  if (!normalized.starts_with(prefix) || normalized.size() == prefix.size()) {
    Fail("iceberg table {}: {} is outside the lake {}", ident_.ToString(), location, lake_->Uri());
  }
  return normalized.substr(prefix.size());
}

std::string Table::NewDataFileKey(const std::vector<Literal>& partition,
                                  const std::string& stem) const {
  std::string key = root_key_ + "/data/";
  const PartitionSpec& spec = metadata_.DefaultSpec();
  if (!spec.Unpartitioned()) key += PartitionPath(spec, metadata_.CurrentSchema(), partition) + "/";
  key += stem;
  if (!stem.ends_with(".parquet")) key += ".parquet";
  return key;
}

void Table::Refresh() {
  auto location = catalog_->MetadataLocation(ident_);
  if (!location || location->empty()) {
    Fail("iceberg table {} is not in the catalog {}", ident_.ToString(), catalog_->path());
  }
  if (*location == metadata_location_) return;
  metadata_location_ = *location;
  // KeyOf needs no root: it strips the lake's own prefix.
  metadata_ = ParseTableMetadata(lake_->Get(KeyOf(*location)), *location);
  root_key_ = KeyOf(metadata_.location);
}

std::string Table::NewMetadataKey() const {
  // The version is the current file's number + 1 (pyiceberg and Java name files the same way).
  std::string name = metadata_location_.substr(metadata_location_.rfind('/') + 1);
  int64_t version = 0;
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits > 0) version = std::stoll(name.substr(0, digits));
  return fmt::format("{}/metadata/{:05}-{}.metadata.json", root_key_, version + 1, RandomUuid());
}

void Table::DeleteQuietly(const Written& keys) {
  for (const auto& key : keys) {
    try {
      lake_->Delete(key);
    } catch (const Error&) {
      // Left for Expire's orphan sweep.
    }
  }
}

void Table::Commit(const std::string& what,
                   const std::function<TableMetadata(const TableMetadata&, Written&)>& apply) {
  for (int attempt = 1; attempt <= kMaxCommitAttempts; ++attempt) {
    Written written;
    try {
      TableMetadata next = apply(metadata_, written);
      next.last_updated_ms = std::max(NowMs(), metadata_.last_updated_ms + 1);
      next.metadata_log.push_back({metadata_.last_updated_ms, metadata_location_});
      if (next.metadata_log.size() > kMaxMetadataLog) {
        next.metadata_log.erase(next.metadata_log.begin(),
                                next.metadata_log.end() - kMaxMetadataLog);
      }
      std::string key = NewMetadataKey();
      lake_->Put(key, SerializeTableMetadata(next));
      written.push_back(key);
      std::string location = LocationOf(key);
      if (catalog_->Swap(ident_, metadata_location_, location)) {
        metadata_ = std::move(next);
        metadata_location_ = location;
        return;
      }
    } catch (const CommitConflict&) {
      DeleteQuietly(written);
      throw;
    } catch (const Error&) {
      DeleteQuietly(written);
      // A stale base can name files an expire has deleted since: when the table moved on,
      // the failure is a lost race like any other, and the operation is re-applied.
      if (catalog_->MetadataLocation(ident_) == metadata_location_) throw;
      written.clear();
    } catch (...) {
      DeleteQuietly(written);
      throw;
    }
    // Another writer committed first: drop this attempt's files and re-apply on its metadata.
    DeleteQuietly(written);
    Refresh();
    std::this_thread::sleep_for(std::chrono::milliseconds(Random()() % (5 * attempt + 1)));
  }
  Fail("iceberg table {}: {} lost the commit race {} times in a row", ident_.ToString(), what,
       kMaxCommitAttempts);
}

Snapshot Table::Append(const AppendRequest& request) {
  Commit("append", [&](const TableMetadata& base, Written& written) {
    if (request.validate) request.validate(base);
    TableMetadata next = base;
    if (request.new_schema) ApplySchema(next, EvolveSchema(base, *request.new_schema));
    const Schema& schema = next.CurrentSchema();
    const Snapshot* parent = base.CurrentSnapshot();
    Snapshot snap;
    snap.snapshot_id = NewSnapshotId(base);
    if (parent) snap.parent_snapshot_id = parent->snapshot_id;
    snap.sequence_number = base.last_sequence_number + 1;
    snap.timestamp_ms = std::max(NowMs(), base.last_updated_ms);
    snap.schema_id = schema.schema_id;

    std::map<int32_t, std::vector<ManifestEntry>> by_spec;
    int64_t records = 0, bytes = 0;
    std::set<std::vector<Literal>> partitions;
    for (const auto& file : request.files) {
      if (!next.SpecById(file.spec_id)) {
        Fail("iceberg append to {}: {} has unknown partition spec {}", ident_.ToString(),
             file.location, file.spec_id);
      }
      ManifestEntry e;
      e.status = ManifestEntryStatus::kAdded;
      e.snapshot_id = snap.snapshot_id;
      e.sequence_number = e.file_sequence_number = snap.sequence_number;
      e.file = file;
      by_spec[file.spec_id].push_back(std::move(e));
      records += file.record_count;
      bytes += file.file_size_in_bytes;
      partitions.insert(file.partition);
    }
    std::vector<ManifestFile> kept;
    if (parent) {
      kept = ReadManifestList(lake_->Get(KeyOf(parent->manifest_list)), parent->manifest_list);
    }
    // Fast append keeps the parent's manifests and adds one; once a table has many manifests
    // (commit.manifest.min-count-to-merge, 100 as in Java), the append merges each spec's live
    // entries into one manifest, so a table the sink appends to every few seconds stays cheap
    // to plan. Entries deleted by earlier snapshots are dropped by the merge.
    auto property = [&](const char* key, const char* fallback) {
      auto it = next.properties.find(key);
      return it == next.properties.end() ? std::string(fallback) : it->second;
    };
    size_t merge_at = 100;
    try {
      merge_at = std::stoul(property("commit.manifest.min-count-to-merge", "100"));
    } catch (const std::exception&) {
    }
    bool merge = property("commit.manifest-merge.enabled", "true") == "true" &&
                 kept.size() + by_spec.size() >= std::max<size_t>(merge_at, 2);
    std::vector<ManifestFile> manifests;
    if (merge) {
      std::vector<ManifestFile> unmerged;
      for (const auto& m : kept) {
        if (!next.SpecById(m.spec_id)) {
          unmerged.push_back(m);
          continue;
        }
        for (auto& e : ReadManifest(lake_->Get(KeyOf(m.path)), m, m.path)) {
          if (e.status == ManifestEntryStatus::kDeleted) continue;
          e.status = ManifestEntryStatus::kExisting;
          by_spec[m.spec_id].push_back(std::move(e));
        }
      }
      kept = std::move(unmerged);
    }
    std::string uuid = RandomUuid();
    for (const auto& [spec_id, entries] : by_spec) {
      const PartitionSpec& spec = *next.SpecById(spec_id);
      std::string key = fmt::format("{}/metadata/{}-m{}.avro", root_key_, uuid, manifests.size());
      std::string location = LocationOf(key);
      std::string bytes_out = WriteManifest(entries, schema, spec, location);
      lake_->Put(key, bytes_out);
      written.push_back(key);
      ManifestFile m = SummarizeManifest(entries, schema, spec);
      m.path = location;
      m.length = static_cast<int64_t>(bytes_out.size());
      m.sequence_number = m.min_sequence_number = snap.sequence_number;
      for (const auto& e : entries) {
        m.min_sequence_number = std::min(m.min_sequence_number, e.sequence_number);
      }
      m.added_snapshot_id = snap.snapshot_id;
      manifests.push_back(std::move(m));
    }
    manifests.insert(manifests.end(), kept.begin(), kept.end());
    std::string list_key =
        fmt::format("{}/metadata/snap-{}-1-{}.avro", root_key_, snap.snapshot_id, uuid);
    snap.manifest_list = LocationOf(list_key);
    lake_->Put(list_key, WriteManifestList(manifests, snap.snapshot_id, snap.parent_snapshot_id,
                                           snap.sequence_number, snap.manifest_list));
    written.push_back(list_key);

    snap.summary = request.summary;
    snap.summary["operation"] = "append";
    snap.summary["added-data-files"] = std::to_string(request.files.size());
    snap.summary["added-records"] = std::to_string(records);
    snap.summary["added-files-size"] = std::to_string(bytes);
    snap.summary["changed-partition-count"] = std::to_string(partitions.size());
    AddTotals(snap.summary, manifests, parent, bytes);

    next.snapshots.push_back(snap);
    next.snapshot_log.push_back({snap.timestamp_ms, snap.snapshot_id});
    next.current_snapshot_id = snap.snapshot_id;
    next.last_sequence_number = snap.sequence_number;
    return next;
  });
  return *metadata_.CurrentSnapshot();
}

Snapshot Table::Rewrite(const RewriteRequest& request) {
  Commit("rewrite", [&](const TableMetadata& base, Written& written) {
    const Snapshot* parent = base.CurrentSnapshot();
    if (!parent)
      throw CommitConflict(
          fmt::format("rewrite of {}: the table has no snapshot", ident_.ToString()));
    TableMetadata next = base;
    const Schema& schema = next.CurrentSchema();
    Snapshot snap;
    snap.snapshot_id = NewSnapshotId(base);
    snap.parent_snapshot_id = parent->snapshot_id;
    snap.sequence_number = base.last_sequence_number + 1;
    snap.timestamp_ms = std::max(NowMs(), base.last_updated_ms);
    snap.schema_id = schema.schema_id;

    std::set<std::string> removed(request.removed.begin(), request.removed.end());
    std::set<std::string> found;
    std::vector<ManifestFile> manifests;
    std::string uuid = RandomUuid();
    int64_t removed_records = 0, removed_bytes = 0, added_records = 0, added_bytes = 0;
    std::set<std::vector<Literal>> partitions;
    auto write_manifest = [&](const std::vector<ManifestEntry>& entries,
                              const PartitionSpec& spec) {
      std::string key = fmt::format("{}/metadata/{}-m{}.avro", root_key_, uuid, written.size());
      std::string location = LocationOf(key);
      std::string bytes = WriteManifest(entries, schema, spec, location);
      lake_->Put(key, bytes);
      written.push_back(key);
      ManifestFile m = SummarizeManifest(entries, schema, spec);
      m.path = location;
      m.length = static_cast<int64_t>(bytes.size());
      m.sequence_number = snap.sequence_number;
      m.min_sequence_number = snap.sequence_number;
      for (const auto& e : entries) {
        if (e.status != ManifestEntryStatus::kDeleted) {
          m.min_sequence_number = std::min(m.min_sequence_number, e.sequence_number);
        }
      }
      m.added_snapshot_id = snap.snapshot_id;
      manifests.push_back(std::move(m));
    };

    std::map<int32_t, std::vector<ManifestEntry>> added_by_spec;
    for (const auto& file : request.added) {
      if (!next.SpecById(file.spec_id))
        Fail("rewrite: {} has unknown partition spec {}", file.location, file.spec_id);
      ManifestEntry e;
      e.snapshot_id = snap.snapshot_id;
      e.sequence_number = e.file_sequence_number = snap.sequence_number;
      e.file = file;
      added_records += file.record_count;
      added_bytes += file.file_size_in_bytes;
      partitions.insert(file.partition);
      added_by_spec[file.spec_id].push_back(std::move(e));
    }
    for (const auto& [spec_id, entries] : added_by_spec)
      write_manifest(entries, *next.SpecById(spec_id));

    auto list = ReadManifestList(lake_->Get(KeyOf(parent->manifest_list)), parent->manifest_list);
    for (const auto& m : list) {
      auto entries = ReadManifest(lake_->Get(KeyOf(m.path)), m, m.path);
      bool affected = false;
      for (const auto& e : entries) {
        if (e.status != ManifestEntryStatus::kDeleted && removed.count(e.file.location))
          affected = true;
      }
      if (!affected) {
        manifests.push_back(m);
        continue;
      }
      std::vector<ManifestEntry> rewritten;
      for (auto e : entries) {
        if (e.status == ManifestEntryStatus::kDeleted) continue;
        if (removed.count(e.file.location)) {
          found.insert(e.file.location);
          e.status = ManifestEntryStatus::kDeleted;
          e.snapshot_id = snap.snapshot_id;
          removed_records += e.file.record_count;
          removed_bytes += e.file.file_size_in_bytes;
          partitions.insert(e.file.partition);
        } else {
          e.status = ManifestEntryStatus::kExisting;
        }
        rewritten.push_back(std::move(e));
      }
      const PartitionSpec* spec = next.SpecById(m.spec_id);
      if (!spec) Fail("rewrite: manifest {} has unknown partition spec {}", m.path, m.spec_id);
      write_manifest(rewritten, *spec);
    }
    for (const auto& location : removed) {
      if (!found.count(location)) {
        throw CommitConflict(
            fmt::format("rewrite of {}: {} is no longer live (removed by another commit)",
                        ident_.ToString(), location));
      }
    }
    std::string list_key =
        fmt::format("{}/metadata/snap-{}-1-{}.avro", root_key_, snap.snapshot_id, uuid);
    snap.manifest_list = LocationOf(list_key);
    lake_->Put(list_key, WriteManifestList(manifests, snap.snapshot_id, snap.parent_snapshot_id,
                                           snap.sequence_number, snap.manifest_list));
    written.push_back(list_key);

    snap.summary = request.summary;
    // A rewrite changes no rows, so the writers' bookkeeping of what the table holds (the
    // sink's Kafka offsets) stays true: carry it forward, or expiring the snapshots before this
    // one would lose it.
    for (const auto& [key, value] : parent->summary) {
      if (key.starts_with(kCarriedSummaryPrefix)) snap.summary.try_emplace(key, value);
    }
    snap.summary["operation"] = "replace";
    snap.summary["added-data-files"] = std::to_string(request.added.size());
    snap.summary["deleted-data-files"] = std::to_string(removed.size());
    snap.summary["added-records"] = std::to_string(added_records);
    snap.summary["deleted-records"] = std::to_string(removed_records);
    snap.summary["added-files-size"] = std::to_string(added_bytes);
    snap.summary["removed-files-size"] = std::to_string(removed_bytes);
    snap.summary["changed-partition-count"] = std::to_string(partitions.size());
    AddTotals(snap.summary, manifests, parent, added_bytes - removed_bytes);

    next.snapshots.push_back(snap);
    next.snapshot_log.push_back({snap.timestamp_ms, snap.snapshot_id});
    next.current_snapshot_id = snap.snapshot_id;
    next.last_sequence_number = snap.sequence_number;
    return next;
  });
  return *metadata_.CurrentSnapshot();
}

void Table::UpdateSchema(const Schema& schema) {
  Commit("schema update", [&](const TableMetadata& base, Written&) {
    TableMetadata next = base;
    ApplySchema(next, EvolveSchema(base, schema));
    return next;
  });
}

void Table::SetProperties(const std::map<std::string, std::string>& properties) {
  Commit("property update", [&](const TableMetadata& base, Written&) {
    TableMetadata next = base;
    for (const auto& [k, v] : properties) next.properties[k] = v;
    return next;
  });
}

std::vector<ManifestEntry> Table::ReadManifestEntries(const std::string& manifest_list) const {
  std::vector<ManifestEntry> out;
  for (const auto& m : ReadManifestList(lake_->Get(KeyOf(manifest_list)), manifest_list)) {
    for (auto& e : ReadManifest(lake_->Get(KeyOf(m.path)), m, m.path)) out.push_back(std::move(e));
  }
  return out;
}

std::vector<ManifestEntry> Table::LiveEntries(const Snapshot& snapshot) const {
  std::vector<ManifestEntry> live;
  for (auto& e : ReadManifestEntries(snapshot.manifest_list)) {
    if (e.status != ManifestEntryStatus::kDeleted) live.push_back(std::move(e));
  }
  return live;
}

ScanPlan Table::Plan(const ScanRequest& request) const {
  ScanPlan plan;
  if (request.snapshot_id) {
    plan.snapshot = metadata_.SnapshotById(*request.snapshot_id);
    if (!plan.snapshot)
      Fail("iceberg table {} has no snapshot {}", ident_.ToString(), *request.snapshot_id);
  } else if (request.as_of_ms) {
    plan.snapshot = metadata_.SnapshotAsOf(*request.as_of_ms);
    if (!plan.snapshot) {
      Fail("iceberg table {} had no snapshot at {} ms", ident_.ToString(), *request.as_of_ms);
    }
  } else {
    plan.snapshot = metadata_.CurrentSnapshot();
  }
  plan.schema = metadata_.CurrentSchema();
  if (plan.snapshot && plan.snapshot->schema_id) {
    if (const Schema* s = metadata_.SchemaById(*plan.snapshot->schema_id)) plan.schema = *s;
  }
  if (!plan.snapshot) return plan;
  for (auto& e : LiveEntries(*plan.snapshot)) {
    const PartitionSpec* spec = metadata_.SpecById(e.file.spec_id);
    bool keep = true;
    for (const auto& range : request.ranges) {
      if (!MayContain(e.file, plan.schema, spec, range)) {
        keep = false;
        break;
      }
    }
    if (keep)
      plan.files.push_back(std::move(e.file));
    else
      ++plan.files_pruned;
  }
  return plan;
}

ExpireResult Table::Expire(int64_t older_than_ms, int retain_last,
                           std::optional<int64_t> orphans_older_than_ms) {
  ExpireResult result;
  std::vector<Snapshot> expired;
  std::vector<std::string> dropped_metadata;
  Refresh();
  Commit("expire", [&](const TableMetadata& base, Written&) {
    TableMetadata next = base;
    std::vector<const Snapshot*> newest;
    for (const auto& s : base.snapshots) newest.push_back(&s);
    // Newest first; snapshots of the same millisecond are ordered by their commit order.
    std::sort(newest.begin(), newest.end(), [](const Snapshot* a, const Snapshot* b) {
      return std::tie(a->timestamp_ms, a->sequence_number) >
             std::tie(b->timestamp_ms, b->sequence_number);
    });
    std::set<int64_t> keep;
    if (base.current_snapshot_id) keep.insert(*base.current_snapshot_id);
    for (size_t i = 0; i < newest.size(); ++i) {
      if (static_cast<int>(i) < retain_last || newest[i]->timestamp_ms >= older_than_ms) {
        keep.insert(newest[i]->snapshot_id);
      }
    }
    expired.clear();
    next.snapshots.clear();
    for (const auto& s : base.snapshots) {
      if (keep.count(s.snapshot_id))
        next.snapshots.push_back(s);
      else
        expired.push_back(s);
    }
    std::erase_if(next.snapshot_log,
                  [&](const SnapshotLogEntry& e) { return !keep.count(e.snapshot_id); });
    dropped_metadata.clear();
    std::erase_if(next.metadata_log, [&](const MetadataLogEntry& e) {
      if (e.timestamp_ms >= older_than_ms) return false;
      dropped_metadata.push_back(e.metadata_file);
      return true;
    });
    return next;
  });
  result.snapshots_expired = static_cast<int64_t>(expired.size());

  // Everything the kept snapshots need; then what only the expired ones referenced.
  std::set<std::string> needed;
  // Files a snapshot reads: its manifest list, manifests and live data files.
  auto reference = [&](const Snapshot& s, std::set<std::string>& into) {
    into.insert(NormalizeLocation(s.manifest_list));
    for (const auto& m : ReadManifestList(lake_->Get(KeyOf(s.manifest_list)), s.manifest_list)) {
      into.insert(NormalizeLocation(m.path));
      for (const auto& e : ReadManifest(lake_->Get(KeyOf(m.path)), m, m.path)) {
        if (e.status != ManifestEntryStatus::kDeleted) {
          into.insert(NormalizeLocation(e.file.location));
        }
      }
    }
  };
  for (const auto& s : metadata_.snapshots) reference(s, needed);
  needed.insert(NormalizeLocation(metadata_location_));
  for (const auto& e : metadata_.metadata_log) needed.insert(NormalizeLocation(e.metadata_file));

  auto try_delete = [&](const std::string& location) {
    try {
      lake_->Delete(KeyOf(location));
      return true;
    } catch (const Error&) {
      return false;  // outside the lake, or the store refused: never fatal for housekeeping
    }
  };
  std::set<std::string> candidates;
  for (const auto& s : expired) {
    candidates.insert(NormalizeLocation(s.manifest_list));
    std::vector<ManifestFile> list;
    try {
      list = ReadManifestList(lake_->Get(KeyOf(s.manifest_list)), s.manifest_list);
    } catch (const Error&) {
      continue;  // already gone (an earlier expire was interrupted)
    }
    for (const auto& m : list) {
      candidates.insert(NormalizeLocation(m.path));
      try {
        for (const auto& e : ReadManifest(lake_->Get(KeyOf(m.path)), m, m.path)) {
          candidates.insert(NormalizeLocation(e.file.location));
        }
      } catch (const Error&) {
      }
    }
  }
  for (const auto& location : candidates) {
    if (needed.count(location)) continue;
    bool is_data = location.ends_with(".parquet");
    if (!try_delete(location)) continue;
    if (is_data)
      ++result.data_files_deleted;
    else
      ++result.manifest_files_deleted;
  }
  for (const auto& file : dropped_metadata) {
    if (!needed.count(NormalizeLocation(file)) && try_delete(file)) ++result.manifest_files_deleted;
  }

  if (orphans_older_than_ms) {
    // Files no metadata references, old enough that no writer can still be about to commit them.
    Refresh();
    for (const auto& s : metadata_.snapshots) reference(s, needed);
    needed.insert(NormalizeLocation(metadata_location_));
    for (const auto& e : metadata_.metadata_log) needed.insert(NormalizeLocation(e.metadata_file));
    for (const char* dir : {"/data/", "/metadata/"}) {
      for (const auto& object : lake_->List(root_key_ + dir).objects) {
        if (object.modified_ms >= *orphans_older_than_ms) continue;
        if (needed.count(NormalizeLocation(LocationOf(object.key)))) continue;
        lake_->Delete(object.key);
        ++result.orphans_deleted;
      }
    }
  }
  return result;
}

}  // namespace ticklake::iceberg
