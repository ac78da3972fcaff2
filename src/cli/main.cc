// The ticklake binary: parses the command line and hands over to one subcommand.
#include "cli/commands.h"

int main(int argc, char** argv) { return ticklake::cli::Main(argc, argv); }
