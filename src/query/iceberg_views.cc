#include "query/iceberg_views.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "common/strings.h"
#include "iceberg/parquet_files.h"
#include "query/iceberg_pruning.h"
#include "query/sql_text.h"

namespace ticklake::query {
namespace {

// FNV-1a of a file's location: the cache folder of an immutable Iceberg data file.
std::string LocationTag(const std::string& location) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : location) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("iceberg-{:016x}", h);
}

}  // namespace

std::string IcebergViewSql(const iceberg::Schema& schema, const std::string& files_expression,
                           bool empty) {
  std::vector<std::string> columns, mapping;
  for (const auto& f : schema.fields) {
    std::string type = iceberg::DuckDbType(f.type);
    if (empty) {
      columns.push_back(fmt::format("CAST(NULL AS {}) AS {}", type, duck::QuoteIdentifier(f.name)));
    } else {
      columns.push_back(duck::QuoteIdentifier(f.name));
      mapping.push_back(fmt::format("{}: {{name: {}, type: {}, default_value: NULL}}", f.id,
                                    duck::QuoteLiteral(f.name), duck::QuoteLiteral(type)));
    }
  }
  if (columns.empty()) Fail("the Iceberg schema has no columns");
  if (empty) return fmt::format("SELECT {} WHERE false", fmt::join(columns, ", "));
  return fmt::format("SELECT {} FROM read_parquet({}, schema = MAP {{{}}})",
                     fmt::join(columns, ", "), files_expression, fmt::join(mapping, ", "));
}

IcebergViews::IcebergViews(IcebergTables& tables, duck::Connection& conn,
                           std::filesystem::path cache_dir, uint64_t cache_bytes)
    : tables_(tables), conn_(conn), cache_dir_(std::move(cache_dir)), cache_bytes_(cache_bytes) {}

IcebergViews::~IcebergViews() = default;

catalog::LakeFileResolver& IcebergViews::ResolverFor(ObjectStore& lake) {
  auto& r = resolvers_[lake.Uri()];
  if (!r) r = std::make_unique<catalog::LakeFileResolver>(lake, cache_dir_, cache_bytes_);
  return *r;
}

bool IcebergViews::Exposes(const std::string& database, const std::string& name) const {
  std::string id = AsciiLower(database + "." + name);
  return std::find(exposed_.begin(), exposed_.end(), id) != exposed_.end();
}

IcebergScanStats IcebergViews::Prepare(
    const std::string& sql, const TimeTravelStatement& statement, const std::string& database,
    const std::function<bool(const std::string&, const std::string&)>& is_hive) {
  exposed_.clear();
  for (auto& [uri, resolver] : resolvers_) resolver->BeginBatch();
  const std::vector<TimeTravelRef>& refs = statement.refs;
  std::set<std::string> names = Identifiers(statement.unaliased_sql);
  std::vector<iceberg::TableIdent> all = tables_.List();
  std::vector<iceberg::TableIdent> named;
  for (const auto& t : all) {
    if (names.count(AsciiLower(t.name)) || names.count(t.name)) named.push_back(t);
  }
  // Pruning applies when the statement reads one table (IcebergRanges checks the shape too).
  size_t reads = named.size() + refs.size();
  bool prune = reads == 1;
  IcebergScanStats total;
  auto add = [&](const IcebergScanStats& s) {
    total.tables += s.tables;
    total.files_scanned += s.files_scanned;
    total.files_pruned += s.files_pruned;
    total.bytes += s.bytes;
  };
  for (const auto& t : named) {
    std::string qualified = duck::QuoteIdentifier(t.ns) + "." + duck::QuoteIdentifier(t.name);
    conn_.Query("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdentifier(t.ns));
    add(Expose(t, qualified, AsciiLower(t.ToString()), std::nullopt, std::nullopt, sql, prune));
    exposed_.push_back(AsciiLower(t.ToString()));
  }
  if (!refs.empty()) conn_.Query(std::string("CREATE SCHEMA IF NOT EXISTS ") + kTimeTravelSchema);
  for (const auto& ref : refs) {
    std::string db = ref.database.empty() ? database : ref.database;
    std::optional<iceberg::TableIdent> ident = tables_.Find(db, ref.table);
    std::string clause = ref.snapshot_id ? "FOR VERSION AS OF" : "FOR TIMESTAMP AS OF";
    if (!ident) {
      if (is_hive(db, AsciiLower(ref.table))) {
        Fail(
            "{} needs an Iceberg table: {}.{} is a Hive table of crawled files, which has no "
            "snapshots",
            clause, db, ref.table);
      }
      std::vector<std::string> known;
      for (const auto& x : all) known.push_back(x.ToString());
      Fail("{}: no Iceberg table {}.{} (Iceberg tables: {})", clause, db, ref.table,
           known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")));
    }
    std::string qualified = std::string(kTimeTravelSchema) + "." + duck::QuoteIdentifier(ref.view);
    add(Expose(*ident, qualified, std::string(kTimeTravelSchema) + "." + ref.view, ref.snapshot_id,
               ref.as_of_ms, sql, prune));
  }
  return total;
}

IcebergScanStats IcebergViews::Expose(const iceberg::TableIdent& ident,
                                      const std::string& qualified_view,
                                      const std::string& view_key,
                                      std::optional<int64_t> snapshot_id,
                                      std::optional<int64_t> as_of_ms, const std::string& sql,
                                      bool prune) {
  std::optional<std::string> location = tables_.sql().MetadataLocation(ident);
  if (!location) Fail("Iceberg table {} was dropped meanwhile", ident.ToString());
  ObjectStore& lake = tables_.LakeOf(*location);
  catalog::LakeFileResolver& resolver = ResolverFor(lake);
  // A cheap first check: same metadata, same request -> same view (ranges depend on the schema,
  // which is part of the metadata, and on the SQL text).
  std::string quick = fmt::format("{}|{}|{}|{}", *location, snapshot_id ? *snapshot_id : -1,
                                  as_of_ms ? *as_of_ms : -1, prune ? sql : "");
  View& view = views_[view_key];
  if (view.state == quick && resolver.IsLocal()) return view.stats;

  iceberg::Table table = tables_.Load(ident);
  const iceberg::TableMetadata& meta = table.metadata();
  iceberg::ScanRequest request;
  std::string name = ident.ToString();
  if (snapshot_id) {
    if (!meta.SnapshotById(*snapshot_id)) {
      std::vector<std::string> ids;
      for (const auto& s : meta.snapshots) ids.push_back(std::to_string(s.snapshot_id));
      if (ids.size() > 5) ids.erase(ids.begin(), ids.end() - 5);
      Fail(
          "table {} has no snapshot {} (latest snapshots: {}; see `ticklake catalog snapshots {}`)",
          name, *snapshot_id, ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", ")), name);
    }
    request.snapshot_id = snapshot_id;
  } else if (as_of_ms) {
    const iceberg::Snapshot* s = meta.SnapshotAsOf(*as_of_ms);
    if (!s) {
      int64_t first = 0;
      for (const auto& e : meta.snapshot_log) {
        if (first == 0 || e.timestamp_ms < first) first = e.timestamp_ms;
      }
      for (const auto& x : meta.snapshots) {
        if (first == 0 || x.timestamp_ms < first) first = x.timestamp_ms;
      }
      if (first == 0) Fail("table {} has no snapshots yet: nothing to read as of a time", name);
      Fail("table {} has no snapshot as of {} UTC: its first snapshot is from {} UTC", name,
           FormatUtcMillis(*as_of_ms), FormatUtcMillis(first));
    }
    request.snapshot_id = s->snapshot_id;
  }
  // The schema the ranges refer to: the snapshot's (its schema id), else the current one.
  const iceberg::Schema* schema = &meta.CurrentSchema();
  if (request.snapshot_id) {
    const iceberg::Snapshot* s = meta.SnapshotById(*request.snapshot_id);
    if (s->schema_id) {
      if (const iceberg::Schema* own = meta.SchemaById(*s->schema_id)) schema = own;
    }
  }
  if (prune) request.ranges = IcebergRanges(sql, *schema);
  iceberg::ScanPlan plan = table.Plan(request);

  IcebergScanStats stats;
  stats.tables = 1;
  stats.files_pruned = plan.files_pruned;
  stats.files_scanned = static_cast<int64_t>(plan.files.size());
  std::vector<std::string> paths;
  for (const auto& f : plan.files) {
    if (f.format != "PARQUET" && f.format != "parquet") {
      Fail("table {}: data file {} is {}, only Parquet is read", name, f.location, f.format);
    }
    stats.bytes += f.file_size_in_bytes;
    std::string key = table.KeyOf(f.location);
    paths.push_back(
        resolver.Resolve(key, LocationTag(f.location), static_cast<uint64_t>(f.file_size_in_bytes))
            .string());
  }
  if (view.variable.empty())
    view.variable = fmt::format("__ticklake_iceberg_files_{}", views_.size());
  std::string list;
  for (const auto& p : paths) list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(p);
  const iceberg::Schema& columns = plan.snapshot ? plan.schema : meta.CurrentSchema();
  if (!paths.empty()) conn_.Query("SET VARIABLE " + view.variable + " = [" + list + "]");
  std::string select = IcebergViewSql(
      columns, "getvariable(" + duck::QuoteLiteral(view.variable) + ")", paths.empty());
  if (auto error = conn_.TryExecute("CREATE OR REPLACE VIEW " + qualified_view + " AS " + select)) {
    Fail("cannot expose Iceberg table {}: {}", name, error->substr(0, error->find('\n')));
  }
  view.state = quick;
  view.stats = stats;
  return stats;
}

}  // namespace ticklake::query
