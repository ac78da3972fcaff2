#include "cli/commands.h"

namespace ticklake::cli {

Runner AddBrokerCommand(CLI::App& app) {
  app.add_subcommand("broker", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
