#include "iceberg/manifest.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.h"
#include "common/json_writer.h"
#include "iceberg/avro_file.h"
#include "iceberg/table_metadata.h"

namespace ticklake::iceberg {
namespace {

// Avro names allow [A-Za-z_][A-Za-z0-9_]*; other characters become _xHH, as Java's
// AvroSchemaUtil.makeCompatibleName does. Readers match partition fields by field id.
std::string AvroName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (ok) {
      out += static_cast<char>(c);
    } else if (i == 0 && c >= '0' && c <= '9') {
      out += '_';
      out += static_cast<char>(c);
    } else {
      out += fmt::format("_x{:02X}", c);
    }
  }
  return out.empty() ? "_" : out;
}

std::string MapType(const char* record, int key_id, int value_id, const char* value_type) {
  return fmt::format(
      R"(["null", {{"type": "array", "logicalType": "map", "items": {{"type": "record", "name": "{}", "fields": [{{"name": "key", "type": "int", "field-id": {}}}, {{"name": "value", "type": "{}", "field-id": {}}}]}}}}])",
      record, key_id, value_type, value_id);
}

std::string ManifestEntrySchema(const Schema& schema, const PartitionSpec& spec) {
  std::string partition_fields;
  for (const auto& f : spec.fields) {
    const NestedField* source = schema.FindById(f.source_id);
    if (!source) Fail("iceberg: partition field '{}' has no source column {}", f.name, f.source_id);
    if (!partition_fields.empty()) partition_fields += ", ";
    partition_fields += fmt::format(
        R"({{"name": "{}", "type": ["null", {}], "default": null, "field-id": {}}})",
        AvroName(f.name), AvroType(TransformResultType(f.transform, source->type)), f.field_id);
  }
  return fmt::format(
      R"({{"type": "record", "name": "manifest_entry", "fields": [)"
      R"({{"name": "status", "type": "int", "field-id": 0}}, )"
      R"({{"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1}}, )"
      R"({{"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3}}, )"
      R"({{"name": "file_sequence_number", "type": ["null", "long"], "default": null, "field-id": 4}}, )"
      R"({{"name": "data_file", "field-id": 2, "type": {{"type": "record", "name": "r2", "fields": [)"
      R"({{"name": "content", "type": "int", "field-id": 134}}, )"
      R"({{"name": "file_path", "type": "string", "field-id": 100}}, )"
      R"({{"name": "file_format", "type": "string", "field-id": 101}}, )"
      R"({{"name": "partition", "field-id": 102, "type": {{"type": "record", "name": "r102", "fields": [{}]}}}}, )"
      R"({{"name": "record_count", "type": "long", "field-id": 103}}, )"
      R"({{"name": "file_size_in_bytes", "type": "long", "field-id": 104}}, )"
      R"({{"name": "column_sizes", "type": {}, "default": null, "field-id": 108}}, )"
      R"({{"name": "value_counts", "type": {}, "default": null, "field-id": 109}}, )"
      R"({{"name": "null_value_counts", "type": {}, "default": null, "field-id": 110}}, )"
      R"({{"name": "nan_value_counts", "type": {}, "default": null, "field-id": 137}}, )"
      R"({{"name": "lower_bounds", "type": {}, "default": null, "field-id": 125}}, )"
      R"({{"name": "upper_bounds", "type": {}, "default": null, "field-id": 128}}, )"
      R"({{"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 131}}, )"
      R"({{"name": "split_offsets", "type": ["null", {{"type": "array", "items": "long", "element-id": 133}}], "default": null, "field-id": 132}}, )"
      R"({{"name": "equality_ids", "type": ["null", {{"type": "array", "items": "int", "element-id": 136}}], "default": null, "field-id": 135}}, )"
      R"({{"name": "sort_order_id", "type": ["null", "int"], "default": null, "field-id": 140}})"
      R"(]}}}}]}})",
      partition_fields, MapType("k117_v118", 117, 118, "long"),
      MapType("k119_v120", 119, 120, "long"), MapType("k121_v122", 121, 122, "long"),
      MapType("k138_v139", 138, 139, "long"), MapType("k126_v127", 126, 127, "bytes"),
      MapType("k129_v130", 129, 130, "bytes"));
}

constexpr const char* kManifestListSchema =
    R"({"type": "record", "name": "manifest_file", "fields": [)"
    R"({"name": "manifest_path", "type": "string", "field-id": 500}, )"
    R"({"name": "manifest_length", "type": "long", "field-id": 501}, )"
    R"({"name": "partition_spec_id", "type": "int", "field-id": 502}, )"
    R"({"name": "content", "type": "int", "field-id": 517}, )"
    R"({"name": "sequence_number", "type": "long", "field-id": 515}, )"
    R"({"name": "min_sequence_number", "type": "long", "field-id": 516}, )"
    R"({"name": "added_snapshot_id", "type": "long", "field-id": 503}, )"
    R"({"name": "added_files_count", "type": "int", "field-id": 504}, )"
    R"({"name": "existing_files_count", "type": "int", "field-id": 505}, )"
    R"({"name": "deleted_files_count", "type": "int", "field-id": 506}, )"
    R"({"name": "added_rows_count", "type": "long", "field-id": 512}, )"
    R"({"name": "existing_rows_count", "type": "long", "field-id": 513}, )"
    R"({"name": "deleted_rows_count", "type": "long", "field-id": 514}, )"
    R"({"name": "partitions", "type": ["null", {"type": "array", "element-id": 508, "items": )"
    R"({"type": "record", "name": "r508", "fields": [)"
    R"({"name": "contains_null", "type": "boolean", "field-id": 509}, )"
    R"({"name": "contains_nan", "type": ["null", "boolean"], "default": null, "field-id": 518}, )"
    R"({"name": "lower_bound", "type": ["null", "bytes"], "default": null, "field-id": 510}, )"
    R"({"name": "upper_bound", "type": ["null", "bytes"], "default": null, "field-id": 511}]}}], )"
    R"("default": null, "field-id": 507}, )"
    R"({"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 519}]})";

template <typename V>
void SetMap(avro_value_t& record, const char* name, const std::map<int32_t, V>& map) {
  if (map.empty()) {
    avro::SetNull(record, name);
    return;
  }
  avro_value_t array = avro::SetBranch(record, name);
  for (const auto& [key, value] : map) {
    avro_value_t item;
    avro_value_append(&array, &item, nullptr);
    avro::SetInt(item, "key", key);
    avro_value_t v = avro::Field(item, "value", "writer");
    if constexpr (std::is_same_v<V, std::string>) {
      avro_value_set_bytes(&v, const_cast<char*>(value.data()), value.size());
    } else {
      avro_value_set_long(&v, value);
    }
  }
}

template <typename V>
std::map<int32_t, V> GetMap(const avro_value_t& record, const char* name,
                            const std::string& where) {
  std::map<int32_t, V> out;
  auto array = avro::Optional(record, name, where);
  if (!array) return out;
  size_t count = 0;
  avro_value_get_size(&*array, &count);
  for (size_t i = 0; i < count; ++i) {
    avro_value_t item;
    avro_value_get_by_index(&*array, i, &item, nullptr);
    int32_t key = avro::Int(avro::Field(item, "key", where), where);
    if constexpr (std::is_same_v<V, std::string>) {
      out[key] = avro::Bytes(avro::Field(item, "value", where), where);
    } else {
      out[key] = avro::Long(avro::Field(item, "value", where), where);
    }
  }
  return out;
}

void SetLiteral(avro_value_t& value, const Literal& literal) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>)
          avro_value_set_boolean(&value, v);
        else if constexpr (std::is_same_v<T, int32_t>)
          avro_value_set_int(&value, v);
        else if constexpr (std::is_same_v<T, int64_t>)
          avro_value_set_long(&value, v);
        else if constexpr (std::is_same_v<T, float>)
          avro_value_set_float(&value, v);
        else if constexpr (std::is_same_v<T, double>)
          avro_value_set_double(&value, v);
        else if constexpr (std::is_same_v<T, std::string>) {
          if (avro_value_get_type(&value) == AVRO_BYTES)
            avro_value_set_bytes(&value, const_cast<char*>(v.data()), v.size());
          else
            avro_value_set_string_len(&value, v.c_str(), v.size() + 1);
        }
      },
      literal);
}

Literal GetLiteral(avro_value_t value, const std::string& where) {
  switch (avro_value_get_type(&value)) {
    case AVRO_NULL:
      return std::monostate{};
    case AVRO_BOOLEAN:
      return avro::Bool(value, where);
    case AVRO_INT32:
      return avro::Int(value, where);
    case AVRO_INT64:
      return avro::Long(value, where);
    case AVRO_FLOAT: {
      float f = 0;
      avro_value_get_float(&value, &f);
      return f;
    }
    case AVRO_DOUBLE: {
      double d = 0;
      avro_value_get_double(&value, &d);
      return d;
    }
    case AVRO_STRING:
    case AVRO_BYTES:
    case AVRO_FIXED:
      return avro::Bytes(value, where);
    default:
      Fail("iceberg manifest {}: unsupported partition value type", where);
  }
}

void SetOptionalLong(avro_value_t& record, const char* name, std::optional<int64_t> value) {
  if (!value) return avro::SetNull(record, name);
  avro_value_t v = avro::SetBranch(record, name);
  avro_value_set_long(&v, *value);
}

}  // namespace

std::string AvroType(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return R"("boolean")";
    case TypeId::kInt:
      return R"("int")";
    case TypeId::kLong:
      return R"("long")";
    case TypeId::kFloat:
      return R"("float")";
    case TypeId::kDouble:
      return R"("double")";
    case TypeId::kDate:
      return R"({"type": "int", "logicalType": "date"})";
    case TypeId::kTimestamp:
      return R"({"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": false})";
    case TypeId::kTimestampTz:
      return R"({"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": true})";
    case TypeId::kString:
      return R"("string")";
    case TypeId::kBinary:
      return R"("bytes")";
  }
  return R"("string")";
}

std::string WriteManifest(const std::vector<ManifestEntry>& entries, const Schema& schema,
                          const PartitionSpec& spec, const std::string& where) {
  AvroWriter writer(ManifestEntrySchema(schema, spec),
                    {{"schema", SerializeSchema(schema)},
                     {"partition-spec", SerializePartitionFields(spec)},
                     {"partition-spec-id", std::to_string(spec.spec_id)},
                     {"format-version", "2"},
                     {"content", "data"}},
                    where);
  for (const auto& entry : entries) {
    const DataFile& file = entry.file;
    if (file.partition.size() != spec.fields.size()) {
      Fail("iceberg manifest {}: {} has {} partition values for a spec of {} fields", where,
           file.location, file.partition.size(), spec.fields.size());
    }
    avro_value_t& record = writer.NewRecord();
    avro::SetInt(record, "status", static_cast<int32_t>(entry.status));
    SetOptionalLong(record, "snapshot_id", entry.snapshot_id);
    SetOptionalLong(record, "sequence_number", entry.sequence_number);
    SetOptionalLong(record, "file_sequence_number", entry.file_sequence_number);
    avro_value_t data = avro::Field(record, "data_file", where);
    avro::SetInt(data, "content", 0);
    avro::SetString(data, "file_path", file.location);
    avro::SetString(data, "file_format", file.format);
    avro_value_t partition = avro::Field(data, "partition", where);
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      avro_value_t field, branch;
      avro_value_get_by_index(&partition, i, &field, nullptr);
      bool null = std::holds_alternative<std::monostate>(file.partition[i]);
      avro_value_set_branch(&field, null ? 0 : 1, &branch);
      if (null)
        avro_value_set_null(&branch);
      else
        SetLiteral(branch, file.partition[i]);
    }
    avro::SetLong(data, "record_count", file.record_count);
    avro::SetLong(data, "file_size_in_bytes", file.file_size_in_bytes);
    SetMap(data, "column_sizes", file.column_sizes);
    SetMap(data, "value_counts", file.value_counts);
    SetMap(data, "null_value_counts", file.null_value_counts);
    SetMap(data, "nan_value_counts", std::map<int32_t, int64_t>{});
    SetMap(data, "lower_bounds", file.lower_bounds);
    SetMap(data, "upper_bounds", file.upper_bounds);
    avro::SetNull(data, "key_metadata");
    if (file.split_offsets.empty()) {
      avro::SetNull(data, "split_offsets");
    } else {
      avro_value_t array = avro::SetBranch(data, "split_offsets");
      for (int64_t offset : file.split_offsets) {
        avro_value_t item;
        avro_value_append(&array, &item, nullptr);
        avro_value_set_long(&item, offset);
      }
    }
    avro::SetNull(data, "equality_ids");
    if (file.sort_order_id) {
      avro_value_t v = avro::SetBranch(data, "sort_order_id");
      avro_value_set_int(&v, *file.sort_order_id);
    } else {
      avro::SetNull(data, "sort_order_id");
    }
    writer.Append();
  }
  return writer.Finish();
}

std::vector<ManifestEntry> ReadManifest(std::string bytes, const ManifestFile& file,
                                        const std::string& where) {
  AvroReader reader(std::move(bytes), where);
  const std::string context = "manifest " + where;
  std::vector<ManifestEntry> entries;
  while (avro_value_t* record = reader.Next()) {
    ManifestEntry entry;
    int32_t status = avro::Int(avro::Field(*record, "status", context), context);
    if (status < 0 || status > 2) Fail("iceberg {}: bad entry status {}", context, status);
    entry.status = static_cast<ManifestEntryStatus>(status);
    auto snapshot_id = avro::Optional(*record, "snapshot_id", context);
    entry.snapshot_id = snapshot_id ? avro::Long(*snapshot_id, context) : file.added_snapshot_id;
    // Spec: a null sequence number is inherited from the manifest (only for added entries).
    auto seq = avro::Optional(*record, "sequence_number", context);
    entry.sequence_number = seq ? avro::Long(*seq, context) : file.sequence_number;
    auto file_seq = avro::Optional(*record, "file_sequence_number", context);
    entry.file_sequence_number = file_seq ? avro::Long(*file_seq, context) : file.sequence_number;
    avro_value_t data = avro::Field(*record, "data_file", context);
    if (auto content = avro::Optional(data, "content", context);
        content && avro::Int(*content, context) != 0) {
      Fail("iceberg {}: delete files are not supported", context);
    }
    DataFile& f = entry.file;
    f.location = avro::Bytes(avro::Field(data, "file_path", context), context);
    f.format = avro::Bytes(avro::Field(data, "file_format", context), context);
    f.spec_id = file.spec_id;
    avro_value_t partition = avro::Field(data, "partition", context);
    size_t count = 0;
    avro_value_get_size(&partition, &count);
    for (size_t i = 0; i < count; ++i) {
      avro_value_t field;
      avro_value_get_by_index(&partition, i, &field, nullptr);
      if (avro_value_get_type(&field) == AVRO_UNION) {
        avro_value_t branch;
        avro_value_get_current_branch(&field, &branch);
        field = branch;
      }
      f.partition.push_back(GetLiteral(field, context));
    }
    f.record_count = avro::Long(avro::Field(data, "record_count", context), context);
    f.file_size_in_bytes = avro::Long(avro::Field(data, "file_size_in_bytes", context), context);
    f.column_sizes = GetMap<int64_t>(data, "column_sizes", context);
    f.value_counts = GetMap<int64_t>(data, "value_counts", context);
    f.null_value_counts = GetMap<int64_t>(data, "null_value_counts", context);
    f.lower_bounds = GetMap<std::string>(data, "lower_bounds", context);
    f.upper_bounds = GetMap<std::string>(data, "upper_bounds", context);
    if (auto offsets = avro::Optional(data, "split_offsets", context)) {
      size_t n = 0;
      avro_value_get_size(&*offsets, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&*offsets, i, &item, nullptr);
        f.split_offsets.push_back(avro::Long(item, context));
      }
    }
    if (auto order = avro::Optional(data, "sort_order_id", context)) {
      f.sort_order_id = avro::Int(*order, context);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

ManifestFile SummarizeManifest(const std::vector<ManifestEntry>& entries, const Schema& schema,
                               const PartitionSpec& spec) {
  ManifestFile m;
  m.spec_id = spec.spec_id;
  m.partitions.resize(spec.fields.size());
  std::vector<std::optional<Literal>> lower(spec.fields.size()), upper(spec.fields.size());
  for (const auto& e : entries) {
    switch (e.status) {
      case ManifestEntryStatus::kAdded:
        ++m.added_files_count;
        m.added_rows_count += e.file.record_count;
        break;
      case ManifestEntryStatus::kExisting:
        ++m.existing_files_count;
        m.existing_rows_count += e.file.record_count;
        break;
      case ManifestEntryStatus::kDeleted:
        ++m.deleted_files_count;
        m.deleted_rows_count += e.file.record_count;
        break;
    }
    for (size_t i = 0; i < spec.fields.size() && i < e.file.partition.size(); ++i) {
      const Literal& v = e.file.partition[i];
      if (std::holds_alternative<std::monostate>(v)) {
        m.partitions[i].contains_null = true;
        continue;
      }
      if (!lower[i] || v < *lower[i]) lower[i] = v;
      if (!upper[i] || *upper[i] < v) upper[i] = v;
    }
  }
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const NestedField* source = schema.FindById(spec.fields[i].source_id);
    TypeId type =
        TransformResultType(spec.fields[i].transform, source ? source->type : TypeId::kString);
    m.partitions[i].contains_nan = false;
    if (lower[i]) m.partitions[i].lower_bound = SerializeBound(type, *lower[i]);
    if (upper[i]) m.partitions[i].upper_bound = SerializeBound(type, *upper[i]);
  }
  return m;
}

std::string WriteManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                              std::optional<int64_t> parent_snapshot_id, int64_t sequence_number,
                              const std::string& where) {
  AvroWriter writer(
      kManifestListSchema,
      {{"snapshot-id", std::to_string(snapshot_id)},
       {"parent-snapshot-id", parent_snapshot_id ? std::to_string(*parent_snapshot_id) : "null"},
       {"sequence-number", std::to_string(sequence_number)},
       {"format-version", "2"}},
      where);
  for (const auto& m : manifests) {
    avro_value_t& record = writer.NewRecord();
    avro::SetString(record, "manifest_path", m.path);
    avro::SetLong(record, "manifest_length", m.length);
    avro::SetInt(record, "partition_spec_id", m.spec_id);
    avro::SetInt(record, "content", m.content);
    avro::SetLong(record, "sequence_number", m.sequence_number);
    avro::SetLong(record, "min_sequence_number", m.min_sequence_number);
    avro::SetLong(record, "added_snapshot_id", m.added_snapshot_id);
    avro::SetInt(record, "added_files_count", m.added_files_count);
    avro::SetInt(record, "existing_files_count", m.existing_files_count);
    avro::SetInt(record, "deleted_files_count", m.deleted_files_count);
    avro::SetLong(record, "added_rows_count", m.added_rows_count);
    avro::SetLong(record, "existing_rows_count", m.existing_rows_count);
    avro::SetLong(record, "deleted_rows_count", m.deleted_rows_count);
    avro_value_t partitions = avro::SetBranch(record, "partitions");
    for (const auto& p : m.partitions) {
      avro_value_t item;
      avro_value_append(&partitions, &item, nullptr);
      avro_value_t contains_null = avro::Field(item, "contains_null", where);
      avro_value_set_boolean(&contains_null, p.contains_null);
      if (p.contains_nan) {
        avro_value_t v = avro::SetBranch(item, "contains_nan");
        avro_value_set_boolean(&v, *p.contains_nan);
      } else {
        avro::SetNull(item, "contains_nan");
      }
      for (auto [name, bound] :
           {std::pair{"lower_bound", &p.lower_bound}, std::pair{"upper_bound", &p.upper_bound}}) {
        if (*bound) {
          avro_value_t v = avro::SetBranch(item, name);
          avro_value_set_bytes(&v, const_cast<char*>((*bound)->data()), (*bound)->size());
        } else {
          avro::SetNull(item, name);
        }
      }
    }
    avro::SetNull(record, "key_metadata");
    writer.Append();
  }
  return writer.Finish();
}

std::vector<ManifestFile> ReadManifestList(std::string bytes, const std::string& where) {
  AvroReader reader(std::move(bytes), where);
  const std::string context = "manifest list " + where;
  std::vector<ManifestFile> out;
  auto get_long = [&](const avro_value_t& r, const char* name, int64_t fallback) {
    auto v = avro::Optional(r, name, context);
    return v ? avro::Long(*v, context) : fallback;
  };
  while (avro_value_t* r = reader.Next()) {
    ManifestFile m;
    m.path = avro::Bytes(avro::Field(*r, "manifest_path", context), context);
    m.length = avro::Long(avro::Field(*r, "manifest_length", context), context);
    m.spec_id = avro::Int(avro::Field(*r, "partition_spec_id", context), context);
    m.content = static_cast<int32_t>(get_long(*r, "content", 0));
    m.sequence_number = get_long(*r, "sequence_number", 0);
    m.min_sequence_number = get_long(*r, "min_sequence_number", 0);
    m.added_snapshot_id = avro::Long(avro::Field(*r, "added_snapshot_id", context), context);
    // Older writers name the counts added_data_files_count etc.
    m.added_files_count = static_cast<int32_t>(
        get_long(*r, "added_files_count", get_long(*r, "added_data_files_count", 0)));
    m.existing_files_count = static_cast<int32_t>(
        get_long(*r, "existing_files_count", get_long(*r, "existing_data_files_count", 0)));
    m.deleted_files_count = static_cast<int32_t>(
        get_long(*r, "deleted_files_count", get_long(*r, "deleted_data_files_count", 0)));
    m.added_rows_count = get_long(*r, "added_rows_count", 0);
    m.existing_rows_count = get_long(*r, "existing_rows_count", 0);
    m.deleted_rows_count = get_long(*r, "deleted_rows_count", 0);
    if (auto partitions = avro::Optional(*r, "partitions", context)) {
      size_t n = 0;
      avro_value_get_size(&*partitions, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        avro_value_get_by_index(&*partitions, i, &item, nullptr);
        PartitionFieldSummary p;
        p.contains_null = avro::Bool(avro::Field(item, "contains_null", context), context);
        if (auto v = avro::Optional(item, "contains_nan", context)) {
          p.contains_nan = avro::Bool(*v, context);
        }
        if (auto v = avro::Optional(item, "lower_bound", context)) {
          p.lower_bound = avro::Bytes(*v, context);
        }
        if (auto v = avro::Optional(item, "upper_bound", context)) {
          p.upper_bound = avro::Bytes(*v, context);
        }
        m.partitions.push_back(std::move(p));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ticklake::iceberg
