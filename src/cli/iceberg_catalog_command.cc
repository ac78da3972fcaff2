// The Iceberg side of `ticklake catalog` (see commands.h): `snapshots` and `expire`, and ls,
// show, ddl and glue for the tables of the Iceberg SQL catalog inside catalog.db.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "catalog/catalog.h"
#include "catalog/iceberg_export.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/units.h"
#include "iceberg/table.h"
#include "query/iceberg_tables.h"

namespace ticklake::cli {
namespace {

std::string Quoted(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

int64_t SummaryNumber(const iceberg::Snapshot* s, const std::string& key, int64_t fallback = -1) {
  if (!s) return fallback;
  auto it = s->summary.find(key);
  if (it == s->summary.end()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return fallback;
  }
}

std::string Summary(const iceberg::Snapshot& s, const std::string& key) {
  auto it = s.summary.find(key);
  return it == s.summary.end() ? "" : it->second;
}

bool IsJsonObject(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  return !parser.parse(padded).get(doc) && doc.is_object();
}

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

// Files, records and bytes of a snapshot: the spec's summary totals, else counted from its
// manifests.
struct Totals {
  int64_t files = 0, records = 0, bytes = 0;
};
Totals TotalsOf(const iceberg::Table& table, const iceberg::Snapshot* s) {
  Totals t;
  if (!s) return t;
  t.files = SummaryNumber(s, "total-data-files");
  t.records = SummaryNumber(s, "total-records");
  t.bytes = SummaryNumber(s, "total-files-size");
  if (t.files < 0 || t.records < 0 || t.bytes < 0) {
    t = {};
    for (const auto& e : table.LiveEntries(*s)) {
      ++t.files;
      t.records += e.file.record_count;
      t.bytes += e.file.file_size_in_bytes;
    }
  }
  return t;
}

std::string FieldName(const iceberg::Schema& schema, int32_t id) {
  const iceberg::NestedField* f = schema.FindById(id);
  return f ? f->name : fmt::format("field {}", id);
}

void PrintShow(const iceberg::Table& table) {
  const iceberg::TableMetadata& m = table.metadata();
  const iceberg::Schema& schema = m.CurrentSchema();
  fmt::print("table        {} (Iceberg format v{})\n", table.ident().ToString(), m.format_version);
  fmt::print("location     {}\n", m.location);
  fmt::print("metadata     {}\n", table.metadata_location());
  fmt::print("uuid         {}\n", m.table_uuid);
  fmt::print("updated      {}\n", FormatUtcMillis(m.last_updated_ms));
  fmt::print("schema       id {} ({} schema versions)\n", schema.schema_id, m.schemas.size());
  for (const auto& f : schema.fields) {
    fmt::print("  {:>4}  {:<24} {:<12} {}\n", f.id, f.name, iceberg::TypeName(f.type),
               f.required ? "required" : "optional");
  }
  const iceberg::PartitionSpec& spec = m.DefaultSpec();
  fmt::print("partition spec  id {}{}\n", spec.spec_id,
             spec.Unpartitioned() ? " (unpartitioned)" : "");
  for (const auto& p : spec.fields) {
    fmt::print("  {:>4}  {:<24} {}({})\n", p.field_id, p.name, iceberg::TransformName(p.transform),
               FieldName(schema, p.source_id));
  }
  const iceberg::SortOrder* order = nullptr;
  for (const auto& o : m.sort_orders) {
    if (o.order_id == m.default_sort_order_id) order = &o;
  }
  if (!order || order->fields.empty()) {
    fmt::print("sort order   unsorted\n");
  } else {
    std::vector<std::string> keys;
    for (const auto& f : order->fields) {
      std::string column = FieldName(schema, f.source_id);
      if (f.transform != iceberg::Transform::kIdentity) {
        column = fmt::format("{}({})", iceberg::TransformName(f.transform), column);
      }
      keys.push_back(fmt::format("{} {} nulls {}", column, f.ascending ? "asc" : "desc",
                                 f.nulls_first ? "first" : "last"));
    }
    fmt::print("sort order   id {}: {}\n", order->order_id, fmt::join(keys, ", "));
  }
  const iceberg::Snapshot* current = m.CurrentSnapshot();
  if (!current) {
    fmt::print("snapshot     none (no data yet)\n");
  } else {
    fmt::print("snapshot     {} ({} UTC, {}; {} snapshots kept)\n", current->snapshot_id,
               FormatUtcMillis(current->timestamp_ms), current->Operation(), m.snapshots.size());
  }
  Totals t = TotalsOf(table, current);
  fmt::print("files        {}\n", t.files);
  fmt::print("records      {}\n", t.records);
  fmt::print("size         {} ({} bytes), average file {}\n", HumanBytes(t.bytes), t.bytes,
             HumanBytes(t.files ? t.bytes / t.files : 0));
  if (!m.properties.empty()) {
    fmt::print("properties\n");
    for (const auto& [k, v] : m.properties) fmt::print("  {:<36} {}\n", k, v);
  }
}

void PrintSnapshots(const iceberg::Table& table, bool json) {
  const iceberg::TableMetadata& m = table.metadata();
  std::vector<const iceberg::Snapshot*> snapshots;
  for (const auto& s : m.snapshots) snapshots.push_back(&s);
  std::sort(snapshots.begin(), snapshots.end(), [](auto* a, auto* b) {
    return std::tie(a->sequence_number, a->timestamp_ms) <
           std::tie(b->sequence_number, b->timestamp_ms);
  });
  if (json) {
    std::string out = "[";
    for (size_t i = 0; i < snapshots.size(); ++i) {
      const iceberg::Snapshot& s = *snapshots[i];
      std::string offsets = Summary(s, "ticklake.kafka.offsets");
      out += fmt::format(
          "{}{{\"snapshot_id\":{},\"parent_id\":{},\"sequence_number\":{},\"timestamp_ms\":{},"
          "\"time\":{},\"operation\":{},\"current\":{},\"added_records\":{},\"total_records\":{},"
          "\"added_files\":{},\"total_files\":{},\"kafka_topic\":{},\"kafka_offsets\":{},"
          "\"summary\":{{",
          i ? "," : "", s.snapshot_id,
          s.parent_snapshot_id ? std::to_string(*s.parent_snapshot_id) : "null", s.sequence_number,
          s.timestamp_ms, Quoted(FormatUtcMillis(s.timestamp_ms)), Quoted(s.Operation()),
          m.current_snapshot_id == s.snapshot_id ? "true" : "false",
          SummaryNumber(&s, "added-records", 0), SummaryNumber(&s, "total-records", 0),
          SummaryNumber(&s, "added-data-files", 0), SummaryNumber(&s, "total-data-files", 0),
          Summary(s, "ticklake.kafka.topic").empty() ? "null"
                                                     : Quoted(Summary(s, "ticklake.kafka.topic")),
          // The sink writes the offsets as a JSON object (partition -> next offset): kept as one.
          offsets.empty()         ? "null"
          : IsJsonObject(offsets) ? offsets
                                  : Quoted(offsets));
      bool first = true;
      for (const auto& [k, v] : s.summary) {
        out += (first ? "" : ",") + Quoted(k) + ":" + Quoted(v);
        first = false;
      }
      out += "}}";
    }
    fmt::print("{}]\n", out);
    return;
  }
  fmt::print("{:<1}{:<20} {:<20} {:<19} {:<9} {:>10} {:>12} {:>6}  {}\n", "", "snapshot_id",
             "parent_id", "time (UTC)", "operation", "+records", "records", "files",
             "kafka offsets");
  for (const auto* s : snapshots) {
    fmt::print(
        "{:<1}{:<20} {:<20} {:<19} {:<9} {:>10} {:>12} {:>6}  {}\n",
        m.current_snapshot_id == s->snapshot_id ? "*" : " ", s->snapshot_id,
        s->parent_snapshot_id ? std::to_string(*s->parent_snapshot_id) : "-",
        FormatUtcMillis(s->timestamp_ms), s->Operation(), SummaryNumber(s, "added-records", 0),
        SummaryNumber(s, "total-records", 0), SummaryNumber(s, "total-data-files", 0),
        Summary(*s, "ticklake.kafka.offsets").empty() ? "-"
                                                      : Summary(*s, "ticklake.kafka.offsets"));
  }
  if (snapshots.empty()) fmt::print("(no snapshots)\n");
}

}  // namespace

std::vector<IcebergListing> ListIcebergTables(const std::string& catalog_path) {
  std::vector<IcebergListing> out;
  query::IcebergTables tables(catalog_path);
  for (const auto& ident : tables.List()) {
    IcebergListing l;
    l.database = ident.ns;
    l.name = ident.name;
    try {
      iceberg::Table table = tables.Load(ident);
      const iceberg::TableMetadata& m = table.metadata();
      l.location = m.location;
      l.columns = m.CurrentSchema().fields.size();
      l.version = m.CurrentSchema().schema_id;
      l.snapshots = static_cast<int64_t>(m.snapshots.size());
      Totals t = TotalsOf(table, m.CurrentSnapshot());
      l.records = t.records;
      l.bytes = t.bytes;
      l.files = t.files;
    } catch (const Error& e) {
      l.state = "unreadable";
      l.error = e.what();
    }
    out.push_back(std::move(l));
  }
  return out;
}

IcebergCatalogRunner AddIcebergCatalogCommands(CLI::App& catalog, const CatalogArgs& args) {
  struct Options {
    std::string table;
    bool json = false;
    std::string older_than;
    int retain_last = 1;
    std::string orphans_older_than;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* snapshots = catalog.add_subcommand(
      "snapshots", "Snapshots of an Iceberg table (id, time, records, Kafka offsets)");
  snapshots->add_option("table", opts->table, "Table name (TABLE or DATABASE.TABLE)")->required();
  snapshots->add_flag("--json", opts->json, "Print JSON");
  CLI::App* expire = catalog.add_subcommand(
      "expire",
      "Expire old snapshots of an Iceberg table and delete the files no kept snapshot needs.\n"
      "Example: ticklake catalog expire stock_market --older-than 7d --orphans-older-than 1d");
  expire->add_option("table", opts->table, "Table name (TABLE or DATABASE.TABLE)")->required();
  expire
      ->add_option("--older-than", opts->older_than,
                   "Expire snapshots older than this (e.g. 7d, 12h, 30m)")
      ->required();
  expire
      ->add_option("--retain-last", opts->retain_last,
                   "Always keep this many newest snapshots (at least 1)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 30));
  expire->add_option("--orphans-older-than", opts->orphans_older_than,
                     "Also delete files under data/ and metadata/ that no metadata references and "
                     "are older than this (e.g. 1d): what crashed writers left");
  expire->add_flag("--json", opts->json, "Print the result as JSON");

  return [opts, args, snapshots, expire](catalog::Catalog& cat) -> std::optional<int> {
    bool own = snapshots->parsed() || expire->parsed();
    bool shared = args.show->parsed() || args.ddl->parsed() || args.glue->parsed();
    if (!own && !shared) return std::nullopt;
    const std::string& name = own ? opts->table : *args.table;
    std::string db = *args.database, table_name = name;
    if (size_t dot = name.rfind('.'); dot != std::string::npos) {
      db = name.substr(0, dot);
      table_name = name.substr(dot + 1);
    }
    query::IcebergTables tables(cat.path());
    std::optional<iceberg::TableIdent> ident = tables.Find(db, table_name);
    if (!ident) {
      auto hive = cat.GetTable(db, AsciiLower(table_name));
      if (hive && own) {
        Fail("{}.{} is a Hive table of crawled files: only Iceberg tables have snapshots", db,
             table_name);
      }
      if (hive) return std::nullopt;
      std::vector<std::string> names;
      for (const auto& t : cat.ListTables(db)) names.push_back(t.name);
      for (const auto& t : tables.List()) names.push_back(t.ToString() + " (Iceberg)");
      Fail("no table {}.{} in catalog {} (tables: {})", db, table_name, cat.path().string(),
           names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
    }
    iceberg::Table table = tables.Load(*ident);
    if (args.show->parsed()) {
      PrintShow(table);
    } else if (snapshots->parsed()) {
      PrintSnapshots(table, opts->json);
    } else if (args.glue->parsed() || args.ddl->parsed()) {
      if (!args.location_prefix->empty()) {
        Fail(
            "--location-prefix does not apply to Iceberg table {}: its metadata records absolute "
            "file locations, so it is registered where it was written ({})",
            ident->ToString(), table.metadata().location);
      }
      fmt::print("{}", args.glue->parsed()
                           ? catalog::GlueIcebergTableInput(ident->name, table.metadata(),
                                                            table.metadata_location())
                           : catalog::AthenaIcebergDdl(ident->ns, ident->name, table.metadata()));
    } else {
      int64_t now = catalog::NowMs();
      int64_t older = ParseDurationMs(opts->older_than, "--older-than");
      std::optional<int64_t> orphans;
      if (!opts->orphans_older_than.empty()) {
        orphans = now - ParseDurationMs(opts->orphans_older_than, "--orphans-older-than");
      }
      iceberg::ExpireResult r = table.Expire(now - older, opts->retain_last, orphans);
      table.Refresh();
      if (opts->json) {
        fmt::print(
            "{{\"table\":{},\"snapshots_expired\":{},\"snapshots_kept\":{},"
            "\"data_files_deleted\":{},\"metadata_files_deleted\":{},\"orphans_deleted\":{}}}\n",
            Quoted(ident->ToString()), r.snapshots_expired, table.metadata().snapshots.size(),
            r.data_files_deleted, r.manifest_files_deleted, r.orphans_deleted);
      } else {
        fmt::print(
            "expired {} snapshot(s) of {} ({} kept); deleted {} data file(s), {} metadata file(s) "
            "(manifests, manifest lists, old metadata){}\n",
            r.snapshots_expired, ident->ToString(), table.metadata().snapshots.size(),
            r.data_files_deleted, r.manifest_files_deleted,
            orphans ? fmt::format(", {} orphan file(s)", r.orphans_deleted) : "");
      }
    }
    return 0;
  };
}

}  // namespace ticklake::cli
