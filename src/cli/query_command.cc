// `ticklake query`: Athena-style SQL over the catalog's tables (see query/query_engine.h).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "catalog/catalog.h"
#include "catalog/default_lake.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/stop.h"
#include "common/strings.h"
#include "query/iceberg_tables.h"
#include "query/query_engine.h"
#include "query/result_format.h"
#include "query/sql_text.h"
#include "store/object_store.h"

namespace ticklake::cli {
namespace {

uint64_t ParseSize(const std::string& text) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    Fail("invalid size '{}' (examples: 512M, 2G, 1000000)", text);
  }
  std::string unit = text.substr(pos);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'B') unit.pop_back();
  if (!unit.empty() && unit.back() == 'I') unit.pop_back();  // KiB, MiB, GiB
  double scale = unit.empty()  ? 1
                 : unit == "K" ? 1024.0
                 : unit == "M" ? 1048576.0
                 : unit == "G" ? 1073741824.0
                               : -1;
  if (scale < 0 || value < 0) Fail("invalid size '{}' (examples: 512M, 2G, 1000000)", text);
  return static_cast<uint64_t>(value * scale);
}

}  // namespace

Runner AddQueryCommand(CLI::App& app) {
  struct Options {
    std::string sql;
    std::string file;
    std::string lake;
    std::string catalog = "ticklake-data/catalog.db";
    std::string database = "default";
    std::string data_dir = "ticklake-data";
    std::string format = "table";
    std::string cache_size = "2G";
    size_t max_rows = 100;
    double timeout = 0;
    bool history = false;
    int history_limit = 20;
    bool no_save = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "query", "Run Athena-style SQL over the catalog's tables with embedded DuckDB.");
  sub->footer(
      "Examples:\n"
      "  ticklake query 'SELECT \"index\", count(*), avg(close) FROM stock_market GROUP BY 1'\n"
      "  ticklake query -f report.sql --format csv\n"
      "  ticklake query \"CREATE TABLE hsi AS SELECT * FROM stock_market WHERE "
      "\\\"index\\\"='HSI'\"\n"
      "  ticklake query          # on a terminal: an interactive prompt");
  sub->add_option("sql", opts->sql,
                  "SQL statement (omit for -f, stdin, or the interactive prompt)");
  sub->add_option("-f,--file", opts->file, "Run the statements of this SQL file in order");
  sub->add_option("--lake", opts->lake,
                  "Lake directory (default: the lake the catalog's tables were crawled from)");
  sub->add_option("--catalog", opts->catalog, "Catalog file (SQLite)")->capture_default_str();
  sub->add_option("--database", opts->database, "Database for bare table names")
      ->capture_default_str();
  sub->add_option("--data-dir", opts->data_dir, "Where results/, cache/ and tmp/ go")
      ->capture_default_str();
  sub->add_option("--format", opts->format, "Output: table, csv, json (lines) or markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
  sub->add_option("--max-rows", opts->max_rows, "Rows shown per result (0 = all; files keep all)")
      ->capture_default_str();
  sub->add_option("--timeout", opts->timeout, "Cancel a statement after SECS seconds (0 = never)")
      ->capture_default_str()
      ->check(kNonNegative);
  sub->add_option("--cache-size", opts->cache_size,
                  "Local cache budget for S3 lakes (e.g. 512M, 2G)")
      ->capture_default_str();
  sub->add_flag("--history", opts->history, "Show recent queries from the catalog and exit");
  sub->add_option("--history-limit", opts->history_limit, "How many queries --history shows")
      ->capture_default_str();
  sub->add_flag("--no-save", opts->no_save, "Do not save result files under <data-dir>/results");
  return [opts] {
    auto cat = catalog::Catalog::OpenExisting(opts->catalog);
    query::OutputFormat format = query::ParseOutputFormat(opts->format);
    auto print_history = [&] {
      query::QueryResult h;
      h.column_names = {"id", "submitted", "state", "ms", "rows", "bytes", "sql", "error"};
      h.column_types = {"VARCHAR", "VARCHAR", "VARCHAR", "BIGINT",
                        "BIGINT",  "BIGINT",  "VARCHAR", "VARCHAR"};
      for (const auto& q : cat->ListQueries(opts->history_limit)) {
        std::string sql = q.sql.size() > 60 ? q.sql.substr(0, 57) + "..." : q.sql;
        std::string error = q.error.substr(0, q.error.find('\n'));
        h.rows.push_back({q.id, FormatUtcMillis(q.started_ms), q.state,
                          std::to_string(q.duration_ms), std::to_string(q.rows),
                          std::to_string(q.bytes_scanned), sql,
                          error.empty() ? std::nullopt : std::optional<std::string>(error)});
      }
      fmt::print("{}", query::FormatResult(h, format, 0));
    };
    if (opts->history) {
      print_history();
      return 0;
    }
    std::string lake_uri = query::DefaultQueryLake(*cat, opts->database, opts->lake);
    auto lake = OpenObjectStore(lake_uri);
    query::QueryEngineOptions options;
    options.database = opts->database;
    options.data_dir = opts->data_dir;
    options.save_results = !opts->no_save;
    options.timeout_seconds = opts->timeout;
    options.cache_bytes = ParseSize(opts->cache_size);
    options.keep_rows = opts->max_rows;  // only what is shown stays in memory
    query::QueryEngine engine(*cat, *lake, options);

    auto run_one = [&](const std::string& sql) {
      query::QueryResult r = engine.Run(sql);
      fmt::print("{}", query::FormatResult(r, format, opts->max_rows));
      std::fflush(stdout);
      std::string iceberg = r.files_scanned || r.files_pruned
                                ? fmt::format(" (Iceberg: {} file(s) scanned, {} pruned)",
                                              r.files_scanned, r.files_pruned)
                                : "";
      fmt::print(stderr, "query {}: {} row(s) in {:.3f} s, {} bytes in scanned tables{}{}\n",
                 r.query_id, r.total_rows, r.seconds, r.bytes_scanned, iceberg,
                 r.result_location.empty() ? "" : "; results: " + r.result_location);
    };

    if (!opts->sql.empty() && !opts->file.empty()) Fail("give SQL or -f FILE, not both");
    if (!opts->sql.empty()) {
      run_one(opts->sql);
      return 0;
    }
    if (!opts->file.empty()) {
      for (const auto& statement : query::SplitStatements(ReadWholeFile(opts->file))) {
        run_one(statement);
      }
      return 0;
    }
    if (!isatty(STDIN_FILENO)) {
      std::string script((std::istreambuf_iterator<char>(std::cin)),
                         std::istreambuf_iterator<char>());
      for (const auto& statement : query::SplitStatements(script)) run_one(statement);
      return 0;
    }

    // Interactive: statements end with ';'. Ctrl-C cancels the running statement (or the line
    // being typed); a second Ctrl-C while a statement runs exits. History: --history.
    fmt::print(stderr,
               "ticklake query: database {} on {}. End statements with ';'. .tables lists tables, "
               ".history recent queries, .quit leaves.\n",
               opts->database, lake->Uri());
    std::string buffer, line;
    while (true) {
      fmt::print(stderr, "{}", buffer.empty() ? "ticklake> " : "      ...> ");
      if (!std::getline(std::cin, line)) {
        if (StopRequested()) {  // Ctrl-C at the prompt: drop the statement being typed
          std::cin.clear();
          ResetStop();
          buffer.clear();
          fmt::print(stderr, "\n");
          continue;
        }
        fmt::print(stderr, "\n");
        break;
      }
      if (buffer.empty() && (line == ".quit" || line == ".exit" || line == "\\q")) break;
      if (buffer.empty() && line == ".history") {
        print_history();
        continue;
      }
      if (buffer.empty() && line == ".tables") {
        for (const auto& t : cat->ListTables(opts->database)) {
          if (t.state == "active") fmt::print("{}\n", t.name);
        }
        continue;
      }
      buffer += line + "\n";
      auto statements = query::SplitStatements(buffer);
      std::string trimmed = buffer;
      while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
        trimmed.pop_back();
      }
      if (trimmed.empty() || trimmed.back() != ';') continue;
      buffer.clear();
      for (const auto& statement : statements) {
        try {
          run_one(statement);
        } catch (const Error& e) {
          fmt::print(stderr, "error: {}\n", e.what());
        }
        ResetStop();
      }
    }
    return 0;
  };
}

}  // namespace ticklake::cli
