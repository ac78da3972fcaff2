#include "cli/commands.h"

namespace ticklake::cli {

Runner AddQueryCommand(CLI::App& app) {
  app.add_subcommand("query", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
