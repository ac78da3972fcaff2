#include <fmt/format.h>

#include <vector>

#include "cli/commands.h"
#include "common/error.h"
#include "common/stop.h"

namespace ticklake::cli {
namespace {

CLI::Validator NumberCheck(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& text) -> std::string {
        double value = 0;
        size_t used = 0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || !(allow_zero ? value >= 0 : value > 0)) {
          return fmt::format("must be a number {} 0, got '{}'", allow_zero ? ">=" : ">", text);
        }
        return "";
      },
      allow_zero ? "NUMBER>=0" : "NUMBER>0");
}

}  // namespace

const CLI::Validator kPositive = NumberCheck(false);
const CLI::Validator kNonNegative = NumberCheck(true);

int Main(int argc, char** argv) {
  CLI::App app{
      "ticklake: stock-market ticks from Kafka into a queryable data lake.\n"
      "  produce -> Kafka (broker) -> sink -> lake -> crawl -> catalog -> query"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ticklake 0.1.0");
  struct Entry {
    CLI::App* sub;
    Runner run;
  };
  std::vector<Entry> entries;
  for (auto add :
       {AddBrokerCommand, AddProduceCommand, AddSinkCommand, AddCrawlCommand, AddCatalogCommand,
        AddQueryCommand, AddCompactCommand, AddDemoCommand, AddConsoleCommand}) {
    Runner run = add(app);
    entries.push_back({app.get_subcommands({}).back(), std::move(run)});
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  InstallStopHandlers();
  for (auto& entry : entries) {
    if (!entry.sub->parsed()) continue;
    try {
      return entry.run();
    } catch (const Error& e) {
      fmt::print(stderr, "ticklake {}: {}\n", entry.sub->get_name(), e.what());
      return 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "ticklake {}: internal error: {}\n", entry.sub->get_name(), e.what());
      return 1;
    }
  }
  return 1;
}

}  // namespace ticklake::cli
