// SchemaReader: what one lake file holds — its format, columns (Glue names, Hive types) and
// record count — as the crawler needs it.
//   Parquet: the footer's schema and row count, through DuckDB (DESCRIBE read_parquet,
//            parquet_file_metadata).
//   JSON:    JSON Lines, one object (possibly pretty-printed) or an array of objects per file;
//            types inferred with simdjson from up to `sample` records (every line is still
//            checked, so one malformed line makes the file an error); .gz through DuckDB's
//            read_json_objects, which decompresses.
//   CSV:     header and delimiter sniffed by DuckDB (sniff_csv), types by read_csv's detection.
// Column names are lower-cased as Glue does ("Adj Close" -> "adj close") with the original
// kept as Column::source_name; names that differ only in case merge into one column.
//
// Thread-safety: one SchemaReader per thread (it owns a DuckDB connection and a JSON parser).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/hive_type.h"
#include "catalog/lake_file_resolver.h"
#include "common/duckdb.h"
#include "store/object_store.h"

namespace ticklake::catalog {

enum class FileFormat { kUnknown, kParquet, kJson, kCsv };

// Classifies a key by its extension: .parquet; .json/.jsonl/.ndjson; .csv/.tsv; each but Parquet
// optionally followed by .gz (sets *gzip).
FileFormat ClassifyKey(std::string_view key, bool* gzip = nullptr);
std::string FormatName(FileFormat format);  // "parquet" | "json" | "csv" | "unknown"

struct FileSchema {
  FileFormat format = FileFormat::kUnknown;
  std::vector<Column> columns;
  int64_t record_count = 0;
  std::string compression = "none";
  std::map<std::string, std::string> serde_parameters;  // CSV: field.delim, skip.header...
};

// Infers the schema of JSON text (see above). On malformed input returns false and sets *error
// to "line N: <reason>".
bool InferJsonSchema(std::string_view text, size_t sample, std::vector<Column>* columns,
                     int64_t* records, std::string* error);

// Lower-cases names and merges case-duplicates (widening their types); keeps first-seen order.
std::vector<Column> NormalizeColumns(const std::vector<std::pair<std::string, HiveType>>& raw);

class SchemaReader {
 public:
  SchemaReader(ObjectStore& lake, LakeFileResolver& resolver, size_t sample);
  // Throws Error naming the object when it cannot be read or is corrupt.
  FileSchema Read(const ObjectInfo& object);
  // Reads the footers of many flat Parquet files of a local lake with a few DuckDB queries in all
  // instead of three per file. Returns the schemas it could read this way, by key; the caller
  // reads the others with Read(), which names the file that is corrupt.
  std::map<std::string, FileSchema> ReadParquetBatch(const std::vector<ObjectInfo>& objects);

 private:
  FileSchema ReadParquet(const std::string& path);
  FileSchema ReadCsv(const std::string& path);
  FileSchema ReadGzipJson(const std::string& path);

  ObjectStore& lake_;
  LakeFileResolver& resolver_;
  size_t sample_;
  duck::Database db_;
  duck::Connection conn_;
};

}  // namespace ticklake::catalog
