// Catalog: the table catalog the crawler fills and the query engine reads, kept in one SQLite
// file. It plays the role of the AWS Glue Data Catalog: databases hold tables; a table has a
// location in the lake, a format (classification, SerDe, input/output formats), columns and
// partition keys in Glue's lower-case names and Hive types, Glue's statistics parameters
// (recordCount, sizeKey, averageRecordSize, compressionType), its partitions, the files the
// crawler saw (with ETag/size/mtime, so a re-crawl reads only what changed), and every schema
// version it has had. Crawl runs and query history are recorded here too.
//
// Durability and concurrency: SQLite in WAL mode with a busy timeout; every write happens inside
// a WriteTransaction (BEGIN IMMEDIATE), so two processes crawling into the same catalog at once
// serialise their writes instead of failing, and readers never see half a crawl.
//
// Thread-safety: one Catalog object is one SQLite connection; use it from one thread at a time
// (open another Catalog on the same path for another thread or process).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace ticklake::catalog {

struct Column {
  std::string name;         // lower-case, as Glue/Athena name columns ("adj close")
  std::string type;         // Hive type ("double", "struct<a:int>")
  std::string source_name;  // the name inside the data ("Adj Close"); == name when unchanged
  bool operator==(const Column&) const = default;
};

struct TableInfo {
  std::string database;
  std::string name;
  std::string lake_uri;        // the lake (ObjectStore URI) holding the data
  std::string location;        // key prefix of the table inside the lake; "" = the lake root
  std::string classification;  // parquet | json | csv
  std::string serde;           // serialization library
  std::string input_format;
  std::string output_format;
  std::map<std::string, std::string> serde_parameters;  // e.g. field.delim for CSV
  std::string compression = "none";                     // compressionType: none|zstd|gzip|...
  std::vector<Column> columns;
  std::vector<Column> partition_keys;
  int64_t record_count = 0;
  int64_t size_bytes = 0;
  int64_t file_count = 0;
  int version = 1;
  std::string state = "active";        // active | deprecated (all its data vanished)
  std::string created_by = "crawler";  // crawler | ctas
  int64_t created_ms = 0;
  int64_t updated_ms = 0;

  int64_t AverageRecordSize() const { return record_count > 0 ? size_bytes / record_count : 0; }
};

struct PartitionInfo {
  std::vector<std::optional<std::string>> values;  // one per partition key; nullopt = NULL
  std::string location;                            // key prefix, ends with '/'
  int64_t file_count = 0;
  int64_t size_bytes = 0;
  int64_t last_modified_ms = 0;
};

// One data file of a table as the crawler last saw it.
struct FileInfo {
  std::string key;
  std::string partition_location;  // "" when the table is not partitioned
  uint64_t size = 0;
  std::string etag;
  int64_t modified_ms = 0;
  int64_t record_count = 0;
  std::vector<Column> schema;  // the file's own schema (data columns only)
};

struct TableVersion {
  int version = 0;
  int64_t created_ms = 0;
  int64_t crawl_id = 0;
  std::string change;  // what changed, in words
  std::vector<Column> columns;
  std::vector<Column> partition_keys;
};

struct CrawlMessage {
  std::string path;
  std::string message;
};

struct CrawlRun {
  int64_t id = 0;
  std::string database;
  std::string lake_uri;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string state = "running";   // running | succeeded | failed
  std::string source = "crawler";  // who crawled: "crawler", or "sink <topic>" (sink --catalog)
  int updates = 1;                 // crawls folded into this run (a sink session has many)
  int tables_created = 0, tables_updated = 0, tables_deleted = 0, partitions_added = 0;
  int files_read = 0, files_unchanged = 0;
  std::vector<CrawlMessage> errors;
  std::vector<CrawlMessage> notes;  // schema changes logged but not applied, deletions, ...
};

struct QueryRecord {
  std::string id;
  std::string database;
  std::string sql;
  std::string state;  // SUCCEEDED | FAILED | CANCELLED
  int64_t started_ms = 0;
  int64_t duration_ms = 0;
  int64_t rows = 0;
  int64_t bytes_scanned = 0;
  std::string error;
  std::string result_location;
};

class Catalog {
 public:
  // Opens the catalog at `path`, creating the file and its schema when missing (parent
  // directories too). Throws Error naming the path when it cannot.
  explicit Catalog(const std::filesystem::path& path);
  // Opens an existing catalog; throws Error ("no catalog at PATH ...") when there is none.
  static std::unique_ptr<Catalog> OpenExisting(const std::filesystem::path& path);
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;
  ~Catalog();

  const std::filesystem::path& path() const { return path_; }

  // BEGIN IMMEDIATE on construction (waiting for another writer up to the busy timeout);
  // ROLLBACK on destruction unless Commit() was called.
  class WriteTransaction {
   public:
    explicit WriteTransaction(Catalog& catalog);
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction();
    void Commit();

   private:
    Catalog& catalog_;
    bool done_ = false;
  };

  // Databases.
  void EnsureDatabase(const std::string& database);
  std::vector<std::string> ListDatabases();

  // Tables. GetTable/ListTables return the current version's columns.
  std::vector<TableInfo> ListTables(const std::string& database);
  std::optional<TableInfo> GetTable(const std::string& database, const std::string& name);
  // Inserts or replaces the table row and the columns of table.version.
  void SaveTable(const TableInfo& table);
  // Records that table.version came into being (schema history), with its columns.
  void RecordVersion(const TableInfo& table, int64_t crawl_id, const std::string& change);
  std::vector<TableVersion> History(const std::string& database, const std::string& name);
  // Removes the table with its partitions, files and history.
  void DeleteTable(const std::string& database, const std::string& name);

  // Partitions: Replace returns how many locations were not there before.
  std::vector<PartitionInfo> ListPartitions(const std::string& database, const std::string& table);
  int ReplacePartitions(const std::string& database, const std::string& table,
                        const std::vector<PartitionInfo>& partitions);

  // Files.
  std::vector<FileInfo> ListFiles(const std::string& database, const std::string& table);
  void ReplaceFiles(const std::string& database, const std::string& table,
                    const std::vector<FileInfo>& files);

  // Crawl runs: StartCrawl inserts a running row and returns its id; FinishCrawl writes the
  // run's outcome and counts (also of a run that several crawls were folded into).
  int64_t StartCrawl(const std::string& database, const std::string& lake_uri,
                     const std::string& source = "crawler");
  void FinishCrawl(const CrawlRun& run);
  std::optional<CrawlRun> GetCrawl(int64_t id);
  std::vector<CrawlRun> ListCrawls(const std::string& database, int limit);

  // Query history (newest first).
  void RecordQuery(const QueryRecord& query);
  std::vector<QueryRecord> ListQueries(int limit);

 private:
  friend class WriteTransaction;
  void Exec(const char* sql);

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

// JSON text of a column list, as the catalog stores file schemas, and back.
std::string EncodeColumns(const std::vector<Column>& columns);
std::vector<Column> DecodeColumns(const std::string& json);

int64_t NowMs();

}  // namespace ticklake::catalog
