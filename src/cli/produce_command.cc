#include "cli/commands.h"

namespace ticklake::cli {

Runner AddProduceCommand(CLI::App& app) {
  app.add_subcommand("produce", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
