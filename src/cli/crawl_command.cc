// `ticklake crawl`: discovers the lake's tables into the catalog (see catalog/crawler.h).
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "catalog/default_lake.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/json_writer.h"
#include "store/object_store.h"

namespace ticklake::cli {

Runner AddCrawlCommand(CLI::App& app) {
  struct Options {
    std::string lake = "ticklake-data/lake";
    std::string catalog = "ticklake-data/catalog.db";
    std::string cache = "ticklake-data/cache";
    std::string on_schema_change = "update";
    std::string on_delete = "deprecate";
    bool json = false;
    catalog::CrawlOptions crawl;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "crawl",
      "Discover the lake's tables (Parquet, JSON, CSV; Hive partitions) into the catalog, like an "
      "AWS Glue crawler.\nRe-crawls read only new or changed files.");
  sub->footer(
      "Examples:\n"
      "  ticklake crawl --lake ticklake-data/lake --exclude '*.tmp'\n"
      "  ticklake crawl --lake s3://my-bucket/lake --catalog s3-catalog.db");
  sub->add_option("--lake", opts->lake, "Lake directory (or file://, memory://)")
      ->capture_default_str();
  sub->add_option("--catalog", opts->catalog, "Catalog file (SQLite), created if missing")
      ->capture_default_str();
  sub->add_option("--database", opts->crawl.database, "Catalog database to crawl into")
      ->capture_default_str();
  sub->add_option("--root-table", opts->crawl.root_table_name,
                  "Table name for files directly in the lake root (default: the root's name)");
  sub->add_option("--sample", opts->crawl.sample, "JSON records sampled per file for types")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--exclude", opts->crawl.exclude, "Glob of keys or folders to skip (repeatable)");
  sub->add_option("--on-schema-change", opts->on_schema_change,
                  "update: new table version; log: keep the schema, note the change")
      ->capture_default_str()
      ->check(CLI::IsMember({"update", "log"}));
  sub->add_option("--on-delete", opts->on_delete,
                  "What to do with tables whose data vanished: deprecate, delete or log")
      ->capture_default_str()
      ->check(CLI::IsMember({"deprecate", "delete", "log"}));
  sub->add_option("--cache-dir", opts->cache, "Download cache for non-local lakes")
      ->capture_default_str();
  sub->add_flag("--json", opts->json, "Print the summary as JSON");
  return [opts] {
    catalog::CrawlOptions options = opts->crawl;
    options.on_schema_change = opts->on_schema_change == "log" ? catalog::OnSchemaChange::kLog
                                                               : catalog::OnSchemaChange::kUpdate;
    options.on_delete = opts->on_delete == "delete" ? catalog::OnDelete::kDelete
                        : opts->on_delete == "log"  ? catalog::OnDelete::kLog
                                                    : catalog::OnDelete::kDeprecate;
    options.cache_dir = opts->cache;
    // The catalog records the lake's absolute path, so queries work from any directory.
    opts->lake = catalog::NormalizeLakeUri(opts->lake);
    auto lake = OpenObjectStore(opts->lake);
    catalog::Catalog cat(opts->catalog);
    catalog::CrawlSummary s = catalog::Crawl(*lake, cat, options);
    if (opts->json) {
      std::string out = catalog::CrawlSummaryJson(s, options.database);
      fmt::print("{}\n", out);
    } else {
      fmt::print(
          "crawl {} of {} into database {}: {} table(s) created, {} updated, {} deleted; "
          "{} partition(s) added; {} file(s) read, {} unchanged; {} error(s) in {:.2f} s\n",
          s.crawl_id, lake->Uri(), options.database, s.tables_created, s.tables_updated,
          s.tables_deleted, s.partitions_added, s.files_read, s.files_unchanged, s.errors,
          s.seconds);
      if (!s.tables.empty()) fmt::print("tables: {}\n", fmt::join(s.tables, ", "));
      for (const auto& e : s.error_messages) fmt::print(stderr, "error: {}\n", e.message);
      for (const auto& n : s.notes) fmt::print(stderr, "note: {}: {}\n", n.path, n.message);
    }
    return 0;
  };
}

}  // namespace ticklake::cli
