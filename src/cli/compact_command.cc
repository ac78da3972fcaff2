// `ticklake compact`: rewrites the small data files of an Iceberg table into files near a target
// size, committed as one replace snapshot (iceberg/compaction.h) — safe while a sink appends.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/json_writer.h"
#include "common/units.h"
#include "iceberg/compaction.h"
#include "query/iceberg_tables.h"

namespace ticklake::cli {

Runner AddCompactCommand(CLI::App& app) {
  struct Options {
    std::string table;
    std::string catalog = "ticklake-data/catalog.db";
    std::string database = "default";
    std::string data_dir = "ticklake-data";
    std::string target_file_size = "128M";
    std::string min_file_size;
    int min_input_files = 2;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "compact",
      "Rewrite an Iceberg table's small files into files near a target size, in one snapshot.\n"
      "Safe while a sink keeps committing.");
  sub->footer(
      "Examples:\n"
      "  ticklake compact ticks --target-file-size 128M");
  sub->add_option("table", opts->table, "Iceberg table (TABLE or DATABASE.TABLE)")->required();
  sub->add_option("--catalog", opts->catalog, "Catalog file (SQLite)")->capture_default_str();
  sub->add_option("--database", opts->database, "Database (Iceberg namespace) for a bare name")
      ->capture_default_str();
  sub->add_option("--target-file-size", opts->target_file_size,
                  "Size of the rewritten files (e.g. 128M, 1G)")
      ->capture_default_str();
  sub->add_option("--min-file-size", opts->min_file_size,
                  "Files at least this large are left alone (default: 3/4 of the target)");
  sub->add_option("--min-input-files", opts->min_input_files,
                  "Rewrite a partition only when it has at least this many small files")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 30));
  sub->add_option("--data-dir", opts->data_dir, "Where new files are staged (tmp/ below it)")
      ->capture_default_str();
  sub->add_flag("--json", opts->json, "Print the result as JSON");
  return [opts] {
    iceberg::CompactOptions options;
    int64_t target =
        static_cast<int64_t>(ParseByteSize(opts->target_file_size, "--target-file-size"));
    if (target < 1024)
      Fail("--target-file-size: {} is too small (at least 1K)", opts->target_file_size);
    options.target_file_size = target;
    if (!opts->min_file_size.empty()) {
      options.min_file_size =
          static_cast<int64_t>(ParseByteSize(opts->min_file_size, "--min-file-size"));
    }
    options.min_input_files = opts->min_input_files;
    auto cat = catalog::Catalog::OpenExisting(opts->catalog);
    query::IcebergTables tables(cat->path());
    iceberg::TableIdent ident = tables.MustFind(opts->table, opts->database);
    iceberg::Table table = tables.Load(ident);
    namespace fs = std::filesystem;
    options.temp_dir = fs::absolute(fs::path(opts->data_dir) / "tmp" /
                                    fmt::format("compact-{}", static_cast<long>(getpid())));
    fs::create_directories(options.temp_dir);
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    } cleanup{options.temp_dir};
    iceberg::CompactResult r = iceberg::Compact(table, options);
    if (opts->json) {
      std::string name;
      AppendJsonString(name, ident.ToString());
      fmt::print(
          "{{\"table\":{},\"snapshot_id\":{},\"partitions_rewritten\":{},\"files_removed\":{},"
          "\"files_added\":{},\"bytes_removed\":{},\"bytes_added\":{},\"records\":{}}}\n",
          name, r.snapshot_id ? std::to_string(*r.snapshot_id) : "null", r.partitions_rewritten,
          r.files_removed, r.files_added, r.bytes_removed, r.bytes_added, r.records);
    } else if (!r.snapshot_id) {
      fmt::print(
          "{}: nothing to compact (no partition has {} or more files below the size limit)\n",
          ident.ToString(), options.min_input_files);
    } else {
      fmt::print(
          "{}: rewrote {} file(s) ({} bytes) into {} file(s) ({} bytes) in {} partition(s), {} "
          "records; snapshot {}\n",
          ident.ToString(), r.files_removed, r.bytes_removed, r.files_added, r.bytes_added,
          r.partitions_rewritten, r.records, *r.snapshot_id);
    }
    return 0;
  };
}

}  // namespace ticklake::cli
