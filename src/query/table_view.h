// TableViewSql: the DuckDB SELECT that exposes one catalog table, over the explicit list of the
// files the catalog recorded for it (never a glob: staging files and files the crawler has not
// seen stay invisible). Columns carry the catalog's names (lower-case) and types, cast from the
// files' own names ("Adj Close") so older files written under earlier schema versions still read
// (union_by_name for Parquet; explicit columns for JSON and CSV, missing keys read as NULL).
// Named partition columns come from the Hive paths (hive_partitioning, which lets DuckDB skip
// files whose partition values a filter excludes), with __HIVE_DEFAULT_PARTITION__ as NULL;
// unnamed levels (partition_0, ...) are cut from each file's path.
//
// Thread-safety: pure function.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace ticklake::query {

// `local_path` gives the local file for a catalog file (in place or from the cache).
// `files_expression`, when not empty, is the SQL the readers take their file list from instead
// of an inline list literal (the engine passes getvariable('...'): a list of 100k paths parsed
// once per change rather than once per statement).
std::string TableViewSql(const catalog::TableInfo& table,
                         const std::vector<catalog::FileInfo>& files,
                         const std::function<std::string(const catalog::FileInfo&)>& local_path,
                         const std::string& files_expression = "");

// The DuckDB list literal of the files' local paths.
std::string FileListSql(const std::vector<catalog::FileInfo>& files,
                        const std::function<std::string(const catalog::FileInfo&)>& local_path);

}  // namespace ticklake::query
