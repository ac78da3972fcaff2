// The subcommands of the ticklake binary. Each Add*Command registers its flags on the app and
// returns the function that runs it; Main parses, runs the chosen one, and turns an Error into
// one line on stderr and exit code 1.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

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

int Main(int argc, char** argv);

}  // namespace ticklake::cli
