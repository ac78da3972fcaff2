#include "cli/commands.h"

namespace ticklake::cli {

Runner AddCrawlCommand(CLI::App& app) {
  app.add_subcommand("crawl", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
