#include "catalog/iceberg_export.h"

#include <fmt/format.h>

#include "catalog/table_export.h"
#include "common/duckdb.h"
#include "common/json_writer.h"

namespace ticklake::catalog {
namespace {

std::string Str(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

}  // namespace

std::string GlueIcebergType(iceberg::TypeId type) {
  switch (type) {
    case iceberg::TypeId::kBoolean:
      return "boolean";
    case iceberg::TypeId::kInt:
      return "int";
    case iceberg::TypeId::kLong:
      return "bigint";
    case iceberg::TypeId::kFloat:
      return "float";
    case iceberg::TypeId::kDouble:
      return "double";
    case iceberg::TypeId::kDate:
      return "date";
    case iceberg::TypeId::kTimestamp:
    case iceberg::TypeId::kTimestampTz:
      return "timestamp";
    case iceberg::TypeId::kString:
      return "string";
    case iceberg::TypeId::kBinary:
      return "binary";
  }
  return "string";
}

std::string GlueIcebergTableInput(const std::string& name, const iceberg::TableMetadata& metadata,
                                  const std::string& metadata_location) {
  const iceberg::Schema& schema = metadata.CurrentSchema();
  std::string columns = "[";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const auto& f = schema.fields[i];
    columns += fmt::format(
        "{}\n      {{\"Name\": {}, \"Type\": {}, \"Parameters\": {{\"iceberg.field.id\": \"{}\", "
        "\"iceberg.field.optional\": \"{}\", \"iceberg.field.current\": \"true\"}}}}",
        i ? "," : "", Str(f.name), Str(GlueIcebergType(f.type)), f.id,
        f.required ? "false" : "true");
  }
  columns += schema.fields.empty() ? "]" : "\n    ]";
  std::string out = "{\n";
  out += "  \"Name\": " + Str(name) + ",\n";
  out += "  \"TableType\": \"EXTERNAL_TABLE\",\n";
  out += "  \"Parameters\": {\n";
  out += "    \"table_type\": \"ICEBERG\",\n";
  out += "    \"metadata_location\": " + Str(metadata_location) + "\n";
  out += "  },\n";
  out += "  \"StorageDescriptor\": {\n";
  out += "    \"Location\": " + Str(metadata.location) + ",\n";
  out += "    \"Columns\": " + columns + "\n";
  out += "  }\n";
  out += "}\n";
  return out;
}

std::string AthenaIcebergDdl(const std::string& database, const std::string& name,
                             const iceberg::TableMetadata& metadata) {
  const iceberg::Schema& schema = metadata.CurrentSchema();
  std::string out = fmt::format(
      "-- Athena's CREATE TABLE makes a NEW, empty Iceberg table at this location. To register\n"
      "-- the existing table {}.{} with its snapshots, create it in Glue instead:\n"
      "--   ticklake catalog glue {}.{} > t.json\n"
      "--   aws glue create-table --database-name {} --table-input file://t.json\n",
      database, name, database, name, database);
  out += fmt::format("CREATE TABLE {}.{} (\n", AthenaIdentifier(database), AthenaIdentifier(name));
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    out += fmt::format("  {} {}{}\n", AthenaIdentifier(schema.fields[i].name),
                       GlueIcebergType(schema.fields[i].type),
                       i + 1 < schema.fields.size() ? "," : "");
  }
  out += ")\n";
  const iceberg::PartitionSpec& spec = metadata.DefaultSpec();
  if (!spec.Unpartitioned()) {
    std::vector<std::string> parts;
    for (const auto& p : spec.fields) {
      const iceberg::NestedField* source = schema.FindById(p.source_id);
      std::string column = AthenaIdentifier(source ? source->name : p.name);
      parts.push_back(p.transform == iceberg::Transform::kIdentity
                          ? column
                          : fmt::format("{}({})", iceberg::TransformName(p.transform), column));
    }
    out += fmt::format("PARTITIONED BY ({})\n", fmt::join(parts, ", "));
  }
  out += "LOCATION " + duck::QuoteLiteral(metadata.location) + "\n";
  out += "TBLPROPERTIES ('table_type'='ICEBERG', 'format'='parquet');\n";
  return out;
}

}  // namespace ticklake::catalog
