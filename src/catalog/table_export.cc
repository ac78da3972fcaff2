#include "catalog/table_export.h"

#include <fmt/format.h>

#include "common/duckdb.h"
#include "common/json_writer.h"

namespace ticklake::catalog {

std::string AthenaIdentifier(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

namespace {

std::string ColumnNames(const TableInfo& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + t.columns[i].name;
  return out;
}

// SerDe settings that go into SERDEPROPERTIES / SerdeInfo.Parameters.
std::vector<std::pair<std::string, std::string>> SerdeParameters(const TableInfo& t) {
  std::vector<std::pair<std::string, std::string>> out;
  if (t.classification == "json") {
    out.emplace_back("paths", ColumnNames(t));
  } else if (t.classification == "csv") {
    auto it = t.serde_parameters.find("field.delim");
    out.emplace_back("field.delim", it == t.serde_parameters.end() ? "," : it->second);
  } else {
    out.emplace_back("serialization.format", "1");
  }
  return out;
}

}  // namespace

std::string TableLocation(const TableInfo& table, const std::string& location_prefix) {
  std::string base = location_prefix.empty() ? table.lake_uri : location_prefix;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + table.location;
}

std::vector<std::pair<std::string, std::string>> GlueParameters(const TableInfo& t) {
  std::vector<std::pair<std::string, std::string>> out = {
      {"classification", t.classification},
      {"compressionType", t.compression},
      {"recordCount", std::to_string(t.record_count)},
      {"sizeKey", std::to_string(t.size_bytes)},
      {"averageRecordSize", std::to_string(t.AverageRecordSize())},
      {"objectCount", std::to_string(t.file_count)},
      {"typeOfData", "file"},
      {"UPDATED_BY_CRAWLER", "ticklake"},
  };
  if (auto it = t.serde_parameters.find("skip.header.line.count"); it != t.serde_parameters.end()) {
    out.emplace_back("skip.header.line.count", it->second);
  }
  if (t.classification == "csv") {
    out.emplace_back("delimiter", t.serde_parameters.count("field.delim")
                                      ? t.serde_parameters.at("field.delim")
                                      : ",");
  }
  return out;
}

std::string AthenaDdl(const TableInfo& t, const std::vector<PartitionInfo>& partitions,
                      const std::string& location_prefix) {
  std::string qualified = AthenaIdentifier(t.database) + "." + AthenaIdentifier(t.name);
  std::string out = "CREATE EXTERNAL TABLE " + qualified + " (\n";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    out += fmt::format("  {} {}{}\n", AthenaIdentifier(t.columns[i].name), t.columns[i].type,
                       i + 1 < t.columns.size() ? "," : "");
  }
  out += ")\n";
  if (!t.partition_keys.empty()) {
    out += "PARTITIONED BY (\n";
    for (size_t i = 0; i < t.partition_keys.size(); ++i) {
      out += fmt::format("  {} {}{}\n", AthenaIdentifier(t.partition_keys[i].name),
                         t.partition_keys[i].type, i + 1 < t.partition_keys.size() ? "," : "");
    }
    out += ")\n";
  }
  out += "ROW FORMAT SERDE " + duck::QuoteLiteral(t.serde) + "\n";
  auto serde_params = SerdeParameters(t);
  if (!serde_params.empty()) {
    out += "WITH SERDEPROPERTIES (\n";
    for (size_t i = 0; i < serde_params.size(); ++i) {
      out += fmt::format("  {}={}{}\n", duck::QuoteLiteral(serde_params[i].first),
                         duck::QuoteLiteral(serde_params[i].second),
                         i + 1 < serde_params.size() ? "," : "");
    }
    out += ")\n";
  }
  out += "STORED AS INPUTFORMAT " + duck::QuoteLiteral(t.input_format) + "\n";
  out += "  OUTPUTFORMAT " + duck::QuoteLiteral(t.output_format) + "\n";
  out += "LOCATION " + duck::QuoteLiteral(TableLocation(t, location_prefix)) + "\n";
  out += "TBLPROPERTIES (\n";
  auto params = GlueParameters(t);
  for (size_t i = 0; i < params.size(); ++i) {
    out += fmt::format("  {}={}{}\n", duck::QuoteLiteral(params[i].first),
                       duck::QuoteLiteral(params[i].second), i + 1 < params.size() ? "," : "");
  }
  out += ");\n";
  for (const auto& p : partitions) {
    std::string spec;
    for (size_t i = 0; i < t.partition_keys.size() && i < p.values.size(); ++i) {
      if (i) spec += ", ";
      spec += AthenaIdentifier(t.partition_keys[i].name) + "=" +
              (p.values[i] ? duck::QuoteLiteral(*p.values[i]) : "'__HIVE_DEFAULT_PARTITION__'");
    }
    std::string base = location_prefix.empty() ? t.lake_uri : location_prefix;
    while (!base.empty() && base.back() == '/') base.pop_back();
    out += fmt::format("ALTER TABLE {} ADD IF NOT EXISTS PARTITION ({}) LOCATION {};\n", qualified,
                       spec, duck::QuoteLiteral(base + "/" + p.location));
  }
  return out;
}

std::string GlueTableInput(const TableInfo& t, const std::string& location_prefix) {
  auto str = [](const std::string& s) {
    std::string out;
    AppendJsonString(out, s);
    return out;
  };
  auto columns = [&](const std::vector<Column>& cols, const std::string& indent) {
    std::string out = "[";
    for (size_t i = 0; i < cols.size(); ++i) {
      out += fmt::format("{}\n{}  {{\"Name\": {}, \"Type\": {}}}", i ? "," : "", indent,
                         str(cols[i].name), str(cols[i].type));
    }
    return out + (cols.empty() ? "]" : "\n" + indent + "]");
  };
  auto object = [&](const std::vector<std::pair<std::string, std::string>>& kv,
                    const std::string& indent) {
    std::string out = "{";
    for (size_t i = 0; i < kv.size(); ++i) {
      out +=
          fmt::format("{}\n{}  {}: {}", i ? "," : "", indent, str(kv[i].first), str(kv[i].second));
    }
    return out + (kv.empty() ? "}" : "\n" + indent + "}");
  };
  std::string out = "{\n";
  out += "  \"Name\": " + str(t.name) + ",\n";
  out += "  \"TableType\": \"EXTERNAL_TABLE\",\n";
  out += "  \"StorageDescriptor\": {\n";
  out += "    \"Columns\": " + columns(t.columns, "    ") + ",\n";
  out += "    \"Location\": " + str(TableLocation(t, location_prefix)) + ",\n";
  out += "    \"InputFormat\": " + str(t.input_format) + ",\n";
  out += "    \"OutputFormat\": " + str(t.output_format) + ",\n";
  out += std::string("    \"Compressed\": ") + (t.compression == "none" ? "false" : "true") + ",\n";
  out += "    \"NumberOfBuckets\": -1,\n";
  out += "    \"SerdeInfo\": {\n";
  out += "      \"SerializationLibrary\": " + str(t.serde) + ",\n";
  out += "      \"Parameters\": " + object(SerdeParameters(t), "      ") + "\n";
  out += "    },\n";
  out += "    \"Parameters\": " + object(GlueParameters(t), "    ") + ",\n";
  out += "    \"StoredAsSubDirectories\": false\n";
  out += "  },\n";
  out += "  \"PartitionKeys\": " + columns(t.partition_keys, "  ") + ",\n";
  out += "  \"Parameters\": " + object(GlueParameters(t), "  ") + "\n";
  out += "}\n";
  return out;
}

}  // namespace ticklake::catalog
