#include "cli/commands.h"

namespace ticklake::cli {

Runner AddDemoCommand(CLI::App& app) {
  app.add_subcommand("demo", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
