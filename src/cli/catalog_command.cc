// `ticklake catalog`: inspects the catalog and exports tables for Glue and Athena.
#include <fmt/format.h>

#include <ctime>

#include "catalog/catalog.h"
#include "catalog/file_sizes.h"
#include "catalog/table_export.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/json_writer.h"
#include "common/strings.h"

namespace ticklake::cli {
namespace {

std::string Quoted(const std::string& s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Splits "db.table" into its parts; a bare name uses `database`.
std::pair<std::string, std::string> SplitName(const std::string& name,
                                              const std::string& database) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return {database, name};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

catalog::TableInfo MustGetTable(catalog::Catalog& cat, const std::string& name,
                                const std::string& database) {
  auto [db, table] = SplitName(name, database);
  auto t = cat.GetTable(db, table);
  if (!t) {
    std::vector<std::string> names;
    for (const auto& x : cat.ListTables(db)) names.push_back(x.name);
    Fail("no table {}.{} in catalog {} (tables: {})", db, table, cat.path().string(),
         names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
  }
  return *t;
}

}  // namespace

Runner AddCatalogCommand(CLI::App& app) {
  struct Options {
    std::string catalog = "ticklake-data/catalog.db";
    std::string database = "default";
    std::string table;
    std::string location_prefix;
    bool json = false;
    int limit = 20;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "catalog",
      "Inspect the catalog (crawled Hive tables and Iceberg tables); export tables as Athena DDL\n"
      "or Glue TableInput JSON; list and expire the snapshots of Iceberg tables.");
  sub->footer(
      "Examples:\n"
      "  ticklake catalog ls\n"
      "  ticklake catalog show stock_market\n"
      "  ticklake catalog crawls\n"
      "  ticklake catalog ddl stock_market --location-prefix s3://bucket/lake");
  sub->require_subcommand(1);
  sub->add_option("--catalog", opts->catalog, "Catalog file (SQLite)")->capture_default_str();
  // `catalog ls --catalog X` as well as `catalog --catalog X ls`.
  sub->fallthrough();
  sub->add_option("--database", opts->database, "Catalog database")->capture_default_str();
  auto* ls = sub->add_subcommand("ls", "List databases' tables");
  ls->add_flag("--json", opts->json, "Print JSON");
  auto* show = sub->add_subcommand("show", "Show a table: location, format, columns, partitions");
  auto* history = sub->add_subcommand("history", "Schema versions of a table");
  auto* ddl = sub->add_subcommand("ddl", "Print Athena CREATE EXTERNAL TABLE DDL");
  auto* glue = sub->add_subcommand("glue", "Print a Glue TableInput JSON (aws glue create-table)");
  auto* crawls = sub->add_subcommand(
      "crawls", "Recent crawl runs (a sink --catalog session is one run with its update count)");
  crawls->add_option("--limit", opts->limit, "How many")->capture_default_str();
  for (auto* s : {show, history, ddl, glue}) {
    s->add_option("table", opts->table, "Table name (TABLE or DATABASE.TABLE)")->required();
  }
  for (auto* s : {ddl, glue}) {
    s->add_option("--location-prefix", opts->location_prefix,
                  "Replace the lake's location by this prefix, e.g. s3://bucket/lake");
  }
  IcebergCatalogRunner iceberg = AddIcebergCatalogCommands(
      *sub, {&opts->database, &opts->table, &opts->location_prefix, show, ddl, glue});
  return [opts, ls, show, history, ddl, glue, crawls, iceberg] {
    auto cat = catalog::Catalog::OpenExisting(opts->catalog);
    if (ls->parsed()) {
      auto databases = cat->ListDatabases();
      std::vector<IcebergListing> iceberg_tables = ListIcebergTables(opts->catalog);
      if (opts->json) {
        std::string out = "[";
        bool first = true;
        for (const auto& db : databases) {
          for (const auto& t : cat->ListTables(db)) {
            out += first ? "" : ",";
            first = false;
            out += fmt::format(
                "{{\"database\":{},\"name\":{},\"classification\":{},\"location\":{},"
                "\"columns\":{},\"partition_keys\":{},\"records\":{},\"bytes\":{},\"files\":{},"
                "\"version\":{},\"state\":{}}}",
                Quoted(db), Quoted(t.name), Quoted(t.classification),
                Quoted(catalog::TableLocation(t, "")), t.columns.size(), t.partition_keys.size(),
                t.record_count, t.size_bytes, t.file_count, t.version, Quoted(t.state));
          }
        }
        for (const auto& t : iceberg_tables) {
          out += fmt::format(
              "{}{{\"database\":{},\"name\":{},\"classification\":\"ICEBERG\",\"location\":{},"
              "\"columns\":{},\"partition_keys\":0,\"records\":{},\"bytes\":{},\"files\":{},"
              "\"version\":{},\"state\":{},\"snapshots\":{}}}",
              first ? "" : ",", Quoted(t.database), Quoted(t.name), Quoted(t.location), t.columns,
              t.records, t.bytes, t.files, t.version, Quoted(t.state), t.snapshots);
          first = false;
        }
        fmt::print("{}]\n", out);
        return 0;
      }
      fmt::print("{:<12} {:<28} {:<8} {:>7} {:>10} {:>12} {:>6} {:>4} {:<10}\n", "database",
                 "table", "format", "columns", "records", "bytes", "files", "ver", "state");
      for (const auto& db : databases) {
        for (const auto& t : cat->ListTables(db)) {
          fmt::print("{:<12} {:<28} {:<8} {:>7} {:>10} {:>12} {:>6} {:>4} {:<10}\n", db, t.name,
                     t.classification, t.columns.size() + t.partition_keys.size(), t.record_count,
                     t.size_bytes, t.file_count, t.version, t.state);
        }
      }
      for (const auto& t : iceberg_tables) {
        fmt::print("{:<12} {:<28} {:<8} {:>7} {:>10} {:>12} {:>6} {:>4} {:<10}\n", t.database,
                   t.name, "ICEBERG", t.columns, t.records, t.bytes, t.files, t.version,
                   t.error.empty() ? t.state : t.state + ": " + t.error);
      }
      return 0;
    }
    if (crawls->parsed()) {
      // A sink session (sink --catalog) is one run, however many commits it updated the
      // catalog after.
      for (const auto& r : cat->ListCrawls(opts->database, opts->limit)) {
        std::string by = r.source == "crawler"
                             ? fmt::format("crawl {}", r.id)
                             : fmt::format("{} run {} ({} update{})", r.source, r.id, r.updates,
                                           r.updates == 1 ? "" : "s");
        fmt::print(
            "{} {} {} .. {}: {} created, {} updated, {} deleted, {} partitions added, {} "
            "files read, {} unchanged, {} errors\n",
            by, r.state, FormatUtcMillis(r.started_ms), FormatUtcMillis(r.ended_ms),
            r.tables_created, r.tables_updated, r.tables_deleted, r.partitions_added, r.files_read,
            r.files_unchanged, r.errors.size());
        for (const auto& e : r.errors) fmt::print("  error: {}\n", e.message);
      }
      return 0;
    }
    if (auto code = iceberg(*cat)) return *code;
    catalog::TableInfo t = MustGetTable(*cat, opts->table, opts->database);
    if (show->parsed()) {
      fmt::print("table        {}.{}\n", t.database, t.name);
      fmt::print("location     {}\n", catalog::TableLocation(t, ""));
      fmt::print("format       {} ({})\n", t.classification, t.serde);
      fmt::print("state        {} (version {}, created {} by {}, updated {})\n", t.state, t.version,
                 FormatUtcMillis(t.created_ms), t.created_by, FormatUtcMillis(t.updated_ms));
      fmt::print("files        {} ({} bytes, {} per file on average)\n", t.file_count, t.size_bytes,
                 catalog::HumanBytes(catalog::AverageFileBytes(t)));
      if (std::string warning = catalog::SmallFileWarning(t); !warning.empty()) {
        fmt::print("warning      {}\n", warning);
      }
      for (const auto& [k, v] : catalog::GlueParameters(t)) fmt::print("  {:<22} {}\n", k, v);
      fmt::print("columns\n");
      for (const auto& c : t.columns) {
        fmt::print(
            "  {:<24} {}{}\n", c.name, c.type,
            c.source_name != c.name ? fmt::format("  (in data: \"{}\")", c.source_name) : "");
      }
      if (!t.partition_keys.empty()) {
        fmt::print("partition keys\n");
        for (const auto& c : t.partition_keys) fmt::print("  {:<24} {}\n", c.name, c.type);
        auto partitions = cat->ListPartitions(t.database, t.name);
        fmt::print("partitions ({})\n", partitions.size());
        for (const auto& p : partitions) {
          fmt::print("  {:<48} {:>5} files {:>12} bytes  modified {}\n", p.location, p.file_count,
                     p.size_bytes, FormatUtcMillis(p.last_modified_ms));
        }
      }
      return 0;
    }
    if (history->parsed()) {
      for (const auto& v : cat->History(t.database, t.name)) {
        auto run = cat->GetCrawl(v.crawl_id);
        std::string by = run && run->source != "crawler" ? run->source + ", run" : "crawl";
        fmt::print("version {}  {}  {} {}  {}\n", v.version, FormatUtcMillis(v.created_ms), by,
                   v.crawl_id, v.change);
        std::vector<std::string> cols;
        for (const auto& c : v.columns) cols.push_back(c.name + " " + c.type);
        fmt::print("  columns: {}\n", fmt::join(cols, ", "));
        if (!v.partition_keys.empty()) {
          std::vector<std::string> keys;
          for (const auto& c : v.partition_keys) keys.push_back(c.name + " " + c.type);
          fmt::print("  partition keys: {}\n", fmt::join(keys, ", "));
        }
      }
      return 0;
    }
    if (ddl->parsed()) {
      fmt::print("{}", catalog::AthenaDdl(t, cat->ListPartitions(t.database, t.name),
                                          opts->location_prefix));
      return 0;
    }
    if (glue->parsed()) {
      fmt::print("{}", catalog::GlueTableInput(t, opts->location_prefix));
      return 0;
    }
    return 1;
  };
}

}  // namespace ticklake::cli
