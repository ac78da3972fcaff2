#include "cli/commands.h"

namespace ticklake::cli {

Runner AddSinkCommand(CLI::App& app) {
  app.add_subcommand("sink", "(placeholder)");
  return [] { return 1; };
}

}  // namespace ticklake::cli
