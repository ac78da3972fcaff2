#include "console/iceberg_json.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/json_writer.h"
#include "query/iceberg_tables.h"

namespace ticklake::console {
namespace {

std::string Str(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

int64_t Number(const iceberg::Snapshot* s, const char* key) {
  if (!s) return 0;
  auto it = s->summary.find(key);
  if (it == s->summary.end()) return 0;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string FieldName(const iceberg::Schema& schema, int32_t id) {
  const iceberg::NestedField* f = schema.FindById(id);
  return f ? f->name : std::to_string(id);
}

// The table object; with `detail`, also schema ids, spec, sort order and snapshots.
std::string TableJson(const iceberg::Table& table, bool detail) {
  const iceberg::TableMetadata& m = table.metadata();
  const iceberg::Schema& schema = m.CurrentSchema();
  const iceberg::Snapshot* current = m.CurrentSnapshot();
  std::string columns = "[";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const auto& f = schema.fields[i];
    columns += fmt::format("{}{{\"name\":{},\"type\":{},\"id\":{},\"required\":{}}}", i ? "," : "",
                           Str(f.name), Str(std::string(iceberg::TypeName(f.type))), f.id,
                           f.required ? "true" : "false");
  }
  columns += "]";
  std::string out = fmt::format(
      "{{\"database\":{},\"name\":{},\"lake\":{},\"location\":\"\",\"classification\":\"ICEBERG\","
      "\"compression\":\"zstd\",\"state\":\"active\",\"columns\":{},\"partition_keys\":[],"
      "\"records\":{},\"bytes\":{},\"files\":{},\"version\":{},\"created_ms\":0,\"updated_ms\":{},"
      "\"snapshots\":{}",
      Str(table.ident().ns), Str(table.ident().name), Str(m.location), columns,
      Number(current, "total-records"), Number(current, "total-files-size"),
      Number(current, "total-data-files"), schema.schema_id, m.last_updated_ms, m.snapshots.size());
  if (!detail) return out + "}";
  out += ",\"metadata_location\":" + Str(table.metadata_location());
  out += fmt::format(",\"format_version\":{},\"current_snapshot_id\":{}", m.format_version,
                     m.current_snapshot_id ? Str(std::to_string(*m.current_snapshot_id)) : "null");
  out += ",\"partition_spec\":[";
  const iceberg::PartitionSpec& spec = m.DefaultSpec();
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const auto& p = spec.fields[i];
    out += fmt::format("{}{{\"field_id\":{},\"name\":{},\"transform\":{},\"source\":{}}}",
                       i ? "," : "", p.field_id, Str(p.name),
                       Str(std::string(iceberg::TransformName(p.transform))),
                       Str(FieldName(schema, p.source_id)));
  }
  out += "],\"sort_order\":[";
  for (const auto& o : m.sort_orders) {
    if (o.order_id != m.default_sort_order_id) continue;
    for (size_t i = 0; i < o.fields.size(); ++i) {
      out += fmt::format("{}{{\"source\":{},\"transform\":{},\"ascending\":{}}}", i ? "," : "",
                         Str(FieldName(schema, o.fields[i].source_id)),
                         Str(std::string(iceberg::TransformName(o.fields[i].transform))),
                         o.fields[i].ascending ? "true" : "false");
    }
  }
  out += "],\"snapshot_list\":[";
  for (size_t i = 0; i < m.snapshots.size(); ++i) {
    const iceberg::Snapshot& s = m.snapshots[i];
    auto offsets = s.summary.find("ticklake.kafka.offsets");
    out += fmt::format(
        "{}{{\"snapshot_id\":{},\"parent_id\":{},\"timestamp_ms\":{},\"operation\":{},"
        "\"added_records\":{},\"total_records\":{},\"total_files\":{},\"kafka_offsets\":{}}}",
        i ? "," : "", Str(std::to_string(s.snapshot_id)),  // ids exceed JavaScript's 2^53
        s.parent_snapshot_id ? Str(std::to_string(*s.parent_snapshot_id)) : "null", s.timestamp_ms,
        Str(s.Operation()), Number(&s, "added-records"), Number(&s, "total-records"),
        Number(&s, "total-data-files"), offsets == s.summary.end() ? "null" : Str(offsets->second));
  }
  return out + "]}";
}

}  // namespace

std::vector<std::string> IcebergNamespaces(const std::filesystem::path& catalog_db) {
  query::IcebergTables tables(catalog_db);
  std::vector<std::string> out;
  for (const auto& t : tables.List()) {
    if (out.empty() || out.back() != t.ns) out.push_back(t.ns);
  }
  return out;
}

std::string IcebergTablesJson(const std::filesystem::path& catalog_db,
                              const std::string& database) {
  query::IcebergTables tables(catalog_db);
  std::string out;
  for (const auto& ident : tables.List()) {
    if (ident.ns != database) continue;
    try {
      out += (out.empty() ? "" : ",") + TableJson(tables.Load(ident), false);
    } catch (const Error& e) {
      out += fmt::format(
          "{}{{\"database\":{},\"name\":{},\"classification\":\"ICEBERG\","
          "\"state\":{},\"records\":0,\"columns\":[],\"partition_keys\":[]}}",
          out.empty() ? "" : ",", Str(ident.ns), Str(ident.name),
          Str(std::string("unreadable: ") + e.what()));
    }
  }
  return out;
}

std::optional<std::string> IcebergTableJson(const std::filesystem::path& catalog_db,
                                            const std::string& database, const std::string& name) {
  query::IcebergTables tables(catalog_db);
  std::optional<iceberg::TableIdent> ident = tables.Find(database, name);
  if (!ident) return std::nullopt;
  return "{\"table\":" + TableJson(tables.Load(*ident), true) +
         ",\"partition_count\":0,\"partitions\":[],\"versions\":[]}";
}

}  // namespace ticklake::console
