#include "iceberg/table_metadata.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::iceberg {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Typed accessors that throw Error naming the metadata file and the key.
class Reader {
 public:
  explicit Reader(const std::string& where) : where_(where) {}

  [[noreturn]] void Bad(std::string_view what) const {
    Fail("iceberg metadata {}: {}", where_, what);
  }
  element Get(const object& o, std::string_view key) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) Bad(fmt::format("missing \"{}\"", key));
    return e;
  }
  bool Has(const object& o, std::string_view key) const {
    element e;
    return o[key].get(e) == simdjson::SUCCESS && !e.is_null();
  }
  int64_t Int(const object& o, std::string_view key) const { return Int(Get(o, key), key); }
  int64_t Int(const element& e, std::string_view key) const {
    int64_t v;
    if (e.get(v) != simdjson::SUCCESS) Bad(fmt::format("\"{}\" is not an integer", key));
    return v;
  }
  std::optional<int64_t> OptInt(const object& o, std::string_view key) const {
    if (!Has(o, key)) return std::nullopt;
    return Int(o, key);
  }
  std::string Str(const object& o, std::string_view key) const { return Str(Get(o, key), key); }
  std::string Str(const element& e, std::string_view key) const {
    std::string_view v;
    if (e.get(v) != simdjson::SUCCESS) Bad(fmt::format("\"{}\" is not a string", key));
    return std::string(v);
  }
  bool Bool(const object& o, std::string_view key, bool fallback) const {
    if (!Has(o, key)) return fallback;
    bool v;
    if (Get(o, key).get(v) != simdjson::SUCCESS) Bad(fmt::format("\"{}\" is not a boolean", key));
    return v;
  }
  object Obj(const element& e, std::string_view what) const {
    object o;
    if (e.get(o) != simdjson::SUCCESS) Bad(fmt::format("{} is not an object", what));
    return o;
  }
  array Arr(const object& o, std::string_view key) const {
    array a;
    if (Get(o, key).get(a) != simdjson::SUCCESS) Bad(fmt::format("\"{}\" is not an array", key));
    return a;
  }
  std::map<std::string, std::string> StrMap(const object& o, std::string_view key) const {
    std::map<std::string, std::string> out;
    if (!Has(o, key)) return out;
    for (auto [k, v] : Obj(Get(o, key), key)) out[std::string(k)] = Str(v, k);
    return out;
  }

 private:
  const std::string& where_;
};

Schema ParseSchema(const Reader& r, const object& o) {
  Schema schema;
  schema.schema_id = static_cast<int32_t>(r.OptInt(o, "schema-id").value_or(0));
  for (element fe : r.Arr(o, "fields")) {
    object f = r.Obj(fe, "a schema field");
    NestedField field;
    field.id = static_cast<int32_t>(r.Int(f, "id"));
    field.name = r.Str(f, "name");
    field.required = r.Bool(f, "required", false);
    if (r.Has(f, "doc")) field.doc = r.Str(f, "doc");
    element type = r.Get(f, "type");
    if (!type.is_string()) {
      r.Bad(fmt::format("field '{}' has a nested type, which ticklake does not read", field.name));
    }
    std::string type_name = r.Str(type, "type");
    auto id = ParseTypeName(type_name);
    if (!id) r.Bad(fmt::format("field '{}' has unsupported type '{}'", field.name, type_name));
    field.type = *id;
    schema.fields.push_back(std::move(field));
  }
  return schema;
}

PartitionSpec ParseSpec(const Reader& r, const object& o) {
  PartitionSpec spec;
  spec.spec_id = static_cast<int32_t>(r.Int(o, "spec-id"));
  for (element fe : r.Arr(o, "fields")) {
    object f = r.Obj(fe, "a partition field");
    PartitionField field;
    field.source_id = static_cast<int32_t>(r.Int(f, "source-id"));
    field.field_id = static_cast<int32_t>(r.Int(f, "field-id"));
    field.name = r.Str(f, "name");
    try {
      field.transform = ParseTransform(r.Str(f, "transform"));
    } catch (const Error& e) {
      r.Bad(e.what());
    }
    spec.fields.push_back(std::move(field));
  }
  return spec;
}

SortOrder ParseSortOrder(const Reader& r, const object& o) {
  SortOrder order;
  order.order_id = static_cast<int32_t>(r.Int(o, "order-id"));
  for (element fe : r.Arr(o, "fields")) {
    object f = r.Obj(fe, "a sort field");
    SortField field;
    field.source_id = static_cast<int32_t>(r.Int(f, "source-id"));
    try {
      field.transform = ParseTransform(r.Str(f, "transform"));
    } catch (const Error& e) {
      r.Bad(e.what());
    }
    field.ascending = r.Str(f, "direction") != "desc";
    field.nulls_first = r.Str(f, "null-order") != "nulls-last";
    order.fields.push_back(field);
  }
  return order;
}

Snapshot ParseSnapshot(const Reader& r, const object& o) {
  Snapshot s;
  s.snapshot_id = r.Int(o, "snapshot-id");
  s.parent_snapshot_id = r.OptInt(o, "parent-snapshot-id");
  s.sequence_number = r.OptInt(o, "sequence-number").value_or(0);
  s.timestamp_ms = r.Int(o, "timestamp-ms");
  s.manifest_list = r.Str(o, "manifest-list");
  s.summary = r.StrMap(o, "summary");
  if (auto id = r.OptInt(o, "schema-id")) s.schema_id = static_cast<int32_t>(*id);
  return s;
}

// A small JSON builder for the metadata document (pretty enough to read, compact enough to parse).
class Json {
 public:
  void Key(std::string_view key) {
    Sep();
    AppendJsonString(out_, key);
    out_ += ':';
    fresh_ = true;
  }
  void Str(std::string_view v) {
    Sep();
    AppendJsonString(out_, v);
  }
  void Int(int64_t v) {
    Sep();
    out_ += std::to_string(v);
  }
  void Bool(bool v) {
    Sep();
    out_ += v ? "true" : "false";
  }
  void Open(char c) {
    Sep();
    out_ += c;
    fresh_ = true;
  }
  void Close(char c) {
    out_ += c;
    fresh_ = false;
  }
  template <typename T>
  void Field(std::string_view key, const T& value) {
    Key(key);
    if constexpr (std::is_same_v<T, bool>)
      Bool(value);
    else if constexpr (std::is_integral_v<T>)
      Int(value);
    else
      Str(value);
  }
  void StrMap(std::string_view key, const std::map<std::string, std::string>& map) {
    Key(key);
    Open('{');
    for (const auto& [k, v] : map) Field(k, v);
    Close('}');
  }
  std::string Take() { return std::move(out_); }

 private:
  void Sep() {
    if (!fresh_) out_ += ',';
    fresh_ = false;
  }
  std::string out_;
  bool fresh_ = true;
};

void WriteSchema(Json& j, const Schema& s) {
  j.Open('{');
  j.Field("type", "struct");
  j.Field("schema-id", s.schema_id);
  j.Key("fields");
  j.Open('[');
  for (const auto& f : s.fields) {
    j.Open('{');
    j.Field("id", f.id);
    j.Field("name", f.name);
    j.Field("required", f.required);
    j.Field("type", TypeName(f.type));
    if (!f.doc.empty()) j.Field("doc", f.doc);
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
}

void WriteSpecFields(Json& j, const PartitionSpec& spec) {
  j.Open('[');
  for (const auto& f : spec.fields) {
    j.Open('{');
    j.Field("source-id", f.source_id);
    j.Field("field-id", f.field_id);
    j.Field("name", f.name);
    j.Field("transform", TransformName(f.transform));
    j.Close('}');
  }
  j.Close(']');
}

}  // namespace

std::string SerializeSchema(const Schema& schema) {
  Json j;
  WriteSchema(j, schema);
  return j.Take();
}

std::string SerializePartitionFields(const PartitionSpec& spec) {
  Json j;
  WriteSpecFields(j, spec);
  return j.Take();
}

std::string Snapshot::Operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? "" : it->second;
}

const Schema& TableMetadata::CurrentSchema() const {
  const Schema* schema = SchemaById(current_schema_id);
  if (!schema) Fail("iceberg table {}: no schema {}", location, current_schema_id);
  return *schema;
}

const PartitionSpec& TableMetadata::DefaultSpec() const {
  const PartitionSpec* spec = SpecById(default_spec_id);
  if (!spec) Fail("iceberg table {}: no partition spec {}", location, default_spec_id);
  return *spec;
}

const Schema* TableMetadata::SchemaById(int32_t id) const {
  for (const auto& s : schemas)
    if (s.schema_id == id) return &s;
  return nullptr;
}

const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  for (const auto& s : partition_specs)
    if (s.spec_id == id) return &s;
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const auto& s : snapshots)
    if (s.snapshot_id == id) return &s;
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  const Snapshot* found = nullptr;
  for (const auto& entry : snapshot_log) {
    if (entry.timestamp_ms > timestamp_ms) break;
    if (const Snapshot* s = SnapshotById(entry.snapshot_id)) found = s;
  }
  return found;
}

TableMetadata ParseTableMetadata(std::string_view json, const std::string& where) {
  Reader r(where);
  simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc)) {
    r.Bad(fmt::format("not valid JSON ({})", simdjson::error_message(error)));
  }
  object o = r.Obj(doc, "the document");
  TableMetadata m;
  m.format_version = static_cast<int32_t>(r.Int(o, "format-version"));
  if (m.format_version != 1 && m.format_version != 2) {
    r.Bad(fmt::format("format-version {} is not supported (1 or 2)", m.format_version));
  }
  m.table_uuid = r.Has(o, "table-uuid") ? r.Str(o, "table-uuid") : "";
  m.location = r.Str(o, "location");
  m.last_sequence_number = r.OptInt(o, "last-sequence-number").value_or(0);
  m.last_updated_ms = r.Int(o, "last-updated-ms");
  m.last_column_id = static_cast<int32_t>(r.Int(o, "last-column-id"));
  if (r.Has(o, "schemas")) {
    for (element e : r.Arr(o, "schemas")) m.schemas.push_back(ParseSchema(r, r.Obj(e, "a schema")));
    m.current_schema_id = static_cast<int32_t>(r.Int(o, "current-schema-id"));
  } else {  // format v1 may carry only "schema"
    m.schemas.push_back(ParseSchema(r, r.Obj(r.Get(o, "schema"), "\"schema\"")));
    m.current_schema_id = m.schemas.back().schema_id;
  }
  if (!m.SchemaById(m.current_schema_id)) {
    r.Bad(fmt::format("current-schema-id {} names no schema", m.current_schema_id));
  }
  if (r.Has(o, "partition-specs")) {
    for (element e : r.Arr(o, "partition-specs")) {
      m.partition_specs.push_back(ParseSpec(r, r.Obj(e, "a partition spec")));
    }
    m.default_spec_id = static_cast<int32_t>(r.Int(o, "default-spec-id"));
  } else {
    r.Bad("missing \"partition-specs\"");
  }
  if (!m.SpecById(m.default_spec_id)) {
    r.Bad(fmt::format("default-spec-id {} names no partition spec", m.default_spec_id));
  }
  m.last_partition_id = static_cast<int32_t>(r.OptInt(o, "last-partition-id").value_or(999));
  m.properties = r.StrMap(o, "properties");
  if (auto id = r.OptInt(o, "current-snapshot-id"); id && *id != -1) m.current_snapshot_id = id;
  if (r.Has(o, "snapshots")) {
    for (element e : r.Arr(o, "snapshots")) {
      m.snapshots.push_back(ParseSnapshot(r, r.Obj(e, "a snapshot")));
    }
  }
  if (m.current_snapshot_id && !m.SnapshotById(*m.current_snapshot_id)) {
    r.Bad(fmt::format("current-snapshot-id {} names no snapshot", *m.current_snapshot_id));
  }
  if (r.Has(o, "snapshot-log")) {
    for (element e : r.Arr(o, "snapshot-log")) {
      object l = r.Obj(e, "a snapshot-log entry");
      m.snapshot_log.push_back({r.Int(l, "timestamp-ms"), r.Int(l, "snapshot-id")});
    }
  }
  if (r.Has(o, "metadata-log")) {
    for (element e : r.Arr(o, "metadata-log")) {
      object l = r.Obj(e, "a metadata-log entry");
      m.metadata_log.push_back({r.Int(l, "timestamp-ms"), r.Str(l, "metadata-file")});
    }
  }
  if (r.Has(o, "sort-orders")) {
    for (element e : r.Arr(o, "sort-orders")) {
      m.sort_orders.push_back(ParseSortOrder(r, r.Obj(e, "a sort order")));
    }
  }
  if (m.sort_orders.empty()) m.sort_orders.push_back(SortOrder{});
  m.default_sort_order_id = static_cast<int32_t>(r.OptInt(o, "default-sort-order-id").value_or(0));
  return m;
}

std::string SerializeTableMetadata(const TableMetadata& m) {
  Json j;
  j.Open('{');
  j.Field("format-version", 2);
  j.Field("table-uuid", m.table_uuid);
  j.Field("location", m.location);
  j.Field("last-sequence-number", m.last_sequence_number);
  j.Field("last-updated-ms", m.last_updated_ms);
  j.Field("last-column-id", m.last_column_id);
  j.Key("schemas");
  j.Open('[');
  for (const auto& s : m.schemas) WriteSchema(j, s);
  j.Close(']');
  j.Field("current-schema-id", m.current_schema_id);
  j.Key("partition-specs");
  j.Open('[');
  for (const auto& spec : m.partition_specs) {
    j.Open('{');
    j.Field("spec-id", spec.spec_id);
    j.Key("fields");
    WriteSpecFields(j, spec);
    j.Close('}');
  }
  j.Close(']');
  j.Field("default-spec-id", m.default_spec_id);
  j.Field("last-partition-id", m.last_partition_id);
  j.StrMap("properties", m.properties);
  if (m.current_snapshot_id) j.Field("current-snapshot-id", *m.current_snapshot_id);
  j.Key("snapshots");
  j.Open('[');
  for (const auto& s : m.snapshots) {
    j.Open('{');
    j.Field("snapshot-id", s.snapshot_id);
    if (s.parent_snapshot_id) j.Field("parent-snapshot-id", *s.parent_snapshot_id);
    j.Field("sequence-number", s.sequence_number);
    j.Field("timestamp-ms", s.timestamp_ms);
    j.Field("manifest-list", s.manifest_list);
    j.StrMap("summary", s.summary);
    if (s.schema_id) j.Field("schema-id", *s.schema_id);
    j.Close('}');
  }
  j.Close(']');
  j.Key("snapshot-log");
  j.Open('[');
  for (const auto& e : m.snapshot_log) {
    j.Open('{');
    j.Field("timestamp-ms", e.timestamp_ms);
    j.Field("snapshot-id", e.snapshot_id);
    j.Close('}');
  }
  j.Close(']');
  j.Key("metadata-log");
  j.Open('[');
  for (const auto& e : m.metadata_log) {
    j.Open('{');
    j.Field("timestamp-ms", e.timestamp_ms);
    j.Field("metadata-file", e.metadata_file);
    j.Close('}');
  }
  j.Close(']');
  j.Key("sort-orders");
  j.Open('[');
  for (const auto& order : m.sort_orders) {
    j.Open('{');
    j.Field("order-id", order.order_id);
    j.Key("fields");
    j.Open('[');
    for (const auto& f : order.fields) {
      j.Open('{');
      j.Field("transform", TransformName(f.transform));
      j.Field("source-id", f.source_id);
      j.Field("direction", f.ascending ? "asc" : "desc");
      j.Field("null-order", f.nulls_first ? "nulls-first" : "nulls-last");
      j.Close('}');
    }
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');
  j.Field("default-sort-order-id", m.default_sort_order_id);
  // The "main" branch names the current snapshot (v2 readers take it from refs).
  j.Key("refs");
  j.Open('{');
  if (m.current_snapshot_id) {
    j.Key("main");
    j.Open('{');
    j.Field("snapshot-id", *m.current_snapshot_id);
    j.Field("type", "branch");
    j.Close('}');
  }
  j.Close('}');
  j.Close('}');
  return j.Take();
}

}  // namespace ticklake::iceberg
