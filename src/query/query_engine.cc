#include "query/query_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "catalog/crawler.h"
#include "catalog/hive_type.h"
#include "catalog/partition_path.h"
#include "catalog/schema_reader.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/json_writer.h"
#include "common/metrics.h"
#include "common/stop.h"
#include "common/strings.h"
#include "query/iceberg_tables.h"
#include "query/iceberg_views.h"
#include "query/result_format.h"
#include "query/sql_text.h"
#include "query/table_view.h"
#include "query/time_travel.h"

namespace ticklake::query {
namespace fs = std::filesystem;

namespace {

// RAII over duckdb_extracted_statements and duckdb_prepared_statement.
struct Extracted {
  duckdb_extracted_statements handle = nullptr;
  ~Extracted() { duckdb_destroy_extracted(&handle); }
};
struct Prepared {
  duckdb_prepared_statement handle = nullptr;
  ~Prepared() { duckdb_destroy_prepare(&handle); }
};
struct RawResult {
  duckdb_result result{};
  ~RawResult() { duckdb_destroy_result(&result); }
};

const char* TypeName(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    default:
      return "OTHER";
  }
}

std::string StatementName(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT:
      return "SELECT";
    case DUCKDB_STATEMENT_TYPE_EXPLAIN:
      return "EXPLAIN";
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "LOAD/INSTALL";
    case DUCKDB_STATEMENT_TYPE_SET:
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    default:
      return "this statement";
  }
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string DirWithSlash(const fs::path& p) {
  std::string s = fs::absolute(p).lexically_normal().string();
  if (s.empty() || s.back() != '/') s.push_back('/');
  return s;
}

// The engine's folders as absolute paths, resolved once: DuckDB's sandbox compares the paths it
// is given with allowed_directories as strings, so a relative cache path would be refused.
QueryEngineOptions Resolved(QueryEngineOptions options) {
  options.data_dir = fs::absolute(options.data_dir).lexically_normal();
  return options;
}

std::string Trimmed(const std::string& sql) {
  auto statements = SplitStatements(sql);
  if (statements.empty()) Fail("empty query");
  if (statements.size() > 1) {
    Fail("{} statements given; run one at a time (or use -f FILE for a script)", statements.size());
  }
  return statements[0];
}

}  // namespace

std::string NewUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

QueryEngine::QueryEngine(catalog::Catalog& catalog, ObjectStore& lake, QueryEngineOptions options)
    : catalog_(catalog),
      lake_(lake),
      options_(Resolved(std::move(options))),
      resolver_(lake, options_.data_dir / "cache", options_.cache_bytes),
      staging_dir_(options_.data_dir / "tmp") {
  std::error_code ec;
  fs::create_directories(staging_dir_, ec);
  if (ec) Fail("cannot create {}: {}", staging_dir_.string(), ec.message());
  duck::DatabaseOptions db_options;
  db_options.temp_directory = (staging_dir_ / "duckdb").string();
  if (options_.threads > 0) db_options.settings["threads"] = std::to_string(options_.threads);
  db_ = std::make_unique<duck::Database>(db_options);
  conn_ = std::make_unique<duck::Connection>(*db_);

  // One DuckDB schema per catalog database; bare names resolve in options_.database.
  std::vector<std::string> databases = catalog_.ListDatabases();
  if (std::find(databases.begin(), databases.end(), options_.database) == databases.end()) {
    databases.push_back(options_.database);
  }
  for (const auto& db : databases) {
    conn_->Query("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdentifier(db));
  }
  conn_->Query("SET search_path = " + duck::QuoteLiteral(options_.database));

  // The sandbox: files only under the lake, the cache and our staging folder.
  std::vector<std::string> allowed = {DirWithSlash(options_.data_dir / "cache"),
                                      DirWithSlash(staging_dir_)};
  if (auto local = lake_.LocalPath("x")) allowed.push_back(DirWithSlash(local->parent_path()));
  iceberg_tables_ = std::make_unique<IcebergTables>(catalog_.path());
  iceberg_tables_->AdoptLake(lake_);
  for (const auto& dir : iceberg_tables_->LocalLakeDirs()) allowed.push_back(DirWithSlash(dir));
  iceberg_views_ = std::make_unique<IcebergViews>(
      *iceberg_tables_, *conn_, options_.data_dir / "cache", options_.cache_bytes);
  std::string list;
  for (const auto& dir : allowed) list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(dir);
  conn_->Query("SET allowed_directories = [" + list + "]");
  conn_->Query("SET enable_external_access = false");
  conn_->Query("SET lock_configuration = true");
}

QueryEngine::~QueryEngine() = default;

void QueryEngine::Cancel() { cancel_ = true; }

namespace {

// Whether a file's partition `value` can satisfy `key IN (values)` as PartitionEqualities gave
// them; true whenever unsure, so pruning never drops a file the query could read.
bool MaySatisfy(const std::optional<std::string>& value, const std::string& type,
                const std::set<std::string>& values) {
  if (!value) return false;  // NULL never equals a literal
  bool numeric = type == "int" || type == "bigint" || type == "tinyint" || type == "smallint";
  for (const auto& v : values) {
    std::string text = v.substr(2);
    if (numeric) {
      try {
        size_t a = 0, b = 0;
        double x = std::stod(*value, &a), y = std::stod(text, &b);
        if (a != value->size() || b != text.size()) return true;
        if (x == y) return true;
      } catch (const std::exception&) {
        return true;
      }
    } else if (type == "date") {
      if (!v.starts_with("s:") || !catalog::LooksLikeDate(text)) return true;
      if (text == *value) return true;
    } else {
      if (!v.starts_with("s:")) return true;  // '010' = 10 compares as numbers in DuckDB
      if (text == *value) return true;
    }
  }
  return false;
}

}  // namespace

int64_t QueryEngine::PrepareViews(const std::string& sql) {
  std::set<std::string> names = Identifiers(sql);
  int64_t bytes = 0;
  resolver_.BeginBatch();
  std::vector<catalog::TableInfo> tables;
  for (const auto& db : catalog_.ListDatabases()) {
    for (auto& t : catalog_.ListTables(db)) {
      if (names.count(t.name) && !iceberg_views_->Exposes(db, t.name)) {
        tables.push_back(std::move(t));
      }
    }
  }
  for (const auto& t : tables) {
    const std::string& db = t.database;
    {
      std::string qualified = duck::QuoteIdentifier(db) + "." + duck::QuoteIdentifier(t.name);
      std::string id = db + "." + t.name;
      if (t.state != "active" || t.lake_uri != lake_.Uri()) {
        if (views_.erase(id)) conn_->Query("DROP VIEW IF EXISTS " + qualified);
        continue;
      }
      // The file list changes only with the table (crawls bump updated_ms): keep it in memory.
      std::string table_state = fmt::format("{}:{}:{}", t.version, t.updated_ms, t.file_count);
      auto cached = files_.find(id);
      if (cached == files_.end() || cached->second.first != table_state) {
        cached =
            files_.insert_or_assign(id, std::make_pair(table_state, catalog_.ListFiles(db, t.name)))
                .first;
      }
      std::vector<catalog::FileInfo> files = cached->second.second;
      // Prune partitions the statement cannot read (only when it names this one table), so a
      // remote lake downloads only what is needed and bytes_scanned tells the truth.
      std::set<std::string> keys;
      for (const auto& k : t.partition_keys) keys.insert(k.name);
      auto restrictions = tables.size() == 1 && !keys.empty()
                              ? PartitionEqualities(sql, keys)
                              : std::map<std::string, std::set<std::string>>{};
      if (!restrictions.empty()) {
        std::erase_if(files, [&](const catalog::FileInfo& f) {
          auto levels = catalog::ParsePartitionPath(
              std::string_view(f.partition_location).substr(t.location.size()));
          for (size_t i = 0; i < t.partition_keys.size() && i < levels.size(); ++i) {
            auto r = restrictions.find(t.partition_keys[i].name);
            if (r != restrictions.end() &&
                !MaySatisfy(levels[i].value, t.partition_keys[i].type, r->second)) {
              return true;
            }
          }
          return false;
        });
      }
      std::string state =
          fmt::format("{}:{}:{}:{}", t.version, t.updated_ms, t.file_count, files.size());
      for (const auto& f : files) bytes += static_cast<int64_t>(f.size);
      if (!restrictions.empty()) state += ":" + fmt::format("{}", fmt::join(keys, ","));
      for (const auto& [k, v] : restrictions) state += fmt::format("|{}={}", k, fmt::join(v, ","));
      auto it = views_.find(id);
      if (it != views_.end() && it->second == state && resolver_.IsLocal()) continue;
      // The file list lives in a DuckDB variable: the view's SQL stays small, and DuckDB parses
      // a long list once per change instead of at every statement that binds the view.
      auto local_path = [&](const catalog::FileInfo& f) {
        return resolver_.Resolve(f.key, f.etag, f.size).string();
      };
      std::string variable = fmt::format("__ticklake_files_{}", variables_.size());
      if (auto v = variables_.find(id); v != variables_.end()) {
        variable = v->second;
      } else {
        variables_[id] = variable;
      }
      if (!files.empty()) {
        conn_->Query("SET VARIABLE " + variable + " = " + FileListSql(files, local_path));
      }
      std::string select =
          TableViewSql(t, files, local_path, "getvariable(" + duck::QuoteLiteral(variable) + ")");
      conn_->Query("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdentifier(db));
      if (auto error = conn_->TryExecute("CREATE OR REPLACE VIEW " + qualified + " AS " + select)) {
        Fail("cannot expose table {}.{}: {}", db, t.name, error->substr(0, error->find('\n')));
      }
      views_[id] = state;
    }
  }
  return bytes;
}

std::string QueryEngine::ExplainUnknownTable(const std::string& message) {
  static constexpr std::string_view kPrefix = "Table with name ";
  size_t at = message.find(kPrefix);
  if (at == std::string::npos || message.find("does not exist") == std::string::npos) {
    return message;
  }
  size_t start = at + kPrefix.size();
  size_t end = message.find(' ', start);
  std::string missing = message.substr(start, end - start);
  std::string lower = missing;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<std::pair<size_t, std::string>> candidates;
  for (const auto& db : catalog_.ListDatabases()) {
    for (const auto& t : catalog_.ListTables(db)) {
      if (t.name == lower && t.lake_uri != lake_.Uri()) {
        return fmt::format("table {}.{} is in lake {}, not in {} (pass --lake {})", db, t.name,
                           t.lake_uri, lake_.Uri(), t.lake_uri);
      }
      if (t.name == lower && t.state != "active") {
        return fmt::format("table {}.{} is {}: its data is gone from the lake", db, t.name,
                           t.state);
      }
      if (t.state != "active") continue;
      std::string name = db == options_.database ? t.name : db + "." + t.name;
      candidates.emplace_back(EditDistance(lower, t.name), name);
    }
  }
  for (const auto& t : iceberg_tables_->List()) {
    std::string name = t.ns == options_.database ? t.name : t.ToString();
    candidates.emplace_back(EditDistance(lower, AsciiLower(t.name)), name);
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<std::string> close;
  for (const auto& [distance, name] : candidates) {
    if (close.size() < 3 && (distance <= std::max<size_t>(2, lower.size() / 3) || close.empty())) {
      close.push_back(name);
    }
  }
  // DuckDB's own "Did you mean" points at its internal tables; ours are the catalog's.
  std::string rest;
  if (size_t line = message.find("\nLINE"); line != std::string::npos) rest = message.substr(line);
  std::string hint = close.empty()
                         ? "the catalog has no tables (run `ticklake crawl`)"
                         : fmt::format("closest catalog tables: {}", fmt::join(close, ", "));
  return fmt::format("Catalog Error: table {} does not exist in database {}; {}{}", missing,
                     options_.database, hint, rest);
}

QueryResult QueryEngine::Execute(const std::string& sql, bool internal, const RowSink* sink) {
  duckdb_connection conn = conn_->handle();
  Extracted extracted;
  idx_t count = duckdb_extract_statements(conn, sql.c_str(), &extracted.handle);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(extracted.handle);
    Fail("{}", error ? error : "empty query");
  }
  if (count > 1) Fail("{} statements given; run one at a time", count);
  Prepared prepared;
  if (duckdb_prepare_extracted_statement(conn, extracted.handle, 0, &prepared.handle) ==
      DuckDBError) {
    const char* error = duckdb_prepare_error(prepared.handle);
    Fail("{}", ExplainUnknownTable(error ? error : "cannot prepare statement"));
  }
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared.handle);
  if (!internal && type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    Fail(
        "{} statements are not allowed: queries may SELECT, EXPLAIN, or CREATE TABLE name AS "
        "SELECT",
        StatementName(type));
  }

  QueryResult result;
  result.statement = type == DUCKDB_STATEMENT_TYPE_EXPLAIN ? "EXPLAIN" : "SELECT";
  // A SELECT is wrapped so every column comes back as VARCHAR (nested values as JSON text, which
  // the C API cannot render otherwise) and streamed chunk by chunk: a large result is written to
  // its CSV file as it arrives and only the first rows are kept in memory.
  bool streamed = false;
  if (type == DUCKDB_STATEMENT_TYPE_SELECT) {
    idx_t n = duckdb_prepared_statement_column_count(prepared.handle);
    std::vector<std::string> projection;
    for (idx_t c = 0; c < n; ++c) {
      duckdb_type t = duckdb_prepared_statement_column_type(prepared.handle, c);
      bool nested = t == DUCKDB_TYPE_LIST || t == DUCKDB_TYPE_STRUCT || t == DUCKDB_TYPE_MAP ||
                    t == DUCKDB_TYPE_ARRAY || t == DUCKDB_TYPE_UNION;
      const char* raw_name = duckdb_prepared_statement_column_name(prepared.handle, c);
      std::string name = raw_name ? raw_name : "";
      duckdb_free(const_cast<char*>(raw_name));  // the caller owns it
      result.column_names.push_back(name);
      result.column_types.push_back(nested ? "JSON" : TypeName(t));
      projection.push_back(fmt::format("{}(#{})::VARCHAR AS {}", nested ? "to_json" : "", c + 1,
                                       duck::QuoteIdentifier(name)));
    }
    std::string wrapped =
        fmt::format("SELECT {} FROM ({}) AS __ticklake_q", fmt::join(projection, ", "), sql);
    Extracted again;
    Prepared rewrapped;
    if (n > 0 && duckdb_extract_statements(conn, wrapped.c_str(), &again.handle) == 1 &&
        duckdb_prepare_extracted_statement(conn, again.handle, 0, &rewrapped.handle) ==
            DuckDBSuccess) {
      std::swap(prepared.handle, rewrapped.handle);
      streamed = true;
    } else {
      result.column_names.clear();
      result.column_types.clear();
    }
  }

  // Watch for Ctrl-C, Cancel() and the timeout while DuckDB works (and while rows stream).
  std::atomic<bool> done{false};
  std::atomic<int> stopped_by{0};  // 1 cancelled, 2 timed out
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_seconds * 1000));
  std::thread watcher([&] {
    while (!done) {
      if (cancel_ || StopRequested()) {
        stopped_by = 1;
        conn_->Interrupt();
        return;
      }
      if (options_.timeout_seconds > 0 && std::chrono::steady_clock::now() > deadline) {
        stopped_by = 2;
        conn_->Interrupt();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  struct StopWatcher {
    std::atomic<bool>& done;
    std::thread& watcher;
    std::atomic<bool>& cancel;
    ~StopWatcher() {
      done = true;
      if (watcher.joinable()) watcher.join();
      cancel = false;
    }
  } stop_watcher{done, watcher, cancel_};
  auto fail = [&](const char* error) {
    if (stopped_by == 1) Fail("query cancelled");
    if (stopped_by == 2) Fail("query timed out after {} s", options_.timeout_seconds);
    Fail("{}", ExplainUnknownTable(error ? error : "query failed"));
  };
  auto add_row = [&](std::vector<std::optional<std::string>>&& row) {
    if (sink && sink->row) sink->row(row);
    if (options_.keep_rows == 0 || result.rows.size() < options_.keep_rows) {
      result.rows.push_back(std::move(row));
    }
    ++result.total_rows;
  };

  RawResult raw;
  if (streamed) {
    if (duckdb_execute_prepared_streaming(prepared.handle, &raw.result) == DuckDBError) {
      fail(duckdb_result_error(&raw.result));
    }
    if (sink && sink->begin) sink->begin(result);
    size_t columns = result.column_names.size();
    while (true) {
      duckdb_data_chunk chunk = duckdb_fetch_chunk(raw.result);
      if (!chunk) break;
      idx_t size = duckdb_data_chunk_get_size(chunk);
      std::vector<duckdb_string_t*> data(columns);
      std::vector<uint64_t*> validity(columns);
      for (size_t c = 0; c < columns; ++c) {
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
        data[c] = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
        validity[c] = duckdb_vector_get_validity(vector);
      }
      for (idx_t r = 0; r < size; ++r) {
        std::vector<std::optional<std::string>> row(columns);
        for (size_t c = 0; c < columns; ++c) {
          if (validity[c] && !duckdb_validity_row_is_valid(validity[c], r)) continue;
          duckdb_string_t* value = &data[c][r];
          row[c] = std::string(duckdb_string_t_data(value), duckdb_string_t_length(*value));
        }
        add_row(std::move(row));
      }
      duckdb_destroy_data_chunk(&chunk);
    }
    if (const char* error = duckdb_result_error(&raw.result); error || stopped_by) fail(error);
    return result;
  }

  if (duckdb_execute_prepared(prepared.handle, &raw.result) == DuckDBError) {
    fail(duckdb_result_error(&raw.result));
  }
  idx_t columns = duckdb_column_count(&raw.result);
  idx_t rows = duckdb_row_count(&raw.result);
  for (idx_t c = 0; c < columns; ++c) {
    result.column_names.emplace_back(duckdb_column_name(&raw.result, c));
    result.column_types.emplace_back(TypeName(duckdb_column_type(&raw.result, c)));
  }
  if (sink && sink->begin) sink->begin(result);
  for (idx_t r = 0; r < rows; ++r) {
    std::vector<std::optional<std::string>> row(columns);
    for (idx_t c = 0; c < columns; ++c) {
      if (duckdb_value_is_null(&raw.result, c, r)) continue;
      char* value = duckdb_value_varchar(&raw.result, c, r);
      row[c] = value ? std::string(value) : std::string();
      duckdb_free(value);
    }
    add_row(std::move(row));
  }
  return result;
}

QueryResult QueryEngine::RunCtas(const std::string& sql, const std::string& query_id) {
  Ctas ctas = *ParseCtas(sql);
  std::string database = ctas.database.empty() ? options_.database : ctas.database;
  if (ctas.table.empty() || ctas.table.find('/') != std::string::npos ||
      ctas.table.front() == '_' || ctas.table.front() == '.') {
    Fail("invalid table name '{}'", ctas.table);
  }
  QueryResult result;
  result.statement = "CTAS";
  result.column_names = {"rows"};
  result.column_types = {"BIGINT"};
  if (auto existing = catalog_.GetTable(database, ctas.table); existing) {
    if (ctas.if_not_exists) {
      result.rows.push_back({std::string("0")});
      return result;
    }
    Fail("table {}.{} already exists", database, ctas.table);
  }
  std::string location = ctas.table + "/";
  if (!lake_.List(location).objects.empty()) {
    Fail("the lake already holds objects under {}; choose another table name",
         lake_.UriOf(location));
  }
  // The SELECT alone must be a plain query.
  {
    Extracted extracted;
    Prepared prepared;
    idx_t n = duckdb_extract_statements(conn_->handle(), ctas.select.c_str(), &extracted.handle);
    if (n != 1) Fail("CREATE TABLE ... AS needs exactly one SELECT");
    if (duckdb_prepare_extracted_statement(conn_->handle(), extracted.handle, 0,
                                           &prepared.handle) == DuckDBError) {
      Fail("{}", ExplainUnknownTable(duckdb_prepare_error(prepared.handle)));
    }
    if (duckdb_prepared_statement_type(prepared.handle) != DUCKDB_STATEMENT_TYPE_SELECT) {
      Fail("CREATE TABLE ... AS needs a SELECT");
    }
  }
  fs::path dir = staging_dir_ / ("ctas-" + query_id);
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  std::string file_name = "part-00000-00000000000000000000.parquet";
  fs::path staged = dir / file_name;
  QueryResult copied =
      Execute("COPY (" + ctas.select + ") TO " + duck::QuoteLiteral(staged.string()) +
                  " (FORMAT parquet, COMPRESSION zstd)",
              /*internal=*/true);
  int64_t rows = copied.rows.empty() || !copied.rows[0][0] ? 0 : std::stoll(*copied.rows[0][0]);
  duck::Result described = conn_->Query("DESCRIBE SELECT * FROM read_parquet(" +
                                        duck::QuoteLiteral(staged.string()) + ")");
  std::vector<std::pair<std::string, catalog::HiveType>> raw;
  for (size_t r = 0; r < described.RowCount(); ++r) {
    raw.emplace_back(*described.GetString(0, r),
                     catalog::FromDuckDBType(*described.GetString(1, r)));
  }
  std::string key = location + file_name;
  lake_.PutFile(key, staged);
  std::optional<ObjectInfo> head = lake_.Head(key);
  if (!head) Fail("CTAS: {} vanished after upload", lake_.UriOf(key));

  catalog::TableInfo t;
  t.database = database;
  t.name = ctas.table;
  t.lake_uri = lake_.Uri();
  t.location = location;
  t.classification = "parquet";
  catalog::Serde serde = catalog::SerdeFor("parquet");
  t.serde = serde.library;
  t.input_format = serde.input_format;
  t.output_format = serde.output_format;
  t.compression = "zstd";
  t.columns = catalog::NormalizeColumns(raw);
  for (auto& c : t.columns) c.type = catalog::Finished(catalog::ParseHiveType(c.type)).ToHive();
  t.record_count = rows;
  t.size_bytes = static_cast<int64_t>(head->size);
  t.file_count = 1;
  t.created_by = "ctas";
  t.created_ms = t.updated_ms = catalog::NowMs();
  catalog::FileInfo f;
  f.key = key;
  f.size = head->size;
  f.etag = head->etag;
  f.modified_ms = head->modified_ms;
  f.record_count = rows;
  f.schema = t.columns;
  {
    catalog::Catalog::WriteTransaction txn(catalog_);
    if (catalog_.GetTable(database, ctas.table)) {
      Fail("table {}.{} was created by someone else meanwhile", database, ctas.table);
    }
    catalog_.EnsureDatabase(database);
    catalog_.SaveTable(t);
    catalog_.RecordVersion(t, 0, "created by CTAS query " + query_id);
    catalog_.ReplaceFiles(database, t.name, {f});
    txn.Commit();
  }
  conn_->Query("CREATE SCHEMA IF NOT EXISTS " + duck::QuoteIdentifier(database));
  result.rows.push_back({std::to_string(rows)});
  return result;
}

namespace {

void CountQuery(const std::string& state, std::chrono::steady_clock::duration elapsed,
                int64_t bytes_scanned) {
  CounterMetric("ticklake_query_queries_total", "Queries run, by final state.",
                fmt::format("state=\"{}\"", state))
      .Add();
  HistogramMetric("ticklake_query_seconds", "Duration of a query, by final state.",
                  fmt::format("state=\"{}\"", state))
      .Observe(std::chrono::duration<double>(elapsed).count());
  CounterMetric("ticklake_query_bytes_scanned_total", "Bytes of catalog files queries could read.")
      .Add(bytes_scanned);
}

}  // namespace

QueryResult QueryEngine::Run(const std::string& sql) {
  auto start = std::chrono::steady_clock::now();
  catalog::QueryRecord record;
  record.id = NewUuid();
  record.database = options_.database;
  record.sql = sql;
  record.started_ms = catalog::NowMs();
  QueryResult result;
  // Rows go to <results>/<id>.csv as they arrive (under a hidden temporary name until the
  // statement has succeeded), so the saved result is complete even when few rows are kept.
  fs::path results_dir = options_.data_dir / "results";
  fs::path csv_path = results_dir / (record.id + ".csv");
  fs::path csv_tmp = results_dir / ("." + record.id + ".csv.tmp");
  std::ofstream csv;
  RowSink sink;
  if (options_.save_results) {
    sink.begin = [&](const QueryResult& r) {
      std::error_code ec;
      fs::create_directories(results_dir, ec);
      if (ec) Fail("cannot create {}: {}", results_dir.string(), ec.message());
      csv.open(csv_tmp, std::ios::binary | std::ios::trunc);
      if (!csv) Fail("cannot write {}: {}", csv_tmp.string(), ErrnoMessage());
      for (size_t c = 0; c < r.column_names.size(); ++c) {
        csv << (c ? "," : "") << CsvField(r.column_names[c]);
      }
      csv << "\n";
    };
    sink.row = [&](const std::vector<std::optional<std::string>>& row) {
      for (size_t c = 0; c < row.size(); ++c) {
        if (c) csv << ',';
        if (row[c]) csv << CsvField(*row[c]);
      }
      csv << '\n';
    };
  }
  try {
    std::string trimmed = Trimmed(sql);
    record.sql = QuoteDefaultDatabase(trimmed);
    TimeTravelStatement travel = RewriteTimeTravel(trimmed);
    std::string text = QuoteDefaultDatabase(travel.sql);
    IcebergScanStats iceberg = iceberg_views_->Prepare(
        text, travel, options_.database, [&](const std::string& db, const std::string& name) {
          auto t = catalog_.GetTable(db, name);
          return t && t->state == "active";
        });
    int64_t bytes = PrepareViews(text) + iceberg.bytes;
    if (ParseCtas(text)) {
      result = RunCtas(text, record.id);
      result.total_rows = static_cast<int64_t>(result.rows.size());
      if (sink.begin) {
        sink.begin(result);
        for (const auto& row : result.rows) sink.row(row);
      }
    } else {
      result = Execute(text, /*internal=*/false, &sink);
    }
    result.bytes_scanned = bytes;
    result.files_scanned = iceberg.files_scanned;
    result.files_pruned = iceberg.files_pruned;
    if (csv.is_open()) {
      csv.close();
      if (!csv) Fail("cannot write {}", csv_tmp.string());
      fs::rename(csv_tmp, csv_path);
      result.result_location = fs::absolute(csv_path).string();
    }
    record.state = "SUCCEEDED";
  } catch (const Error& e) {
    if (csv.is_open()) csv.close();
    std::error_code ec;
    fs::remove(csv_tmp, ec);
    record.state = std::string(e.what()).starts_with("query cancelled") ? "CANCELLED" : "FAILED";
    CountQuery(record.state, std::chrono::steady_clock::now() - start, 0);
    record.error = e.what();
    record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    if (options_.record_history) {
      try {
        catalog_.RecordQuery(record);
      } catch (const Error&) {
        // The query's own error is what the user needs to see.
      }
    }
    throw;
  }
  result.query_id = record.id;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record.duration_ms = static_cast<int64_t>(result.seconds * 1000);
  record.rows = result.total_rows;
  record.bytes_scanned = result.bytes_scanned;
  record.result_location = result.result_location;
  if (options_.save_results) SaveMetadata(result, record);
  if (options_.record_history) catalog_.RecordQuery(record);
  CountQuery(record.state, std::chrono::steady_clock::now() - start, result.bytes_scanned);
  return result;
}

void QueryEngine::SaveMetadata(const QueryResult& result, const catalog::QueryRecord& record) {
  fs::path dir = options_.data_dir / "results";
  std::string meta = "{\"id\":";
  AppendJsonString(meta, result.query_id);
  meta += ",\"database\":";
  AppendJsonString(meta, record.database);
  meta += ",\"sql\":";
  AppendJsonString(meta, record.sql);
  meta += ",\"statement\":";
  AppendJsonString(meta, result.statement);
  meta += fmt::format(
      ",\"state\":\"SUCCEEDED\",\"submitted_ms\":{},\"duration_ms\":{},"
      "\"rows\":{},\"bytes_scanned\":{},\"columns\":",
      record.started_ms, record.duration_ms, record.rows, record.bytes_scanned);
  AppendColumnsJson(meta, result);
  meta += ",\"output_location\":";
  AppendJsonString(meta, result.result_location);
  meta += "}\n";
  WriteFileAtomically(dir / (result.query_id + ".metadata.json"), meta);
}

std::vector<QueryResult> QueryEngine::RunScript(const std::string& script) {
  std::vector<QueryResult> results;
  for (const auto& statement : SplitStatements(script)) results.push_back(Run(statement));
  return results;
}

}  // namespace ticklake::query
