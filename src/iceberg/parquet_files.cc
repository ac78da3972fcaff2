#include "iceberg/parquet_files.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

struct ColumnStats {
  int64_t values = 0;
  int64_t nulls = 0;
  bool nulls_known = true;
  int64_t size = 0;
  std::optional<Literal> lower, upper;
  bool bounds_known = true;
};

bool IsTemporal(TypeId type) {
  return type == TypeId::kDate || type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
}

// A footer statistic rendered as text by parquet_metadata, as a Literal of the column's type.
// Temporal values are converted by DuckDB itself (see TemporalLiterals). nullopt: no usable
// bound (NaN, which Iceberg keeps out of bounds).
std::optional<Literal> ParseStat(TypeId type, const std::string& text) {
  switch (type) {
    case TypeId::kBoolean:
      return Literal(text == "true");
    case TypeId::kInt:
      return Literal(static_cast<int32_t>(std::stol(text)));
    case TypeId::kLong:
      return Literal(static_cast<int64_t>(std::stoll(text)));
    case TypeId::kFloat: {
      float f = std::stof(text);
      return std::isnan(f) ? std::nullopt : std::optional<Literal>(f);
    }
    case TypeId::kDouble: {
      double d = std::stod(text);
      return std::isnan(d) ? std::nullopt : std::optional<Literal>(d);
    }
    case TypeId::kString:
    case TypeId::kBinary:
      return Literal(text);
    default:
      return std::nullopt;
  }
}

std::string TemporalExpr(TypeId type, const std::string& text) {
  if (type == TypeId::kDate) {
    return fmt::format("date_diff('day', DATE '1970-01-01', CAST({} AS DATE))",
                       duck::QuoteLiteral(text));
  }
  return fmt::format("epoch_us(CAST({} AS {}))", duck::QuoteLiteral(text), DuckDbType(type));
}

}  // namespace

std::string DuckDbType(TypeId type) {
  switch (type) {
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kInt:
      return "INTEGER";
    case TypeId::kLong:
      return "BIGINT";
    case TypeId::kFloat:
      return "FLOAT";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMPTZ";
    case TypeId::kString:
      return "VARCHAR";
    case TypeId::kBinary:
      return "BLOB";
  }
  return "VARCHAR";
}

std::string FieldIdsOption(const Schema& schema, const std::vector<std::string>& columns) {
  std::string out = "FIELD_IDS {";
  bool first = true;
  for (const auto& column : columns) {
    const NestedField* field = schema.FindByName(column);
    if (!field || field->name != column) continue;
    if (!first) out += ", ";
    first = false;
    out += fmt::format("{}: {}", duck::QuoteLiteral(column), field->id);
  }
  return out + "}";
}

DataFile WriteParquet(duck::Connection& conn, const std::string& select_sql, const Schema& schema,
                      const std::filesystem::path& local_file) {
  // Every column is cast to its Iceberg type's DuckDB type, so the Parquet physical and logical
  // types are the ones Iceberg readers expect (a literal like -0.25 is DECIMAL in DuckDB).
  std::vector<std::string> columns;
  std::string casts;
  duck::Result described = conn.Query(fmt::format("DESCRIBE {}", select_sql));
  for (size_t row = 0; row < described.RowCount(); ++row) {
    std::string name = described.GetString(0, row).value_or("");
    const NestedField* field = schema.FindByName(name);
    if (!field || field->name != name) {
      Fail("iceberg: column '{}' of the data to write is not in the table schema", name);
    }
    std::string quoted = duck::QuoteIdentifier(name);
    casts += fmt::format("{}CAST({} AS {}) AS {}", casts.empty() ? "" : ", ", quoted,
                         DuckDbType(field->type), quoted);
    columns.push_back(std::move(name));
  }
  conn.Query(fmt::format("COPY (SELECT {} FROM ({})) TO {} (FORMAT parquet, COMPRESSION zstd, {})",
                         casts, select_sql, duck::QuoteLiteral(local_file.string()),
                         FieldIdsOption(schema, columns)));
  return DescribeParquet(conn, local_file, schema);
}

DataFile DescribeParquet(duck::Connection& conn, const std::filesystem::path& local_file,
                         const Schema& schema) {
  std::string file = duck::QuoteLiteral(local_file.string());
  DataFile out;
  std::error_code ec;
  out.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(local_file, ec));
  if (ec) Fail("iceberg: cannot read {}: {}", local_file.string(), ec.message());

  duck::Result rows;
  if (auto error = conn.TryExecute(
          fmt::format("SELECT num_rows FROM parquet_file_metadata({})", file), &rows)) {
    Fail("iceberg: {} is not a readable Parquet file: {}", local_file.string(), *error);
  }
  out.record_count = rows.GetInt64(0, 0);

  // Field ids of the top-level columns, by name.
  std::map<std::string, int32_t> ids;
  duck::Result schema_rows = conn.Query(fmt::format(
      "SELECT name, field_id FROM parquet_schema({}) WHERE field_id IS NOT NULL", file));
  for (size_t row = 0; row < schema_rows.RowCount(); ++row) {
    ids[schema_rows.GetString(0, row).value_or("")] =
        static_cast<int32_t>(schema_rows.GetInt64(1, row));
  }

  duck::Result meta = conn.Query(
      fmt::format("SELECT path_in_schema, num_values, stats_null_count, total_compressed_size, "
                  "stats_min_value, stats_max_value, coalesce(min_is_exact, true) AND "
                  "coalesce(max_is_exact, true), row_group_id, "
                  "coalesce(dictionary_page_offset, data_page_offset) FROM parquet_metadata({}) "
                  "ORDER BY row_group_id, column_id",
                  file));
  std::map<int32_t, ColumnStats> stats;
  std::map<int64_t, int64_t> row_group_offsets;
  for (size_t row = 0; row < meta.RowCount(); ++row) {
    int64_t group = meta.GetInt64(7, row);
    if (!meta.IsNull(8, row)) {
      int64_t offset = meta.GetInt64(8, row);
      auto [it, inserted] = row_group_offsets.emplace(group, offset);
      if (!inserted) it->second = std::min(it->second, offset);
    }
    auto id = ids.find(meta.GetString(0, row).value_or(""));
    if (id == ids.end()) continue;
    const NestedField* field = schema.FindById(id->second);
    if (!field) continue;
    ColumnStats& s = stats[id->second];
    s.values += meta.GetInt64(1, row);
    if (meta.IsNull(2, row))
      s.nulls_known = false;
    else
      s.nulls += meta.GetInt64(2, row);
    s.size += meta.GetInt64(3, row);
    auto min = meta.GetString(4, row), max = meta.GetString(5, row);
    bool exact = meta.GetString(6, row).value_or("false") == "true";
    int64_t group_nulls = meta.IsNull(2, row) ? -1 : meta.GetInt64(2, row);
    if (group_nulls == meta.GetInt64(1, row)) continue;  // all null: no bounds in this group
    if (!min || !max || !exact) {
      s.bounds_known = false;
      continue;
    }
    if (IsTemporal(field->type)) {
      // DuckDB renders them in its own format (and time zone): let it convert them back.
      std::string lower_sql = TemporalExpr(field->type, *min),
                  upper_sql = TemporalExpr(field->type, *max);
      Literal lo, hi;
      duck::Result converted = conn.Query(fmt::format("SELECT {}, {}", lower_sql, upper_sql));
      if (field->type == TypeId::kDate) {
        lo = static_cast<int32_t>(converted.GetInt64(0, 0));
        hi = static_cast<int32_t>(converted.GetInt64(1, 0));
      } else {
        lo = converted.GetInt64(0, 0);
        hi = converted.GetInt64(1, 0);
      }
      if (!s.lower || lo < *s.lower) s.lower = lo;
      if (!s.upper || *s.upper < hi) s.upper = hi;
      continue;
    }
    std::optional<Literal> lo, hi;
    try {
      lo = ParseStat(field->type, *min);
      hi = ParseStat(field->type, *max);
    } catch (const std::exception&) {
      Fail("iceberg: {}: unreadable statistics of column '{}'", local_file.string(), field->name);
    }
    if (!lo || !hi) {
      s.bounds_known = false;
      continue;
    }
    if (!s.lower || *lo < *s.lower) s.lower = lo;
    if (!s.upper || *s.upper < *hi) s.upper = hi;
  }
  for (const auto& [id, s] : stats) {
    const NestedField* field = schema.FindById(id);
    out.value_counts[id] = s.values;
    out.column_sizes[id] = s.size;
    if (s.nulls_known) out.null_value_counts[id] = s.nulls;
    if (s.bounds_known && s.lower && s.upper) {
      out.lower_bounds[id] = SerializeBound(field->type, *s.lower);
      out.upper_bounds[id] = SerializeBound(field->type, *s.upper);
    }
  }
  for (const auto& [group, offset] : row_group_offsets) out.split_offsets.push_back(offset);
  return out;
}

}  // namespace ticklake::iceberg
