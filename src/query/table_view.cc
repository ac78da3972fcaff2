#include "query/table_view.h"

#include <fmt/format.h>

#include "catalog/hive_type.h"
#include "catalog/partition_path.h"
#include "common/duckdb.h"
#include "common/error.h"

namespace ticklake::query {
namespace {

using duck::QuoteIdentifier;
using duck::QuoteLiteral;

constexpr const char* kFileColumn = "__ticklake_file";

std::string DuckType(const std::string& hive) { return catalog::ParseHiveType(hive).ToDuckDB(); }

std::string RegexEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string FileListSql(const std::vector<catalog::FileInfo>& files,
                        const std::function<std::string(const catalog::FileInfo&)>& local_path) {
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i) list += ", ";
    list += QuoteLiteral(local_path(files[i]));
  }
  return list + "]";
}

std::string TableViewSql(const catalog::TableInfo& t, const std::vector<catalog::FileInfo>& files,
                         const std::function<std::string(const catalog::FileInfo&)>& local_path,
                         const std::string& files_expression) {
  std::vector<std::string> projection;
  if (files.empty()) {
    // No data (yet): an empty relation with the right columns.
    for (const auto& c : t.columns) {
      projection.push_back(
          fmt::format("CAST(NULL AS {}) AS {}", DuckType(c.type), QuoteIdentifier(c.name)));
    }
    for (const auto& c : t.partition_keys) {
      projection.push_back(
          fmt::format("CAST(NULL AS {}) AS {}", DuckType(c.type), QuoteIdentifier(c.name)));
    }
    return fmt::format("SELECT {} WHERE false", fmt::join(projection, ", "));
  }

  std::string list = files_expression.empty() ? FileListSql(files, local_path) : files_expression;

  // Without a __HIVE_DEFAULT_PARTITION__ folder DuckDB can type partition values itself; with
  // one, values are read as VARCHAR and cast after mapping that name to NULL (slower per row).
  bool has_default = false;
  std::string marker = "=" + std::string(kHiveDefaultPartition) + "/";
  for (const auto& f : files) has_default |= f.partition_location.find(marker) != std::string::npos;
  bool named_partitions = false, unnamed_partitions = false;
  std::string hive_types;
  for (const auto& k : t.partition_keys) {
    if (k.name.starts_with("partition_")) {
      unnamed_partitions = true;
      continue;
    }
    named_partitions = true;
    hive_types += fmt::format("{}{}: {}", hive_types.empty() ? "" : ", ", QuoteLiteral(k.name),
                              QuoteLiteral(has_default ? "VARCHAR" : DuckType(k.type)));
  }
  std::string options;
  if (named_partitions) {
    options += fmt::format(", hive_partitioning=true, hive_types={{{}}}", hive_types);
  } else {
    options += ", hive_partitioning=false";
  }
  if (unnamed_partitions) options += fmt::format(", filename={}", QuoteLiteral(kFileColumn));

  // The tutorial's layout (thousands of files of one JSON object each, scalar columns, no
  // partitions): reading each file as text and parsing it with json_transform is about twice as
  // fast as read_json, whose per-file setup dominates for tiny files. (A file may also hold a
  // one-element array.)
  bool one_object_per_file = t.classification == "json" && t.partition_keys.empty();
  for (const auto& f : files) {
    one_object_per_file &= f.record_count == 1 && !f.key.ends_with(".gz");
  }
  for (const auto& c : t.columns) {
    auto kind = catalog::ParseHiveType(c.type).kind;
    one_object_per_file &= kind != catalog::HiveType::Kind::kStruct &&
                           kind != catalog::HiveType::Kind::kArray &&
                           kind != catalog::HiveType::Kind::kMap;
  }
  if (one_object_per_file) {
    std::string structure;
    for (const auto& c : t.columns) {
      structure += fmt::format("{}\"{}\": \"{}\"", structure.empty() ? "" : ", ",
                               JsonEscape(c.source_name), DuckType(c.type));
    }
    for (const auto& c : t.columns) {
      projection.push_back(fmt::format("CAST(__r.{} AS {}) AS {}", QuoteIdentifier(c.source_name),
                                       DuckType(c.type), QuoteIdentifier(c.name)));
    }
    return fmt::format(
        "SELECT {} FROM (SELECT json_transform(CASE WHEN ltrim(content) LIKE '[%' THEN "
        "json_extract(content, '$[0]') ELSE content::JSON END, {}) AS __r FROM read_text({}))",
        fmt::join(projection, ", "), QuoteLiteral("{" + structure + "}"), list);
  }

  std::string source;
  if (t.classification == "parquet") {
    source = fmt::format("read_parquet({}, union_by_name=true{})", list, options);
  } else if (t.classification == "json" || t.classification == "csv") {
    std::string columns;
    for (const auto& c : t.columns) {
      columns += fmt::format("{}{}: {}", columns.empty() ? "" : ", ", QuoteLiteral(c.source_name),
                             QuoteLiteral(DuckType(c.type)));
    }
    if (t.classification == "json") {
      source =
          fmt::format("read_json({}, format='auto', columns={{{}}}{})", list, columns, options);
    } else {
      auto delim = t.serde_parameters.find("field.delim");
      bool header = t.serde_parameters.count("skip.header.line.count") > 0;
      source = fmt::format("read_csv({}, delim={}, header={}, columns={{{}}}{})", list,
                           QuoteLiteral(delim == t.serde_parameters.end() ? "," : delim->second),
                           header ? "true" : "false", columns, options);
    }
  } else {
    Fail("table {}.{}: cannot read classification '{}'", t.database, t.name, t.classification);
  }

  for (const auto& c : t.columns) {
    projection.push_back(fmt::format("CAST({} AS {}) AS {}", QuoteIdentifier(c.source_name),
                                     DuckType(c.type), QuoteIdentifier(c.name)));
  }
  for (size_t i = 0; i < t.partition_keys.size(); ++i) {
    const auto& k = t.partition_keys[i];
    std::string raw;
    if (k.name.starts_with("partition_")) {
      // Level i of the path below the table's location.
      raw = fmt::format("string_split(regexp_extract({}, {}, 1), '/')[{}]",
                        QuoteIdentifier(kFileColumn),
                        QuoteLiteral("/" + RegexEscape(t.location) + "(.*)/[^/]*$"), i + 1);
    } else if (!has_default) {
      projection.push_back(QuoteIdentifier(k.name));
      continue;
    } else {
      raw = QuoteIdentifier(k.name);
    }
    projection.push_back(fmt::format("TRY_CAST(NULLIF({}, {}) AS {}) AS {}", raw,
                                     QuoteLiteral(kHiveDefaultPartition), DuckType(k.type),
                                     QuoteIdentifier(k.name)));
  }
  return fmt::format("SELECT {} FROM {}", fmt::join(projection, ", "), source);
}

}  // namespace ticklake::query
