#include "catalog/catalog.h"

#include <simdjson.h>
#include <sqlite3.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::catalog {
namespace fs = std::filesystem;

namespace {

constexpr int kBusyTimeoutMs = 30000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS databases(
  name TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tables(
  database TEXT NOT NULL,
  name TEXT NOT NULL,
  lake_uri TEXT NOT NULL,
  location TEXT NOT NULL,
  classification TEXT NOT NULL,
  serde TEXT NOT NULL,
  input_format TEXT NOT NULL,
  output_format TEXT NOT NULL,
  serde_parameters TEXT NOT NULL,
  compression TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  file_count INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY(database, name));
CREATE TABLE IF NOT EXISTS columns(
  database TEXT NOT NULL,
  table_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  is_partition INTEGER NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  source_name TEXT NOT NULL,
  PRIMARY KEY(database, table_name, version, is_partition, position));
CREATE TABLE IF NOT EXISTS table_versions(
  database TEXT NOT NULL,
  table_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  crawl_id INTEGER NOT NULL,
  change TEXT NOT NULL,
  PRIMARY KEY(database, table_name, version));
CREATE TABLE IF NOT EXISTS partitions(
  database TEXT NOT NULL,
  table_name TEXT NOT NULL,
  location TEXT NOT NULL,
  values_json TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  PRIMARY KEY(database, table_name, location));
CREATE TABLE IF NOT EXISTS files(
  database TEXT NOT NULL,
  table_name TEXT NOT NULL,
  key TEXT NOT NULL,
  partition_location TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL,
  record_count INTEGER NOT NULL,
  schema_json TEXT NOT NULL,
  PRIMARY KEY(database, table_name, key));
CREATE TABLE IF NOT EXISTS crawls(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  database TEXT NOT NULL,
  lake_uri TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  tables_created INTEGER NOT NULL DEFAULT 0,
  tables_updated INTEGER NOT NULL DEFAULT 0,
  tables_deleted INTEGER NOT NULL DEFAULT 0,
  partitions_added INTEGER NOT NULL DEFAULT 0,
  files_read INTEGER NOT NULL DEFAULT 0,
  files_unchanged INTEGER NOT NULL DEFAULT 0,
  errors_json TEXT NOT NULL DEFAULT '[]',
  notes_json TEXT NOT NULL DEFAULT '[]',
  source TEXT NOT NULL DEFAULT 'crawler',
  updates INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS queries(
  id TEXT PRIMARY KEY,
  database TEXT NOT NULL,
  sql TEXT NOT NULL,
  state TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  bytes_scanned INTEGER NOT NULL,
  error TEXT NOT NULL,
  result_location TEXT NOT NULL);
)sql";

// A prepared statement; finalized by the destructor. Bind*/Column* use 1-based binds and
// 0-based columns, as SQLite does.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      Fail("catalog: cannot prepare '{}': {}", sql, sqlite3_errmsg(db));
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Steps once: true when a row is available.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail("catalog: '{}' failed: {}", sqlite3_sql(stmt_), sqlite3_errmsg(db_));
  }
  void Run() {
    Step();
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int col) {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string EncodeMessages(const std::vector<CrawlMessage>& messages) {
  std::string out = "[";
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i) out += ",";
    out += "{\"path\":";
    AppendJsonString(out, messages[i].path);
    out += ",\"message\":";
    AppendJsonString(out, messages[i].message);
    out += "}";
  }
  return out + "]";
}

std::vector<CrawlMessage> DecodeMessages(const std::string& json) {
  std::vector<CrawlMessage> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) return out;
  simdjson::dom::array array;
  if (doc.get_array().get(array)) return out;
  for (auto item : array) {
    std::string_view path, message;
    if (item["path"].get_string().get(path) || item["message"].get_string().get(message)) continue;
    out.push_back({std::string(path), std::string(message)});
  }
  return out;
}

std::string EncodeValues(const std::vector<std::optional<std::string>>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    if (values[i]) {
      AppendJsonString(out, *values[i]);
    } else {
      out += "null";
    }
  }
  return out + "]";
}

std::vector<std::optional<std::string>> DecodeValues(const std::string& json) {
  std::vector<std::optional<std::string>> out;
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json).get_array().get(array))
    Fail("catalog: malformed partition values {}", json);
  for (auto item : array) {
    std::string_view s;
    if (item.is_null()) {
      out.emplace_back(std::nullopt);
    } else if (!item.get_string().get(s)) {
      out.emplace_back(std::string(s));
    }
  }
  return out;
}

std::string EncodeMap(const std::map<std::string, std::string>& map) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : map) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(out, k);
    out += ":";
    AppendJsonString(out, v);
  }
  return out + "}";
}

std::map<std::string, std::string> DecodeMap(const std::string& json) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json).get_object().get(object)) return out;
  for (auto field : object) {
    std::string_view v;
    if (!field.value.get_string().get(v)) out[std::string(field.key)] = std::string(v);
  }
  return out;
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string EncodeColumns(const std::vector<Column>& columns) {
  std::string out = "[";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ",";
    out += "{\"name\":";
    AppendJsonString(out, columns[i].name);
    out += ",\"type\":";
    AppendJsonString(out, columns[i].type);
    if (columns[i].source_name != columns[i].name) {
      out += ",\"source\":";
      AppendJsonString(out, columns[i].source_name);
    }
    out += "}";
  }
  return out + "]";
}

std::vector<Column> DecodeColumns(const std::string& json) {
  std::vector<Column> out;
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json).get_array().get(array)) Fail("catalog: malformed column list {}", json);
  for (auto item : array) {
    std::string_view name, type, source;
    if (item["name"].get_string().get(name) || item["type"].get_string().get(type)) {
      Fail("catalog: malformed column list {}", json);
    }
    Column c{std::string(name), std::string(type), std::string(name)};
    if (!item["source"].get_string().get(source)) c.source_name = std::string(source);
    out.push_back(std::move(c));
  }
  return out;
}

Catalog::Catalog(const fs::path& path) : path_(path) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) Fail("catalog {}: cannot create directory: {}", path.string(), ec.message());
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    db_ = nullptr;
    Fail("catalog {}: cannot open: {}", path.string(), message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  try {
    // Switching to WAL needs a moment without other connections mid-write; retry briefly.
    for (int attempt = 0;; ++attempt) {
      char* error = nullptr;
      int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, &error);
      sqlite3_free(error);
      if (rc == SQLITE_OK) break;
      if (attempt > 100) Fail("cannot switch to WAL mode: {}", sqlite3_errmsg(db_));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Exec("PRAGMA synchronous=NORMAL");
    WriteTransaction txn(*this);
    Exec(kSchema);
    // Catalogs written before crawl runs had a source get its columns.
    if (!Statement(db_, "SELECT 1 FROM pragma_table_info('crawls') WHERE name='source'").Step()) {
      Exec(
          "ALTER TABLE crawls ADD COLUMN source TEXT NOT NULL DEFAULT 'crawler';"
          "ALTER TABLE crawls ADD COLUMN updates INTEGER NOT NULL DEFAULT 1");
    }
    txn.Commit();
  } catch (const Error& e) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    Fail("catalog {}: {}", path.string(), e.what());
  }
}

std::unique_ptr<Catalog> Catalog::OpenExisting(const fs::path& path) {
  if (!fs::is_regular_file(path)) {
    Fail("no catalog at {} (run `ticklake crawl` first, or pass --catalog PATH)", path.string());
  }
  return std::make_unique<Catalog>(path);
}

Catalog::~Catalog() { sqlite3_close_v2(db_); }

void Catalog::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    Fail("catalog {}: {} (in: {:.80})", path_.string(), message, sql);
  }
}

Catalog::WriteTransaction::WriteTransaction(Catalog& catalog) : catalog_(catalog) {
  catalog_.Exec("BEGIN IMMEDIATE");
}

Catalog::WriteTransaction::~WriteTransaction() {
  if (!done_) sqlite3_exec(catalog_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Catalog::WriteTransaction::Commit() {
  catalog_.Exec("COMMIT");
  done_ = true;
}

void Catalog::EnsureDatabase(const std::string& database) {
  Statement(db_, "INSERT OR IGNORE INTO databases(name, created_ms) VALUES(?, ?)")
      .Bind(1, database)
      .Bind(2, NowMs())
      .Run();
}

std::vector<std::string> Catalog::ListDatabases() {
  Statement s(db_, "SELECT name FROM databases ORDER BY name");
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

namespace {

constexpr const char* kTableColumns =
    "database, name, lake_uri, location, classification, serde, input_format, output_format, "
    "serde_parameters, compression, record_count, size_bytes, file_count, version, state, "
    "created_by, created_ms, updated_ms";

TableInfo ReadTableRow(Statement& s) {
  TableInfo t;
  t.database = s.Text(0);
  t.name = s.Text(1);
  t.lake_uri = s.Text(2);
  t.location = s.Text(3);
  t.classification = s.Text(4);
  t.serde = s.Text(5);
  t.input_format = s.Text(6);
  t.output_format = s.Text(7);
  t.serde_parameters = DecodeMap(s.Text(8));
  t.compression = s.Text(9);
  t.record_count = s.Int(10);
  t.size_bytes = s.Int(11);
  t.file_count = s.Int(12);
  t.version = static_cast<int>(s.Int(13));
  t.state = s.Text(14);
  t.created_by = s.Text(15);
  t.created_ms = s.Int(16);
  t.updated_ms = s.Int(17);
  return t;
}

void LoadColumns(sqlite3* db, const std::string& database, const std::string& table, int version,
                 std::vector<Column>* columns, std::vector<Column>* partition_keys) {
  Statement s(db,
              "SELECT is_partition, name, type, source_name FROM columns WHERE database=? AND "
              "table_name=? AND version=? ORDER BY is_partition, position");
  s.Bind(1, database).Bind(2, table).Bind(3, int64_t{version});
  while (s.Step()) {
    Column c{s.Text(1), s.Text(2), s.Text(3)};
    (s.Int(0) ? partition_keys : columns)->push_back(std::move(c));
  }
}

}  // namespace

std::vector<TableInfo> Catalog::ListTables(const std::string& database) {
  Statement s(
      db_,
      fmt::format("SELECT {} FROM tables WHERE database=? ORDER BY name", kTableColumns).c_str());
  s.Bind(1, database);
  std::vector<TableInfo> out;
  while (s.Step()) out.push_back(ReadTableRow(s));
  for (auto& t : out)
    LoadColumns(db_, t.database, t.name, t.version, &t.columns, &t.partition_keys);
  return out;
}

std::optional<TableInfo> Catalog::GetTable(const std::string& database, const std::string& name) {
  Statement s(
      db_, fmt::format("SELECT {} FROM tables WHERE database=? AND name=?", kTableColumns).c_str());
  s.Bind(1, database).Bind(2, name);
  if (!s.Step()) return std::nullopt;
  TableInfo t = ReadTableRow(s);
  LoadColumns(db_, t.database, t.name, t.version, &t.columns, &t.partition_keys);
  return t;
}

void Catalog::SaveTable(const TableInfo& t) {
  Statement s(db_, fmt::format("INSERT OR REPLACE INTO tables({}) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,"
                               "?,?,?,?,?)",
                               kTableColumns)
                       .c_str());
  s.Bind(1, t.database).Bind(2, t.name).Bind(3, t.lake_uri).Bind(4, t.location);
  s.Bind(5, t.classification).Bind(6, t.serde).Bind(7, t.input_format).Bind(8, t.output_format);
  s.Bind(9, EncodeMap(t.serde_parameters)).Bind(10, t.compression).Bind(11, t.record_count);
  s.Bind(12, t.size_bytes).Bind(13, t.file_count).Bind(14, int64_t{t.version}).Bind(15, t.state);
  s.Bind(16, t.created_by).Bind(17, t.created_ms).Bind(18, t.updated_ms);
  s.Run();
  Statement del(db_, "DELETE FROM columns WHERE database=? AND table_name=? AND version=?");
  del.Bind(1, t.database).Bind(2, t.name).Bind(3, int64_t{t.version}).Run();
  Statement ins(db_,
                "INSERT INTO columns(database, table_name, version, is_partition, position, name, "
                "type, source_name) VALUES(?,?,?,?,?,?,?,?)");
  for (int part = 0; part < 2; ++part) {
    const auto& cols = part ? t.partition_keys : t.columns;
    for (size_t i = 0; i < cols.size(); ++i) {
      ins.Bind(1, t.database).Bind(2, t.name).Bind(3, int64_t{t.version}).Bind(4, int64_t{part});
      ins.Bind(5, static_cast<int64_t>(i)).Bind(6, cols[i].name).Bind(7, cols[i].type);
      ins.Bind(8, cols[i].source_name).Run();
    }
  }
}

void Catalog::RecordVersion(const TableInfo& t, int64_t crawl_id, const std::string& change) {
  Statement(db_,
            "INSERT OR REPLACE INTO table_versions(database, table_name, version, created_ms, "
            "crawl_id, change) VALUES(?,?,?,?,?,?)")
      .Bind(1, t.database)
      .Bind(2, t.name)
      .Bind(3, int64_t{t.version})
      .Bind(4, NowMs())
      .Bind(5, crawl_id)
      .Bind(6, change)
      .Run();
}

std::vector<TableVersion> Catalog::History(const std::string& database, const std::string& name) {
  Statement s(db_,
              "SELECT version, created_ms, crawl_id, change FROM table_versions WHERE database=? "
              "AND table_name=? ORDER BY version");
  s.Bind(1, database).Bind(2, name);
  std::vector<TableVersion> out;
  while (s.Step()) {
    TableVersion v;
    v.version = static_cast<int>(s.Int(0));
    v.created_ms = s.Int(1);
    v.crawl_id = s.Int(2);
    v.change = s.Text(3);
    out.push_back(std::move(v));
  }
  for (auto& v : out) LoadColumns(db_, database, name, v.version, &v.columns, &v.partition_keys);
  return out;
}

void Catalog::DeleteTable(const std::string& database, const std::string& name) {
  for (const char* sql : {"DELETE FROM tables WHERE database=? AND name=?",
                          "DELETE FROM columns WHERE database=? AND table_name=?",
                          "DELETE FROM table_versions WHERE database=? AND table_name=?",
                          "DELETE FROM partitions WHERE database=? AND table_name=?",
                          "DELETE FROM files WHERE database=? AND table_name=?"}) {
    Statement(db_, sql).Bind(1, database).Bind(2, name).Run();
  }
}

std::vector<PartitionInfo> Catalog::ListPartitions(const std::string& database,
                                                   const std::string& table) {
  Statement s(db_,
              "SELECT values_json, location, file_count, size_bytes, last_modified_ms FROM "
              "partitions WHERE database=? AND table_name=? ORDER BY location");
  s.Bind(1, database).Bind(2, table);
  std::vector<PartitionInfo> out;
  while (s.Step()) {
    out.push_back({DecodeValues(s.Text(0)), s.Text(1), s.Int(2), s.Int(3), s.Int(4)});
  }
  return out;
}

int Catalog::ReplacePartitions(const std::string& database, const std::string& table,
                               const std::vector<PartitionInfo>& partitions) {
  std::vector<PartitionInfo> before = ListPartitions(database, table);
  std::set<std::string> known;
  for (const auto& p : before) known.insert(p.location);
  Statement(db_, "DELETE FROM partitions WHERE database=? AND table_name=?")
      .Bind(1, database)
      .Bind(2, table)
      .Run();
  Statement ins(db_,
                "INSERT INTO partitions(database, table_name, location, values_json, file_count, "
                "size_bytes, last_modified_ms) VALUES(?,?,?,?,?,?,?)");
  int added = 0;
  for (const auto& p : partitions) {
    if (!known.count(p.location)) ++added;
    ins.Bind(1, database).Bind(2, table).Bind(3, p.location).Bind(4, EncodeValues(p.values));
    ins.Bind(5, p.file_count).Bind(6, p.size_bytes).Bind(7, p.last_modified_ms).Run();
  }
  return added;
}

std::vector<FileInfo> Catalog::ListFiles(const std::string& database, const std::string& table) {
  Statement s(db_,
              "SELECT key, partition_location, size, etag, modified_ms, record_count, schema_json "
              "FROM files WHERE database=? AND table_name=? ORDER BY key");
  s.Bind(1, database).Bind(2, table);
  std::vector<FileInfo> out;
  // Many files share one schema (thousands of one-object JSON files): decode each text once.
  std::map<std::string, std::vector<Column>> decoded;
  while (s.Step()) {
    FileInfo f;
    f.key = s.Text(0);
    f.partition_location = s.Text(1);
    f.size = static_cast<uint64_t>(s.Int(2));
    f.etag = s.Text(3);
    f.modified_ms = s.Int(4);
    f.record_count = s.Int(5);
    std::string json = s.Text(6);
    auto it = decoded.find(json);
    if (it == decoded.end()) it = decoded.emplace(json, DecodeColumns(json)).first;
    f.schema = it->second;
    out.push_back(std::move(f));
  }
  return out;
}

void Catalog::ReplaceFiles(const std::string& database, const std::string& table,
                           const std::vector<FileInfo>& files) {
  Statement(db_, "DELETE FROM files WHERE database=? AND table_name=?")
      .Bind(1, database)
      .Bind(2, table)
      .Run();
  Statement ins(db_,
                "INSERT OR REPLACE INTO files(database, table_name, key, partition_location, size, "
                "etag, modified_ms, record_count, schema_json) VALUES(?,?,?,?,?,?,?,?,?)");
  for (const auto& f : files) {
    ins.Bind(1, database).Bind(2, table).Bind(3, f.key).Bind(4, f.partition_location);
    ins.Bind(5, static_cast<int64_t>(f.size)).Bind(6, f.etag).Bind(7, f.modified_ms);
    ins.Bind(8, f.record_count).Bind(9, EncodeColumns(f.schema)).Run();
  }
}

int64_t Catalog::StartCrawl(const std::string& database, const std::string& lake_uri,
                            const std::string& source) {
  WriteTransaction txn(*this);
  EnsureDatabase(database);
  Statement(db_,
            "INSERT INTO crawls(database, lake_uri, started_ms, state, source) "
            "VALUES(?,?,?,'running',?)")
      .Bind(1, database)
      .Bind(2, lake_uri)
      .Bind(3, NowMs())
      .Bind(4, source)
      .Run();
  int64_t id = sqlite3_last_insert_rowid(db_);
  txn.Commit();
  return id;
}

void Catalog::FinishCrawl(const CrawlRun& r) {
  Statement s(db_,
              "UPDATE crawls SET ended_ms=?, state=?, tables_created=?, tables_updated=?, "
              "tables_deleted=?, partitions_added=?, files_read=?, files_unchanged=?, "
              "errors_json=?, notes_json=?, updates=? WHERE id=?");
  s.Bind(1, r.ended_ms).Bind(2, r.state).Bind(3, int64_t{r.tables_created});
  s.Bind(4, int64_t{r.tables_updated}).Bind(5, int64_t{r.tables_deleted});
  s.Bind(6, int64_t{r.partitions_added}).Bind(7, int64_t{r.files_read});
  s.Bind(8, int64_t{r.files_unchanged}).Bind(9, EncodeMessages(r.errors));
  s.Bind(10, EncodeMessages(r.notes)).Bind(11, int64_t{r.updates}).Bind(12, r.id).Run();
}

namespace {

constexpr const char* kCrawlColumns =
    "SELECT id, database, lake_uri, started_ms, ended_ms, state, tables_created, tables_updated, "
    "tables_deleted, partitions_added, files_read, files_unchanged, errors_json, notes_json, "
    "source, updates FROM crawls ";

// The runs a bound SELECT of kCrawlColumns returns.
std::vector<CrawlRun> ReadCrawls(Statement& s) {
  std::vector<CrawlRun> out;
  while (s.Step()) {
    CrawlRun r;
    r.id = s.Int(0);
    r.database = s.Text(1);
    r.lake_uri = s.Text(2);
    r.started_ms = s.Int(3);
    r.ended_ms = s.Int(4);
    r.state = s.Text(5);
    r.tables_created = static_cast<int>(s.Int(6));
    r.tables_updated = static_cast<int>(s.Int(7));
    r.tables_deleted = static_cast<int>(s.Int(8));
    r.partitions_added = static_cast<int>(s.Int(9));
    r.files_read = static_cast<int>(s.Int(10));
    r.files_unchanged = static_cast<int>(s.Int(11));
    r.errors = DecodeMessages(s.Text(12));
    r.notes = DecodeMessages(s.Text(13));
    r.source = s.Text(14);
    r.updates = static_cast<int>(s.Int(15));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::optional<CrawlRun> Catalog::GetCrawl(int64_t id) {
  Statement s(db_, (std::string(kCrawlColumns) + "WHERE id=?").c_str());
  s.Bind(1, id);
  std::vector<CrawlRun> runs = ReadCrawls(s);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::vector<CrawlRun> Catalog::ListCrawls(const std::string& database, int limit) {
  Statement s(db_,
              (std::string(kCrawlColumns) + "WHERE database=? ORDER BY id DESC LIMIT ?").c_str());
  s.Bind(1, database).Bind(2, int64_t{limit});
  return ReadCrawls(s);
}

void Catalog::RecordQuery(const QueryRecord& q) {
  WriteTransaction txn(*this);
  Statement s(db_,
              "INSERT OR REPLACE INTO queries(id, database, sql, state, started_ms, duration_ms, "
              "rows, bytes_scanned, error, result_location) VALUES(?,?,?,?,?,?,?,?,?,?)");
  s.Bind(1, q.id).Bind(2, q.database).Bind(3, q.sql).Bind(4, q.state).Bind(5, q.started_ms);
  s.Bind(6, q.duration_ms).Bind(7, q.rows).Bind(8, q.bytes_scanned).Bind(9, q.error);
  s.Bind(10, q.result_location).Run();
  txn.Commit();
}

std::vector<QueryRecord> Catalog::ListQueries(int limit) {
  Statement s(
      db_,
      "SELECT id, database, sql, state, started_ms, duration_ms, rows, bytes_scanned, error, "
      "result_location FROM queries ORDER BY started_ms DESC, rowid DESC LIMIT ?");
  s.Bind(1, int64_t{limit});
  std::vector<QueryRecord> out;
  while (s.Step()) {
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6),
                   s.Int(7), s.Text(8), s.Text(9)});
  }
  return out;
}

}  // namespace ticklake::catalog
