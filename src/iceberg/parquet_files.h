// Parquet data files for Iceberg tables, written and described with DuckDB. Iceberg readers
// match Parquet columns by field id, so every file carries the ids of the table schema
// (DuckDB's COPY … (FORMAT parquet, FIELD_IDS {…})), and the manifest entry of a file holds its
// statistics: value and null counts, column sizes and lower/upper bounds per field id, read back
// from the written footer (parquet_metadata), never guessed.
// Not thread-safe: a Connection belongs to one thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/duckdb.h"
#include "iceberg/data_file.h"
#include "iceberg/schema.h"

namespace ticklake::iceberg {

// DuckDB's type for an Iceberg type: BOOLEAN, INTEGER, BIGINT, FLOAT, DOUBLE, DATE, TIMESTAMP,
// TIMESTAMPTZ, VARCHAR, BLOB.
std::string DuckDbType(TypeId type);

// The COPY option that stamps the schema's field ids on the columns of the same names:
// `FIELD_IDS {"index": 1, "close": 5, …}` for the fields of `schema` named in `columns`.
std::string FieldIdsOption(const Schema& schema, const std::vector<std::string>& columns);

// COPY (select_sql) TO local_file as Parquet (zstd) with the schema's field ids. The query's
// columns must be named as schema fields; each is CAST to its field's DuckDB type (a value that
// does not convert is an Error, as DuckDB's CAST says). Returns the file's
// DataFile (location left empty, partition left to the caller) with statistics.
DataFile WriteParquet(duck::Connection& conn, const std::string& select_sql, const Schema& schema,
                      const std::filesystem::path& local_file);

// The statistics and record count of an existing local Parquet file written with field ids;
// columns without a field id in `schema` are ignored. Throws Error naming the file when it is
// not Parquet.
DataFile DescribeParquet(duck::Connection& conn, const std::filesystem::path& local_file,
                         const Schema& schema);

}  // namespace ticklake::iceberg
