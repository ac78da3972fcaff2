#include "cli/commands.h"

namespace ticklake::cli {

Runner AddCatalogCommand(CLI::App& app) {
  app.add_subcommand("catalog", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
