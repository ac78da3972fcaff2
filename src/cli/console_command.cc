// `ticklake console`: the web console (console/console_server.h) until Ctrl-C.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "common/stop.h"
#include "console/console_server.h"

namespace ticklake::cli {

Runner AddConsoleCommand(CLI::App& app) {
  struct Options {
    console::ConsoleOptions console;
    std::vector<std::string> properties;
    std::string catalog = "ticklake-data/catalog.db";
    std::string data_dir = "ticklake-data";
  };
  auto opts = std::make_shared<Options>();
  auto& c = opts->console;
  CLI::App* sub = app.add_subcommand(
      "console",
      "Serve the web console: the live pipeline, the catalog browser and a SQL editor with charts");
  sub->footer(
      "Examples:\n"
      "  ticklake console -b 127.0.0.1:9092 --catalog ticklake-data/catalog.db  # serves until "
      "Ctrl-C\n"
      "  # prints: serving http://127.0.0.1:8080/\n"
      "Beyond 127.0.0.1 a token is required: TICKLAKE_CONSOLE_TOKEN=... ticklake console -b ... "
      "--listen 0.0.0.0:8080, then open http://HOST:8080/?token=...");
  sub->add_option("-b,--bootstrap-server", c.bootstrap, "Kafka bootstrap servers (host:port,...)")
      ->required();
  sub->add_option("-t,--topic", c.topic, "Topic whose prices are charted")->capture_default_str();
  sub->add_option("-G,--group", c.groups,
                  "Consumer group to show even when the cluster cannot list groups (repeatable)")
      ->capture_default_str();
  sub->add_option("--listen", c.listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  sub->add_option("--token", c.token,
                  "Token every request must carry (default: $TICKLAKE_CONSOLE_TOKEN); required "
                  "beyond loopback");
  sub->add_option("--catalog", opts->catalog, "Catalog file (SQLite); created when missing")
      ->capture_default_str();
  sub->add_option("--database", c.database, "Catalog database")->capture_default_str();
  sub->add_option("--lake", c.lake,
                  "Lake for crawls, queries and landed-file counts (default: the lake the "
                  "catalog's tables were crawled from)");
  sub->add_option("--data-dir", opts->data_dir, "Where query results, cache and tmp go")
      ->capture_default_str();
  sub->add_option("-X", opts->properties, "librdkafka property key=value (repeatable)");
  return [opts] {
    auto& c = opts->console;
    c.properties = kafka::ParseProperties(opts->properties);
    c.catalog = opts->catalog;
    c.data_dir = opts->data_dir;
    if (c.token.empty()) {
      if (const char* token = std::getenv("TICKLAKE_CONSOLE_TOKEN")) c.token = token;
    }
    console::ConsoleServer server(c);
    server.Start();
    fmt::print(stderr, "ticklake console: serving {} (Ctrl-C stops)\n", server.Url());
    while (!StopRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.Stop();
    return 0;
  };
}

}  // namespace ticklake::cli
