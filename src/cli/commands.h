// The subcommands of the ticklake binary. Each Add*Command registers its flags on the app and
// returns the function that runs it; Main parses, runs the chosen one, and turns an Error into
// one line on stderr and exit code 1.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ticklake::cli {

using Runner = std::function<int()>;

// Flag checks with plain messages ("must be a number > 0: 0"), used instead of CLI11's
// PositiveNumber/NonNegativeNumber, whose messages print the range up to 1.8e308.
extern const CLI::Validator kPositive;
extern const CLI::Validator kNonNegative;

Runner AddBrokerCommand(CLI::App& app);
Runner AddProduceCommand(CLI::App& app);
Runner AddSinkCommand(CLI::App& app);
Runner AddCrawlCommand(CLI::App& app);
Runner AddCatalogCommand(CLI::App& app);
Runner AddQueryCommand(CLI::App& app);
Runner AddDemoCommand(CLI::App& app);
Runner AddConsoleCommand(CLI::App& app);
Runner AddCompactCommand(CLI::App& app);

}  // namespace ticklake::cli

namespace ticklake::catalog {
class Catalog;
}

namespace ticklake::cli {

// The Iceberg side of `ticklake catalog` (iceberg_catalog_command.cc). It adds `snapshots TABLE`
// and `expire TABLE` to the catalog command; its runner answers those, and show/ddl/glue when the
// table is an Iceberg table (nullopt: the Hive catalog answers). `args` point at the catalog
// command's flags, read when it runs.
struct CatalogArgs {
  const std::string* database;
  const std::string* table;
  const std::string* location_prefix;
  CLI::App *show, *ddl, *glue;
};
using IcebergCatalogRunner = std::function<std::optional<int>(catalog::Catalog&)>;
IcebergCatalogRunner AddIcebergCatalogCommands(CLI::App& catalog, const CatalogArgs& args);

// One line of `catalog ls` for an Iceberg table (format ICEBERG; version = schema id).
struct IcebergListing {
  std::string database, name, location, state = "active", error;
  size_t columns = 0;
  int64_t records = 0, bytes = 0, files = 0, snapshots = 0;
  int version = 0;
};
std::vector<IcebergListing> ListIcebergTables(const std::string& catalog_path);

int Main(int argc, char** argv);

}  // namespace ticklake::cli
