// Crawl: discovers tables in a lake the way an AWS Glue crawler does and records them in the
// catalog.
//
//  - Every folder directly under the lake root is a table; files directly in the root form one
//    table named after the root (the tutorial's stock_market_<n>.json layout). Names starting
//    with '_' or '.' at any level are not data (_ticklake/, _errors/, _SUCCESS); --exclude globs
//    drop more. Files of unknown type are skipped with a note.
//  - Folders below a table folder are partitions: key=value levels name their column, unnamed
//    levels become partition_0, partition_1, ... Partition values are Hive-unescaped.
//  - If a table folder's files are not compatible (different formats, less than 70% of the
//    smaller schema's columns shared, or different partition layouts) the folder is split into one
//    table per sub-folder, named <folder>_<sub-folder>, as Glue does when schemas differ.
//  - A table's schema is the union of its files' schemas with types widened (see hive_type.h).
//  - Incremental: a file whose ETag and size match the catalog's is not read again; its recorded
//    schema is reused. Unreadable files become crawl errors (with their URI) and are left out.
//  - Schema changes make a new table version (OnSchemaChange::kUpdate) or are only noted
//    (kLog). Tables whose data vanished are deprecated, deleted, or only noted (OnDelete).
//  - All catalog writes of one crawl happen in one transaction; the run is recorded in `crawls`
//    (or folded into an earlier run of the same source: CrawlOptions::continue_run).
//  - A table's updated time moves only when it really changes (files, schema or state), as
//    Glue leaves an unchanged table untouched.
//
// Thread-safety: Crawl may run in several threads or processes against one catalog file as long
// as each uses its own Catalog object.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "store/object_store.h"

namespace ticklake::catalog {

enum class OnSchemaChange { kUpdate, kLog };
enum class OnDelete { kDeprecate, kDelete, kLog };

struct CrawlOptions {
  std::string database = "default";
  // Name of the table made of files directly in the lake root; empty = the root folder's name.
  std::string root_table_name;
  size_t sample = 1000;              // JSON records sampled per file for type inference
  std::vector<std::string> exclude;  // fnmatch globs over keys and their folders
  OnSchemaChange on_schema_change = OnSchemaChange::kUpdate;
  OnDelete on_delete = OnDelete::kDeprecate;
  // Crawl only this top-level folder (one table, e.g. the sink's topic) and leave every other
  // table as it is; empty = the whole lake. `ticklake sink --catalog` uses it after each commit.
  std::string folder;
  // Ctrl-C (StopRequested) aborts the crawl; the sink turns this off for its final update.
  bool interruptible = true;
  // Where objects of a non-local lake are downloaded for DuckDB to read (Parquet, CSV, .gz).
  std::filesystem::path cache_dir = "ticklake-data/cache";
  // Who crawls, recorded with the run: "crawler", or "sink <topic>" for `sink --catalog`.
  std::string source = "crawler";
  // Fold this crawl into an earlier run of the same source (its CrawlSummary::crawl_id) instead
  // of recording a new run: the counts add up and the run's `updates` grows. The sink records one
  // run per session this way, so its update after every commit does not bury the crawler's runs.
  // 0, or a run that is not there or not of this source: a new run.
  int64_t continue_run = 0;
};

struct CrawlSummary {
  int64_t crawl_id = 0;
  int tables_created = 0;
  int tables_updated = 0;
  int tables_deleted = 0;
  int partitions_added = 0;
  int files_read = 0;       // files whose schema was read this time
  int files_unchanged = 0;  // files skipped because the catalog already knew them
  int errors = 0;
  std::vector<CrawlMessage> error_messages;
  std::vector<CrawlMessage> notes;
  std::vector<std::string> tables;  // every table this crawl saw, created or not
  double seconds = 0;
};

// The Hive SerDe and input/output formats Glue records for a classification.
struct Serde {
  std::string library, input_format, output_format;
};
Serde SerdeFor(const std::string& classification);

// Turns a folder name into a Glue table name: lower-case, anything but [a-z0-9_] becomes '_'.
std::string TableNameFor(std::string_view folder);

CrawlSummary Crawl(ObjectStore& lake, Catalog& catalog, const CrawlOptions& options);

// [{"path": ..., "message": ...}, ...]
std::string CrawlMessagesJson(const std::vector<CrawlMessage>& messages);

// The summary as one JSON object (`ticklake crawl --json`, the console's crawl button).
std::string CrawlSummaryJson(const CrawlSummary& summary, const std::string& database);

}  // namespace ticklake::catalog
