#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cli/commands.h"
#include "common/file_util.h"
#include "common/stop.h"
#include "kafka/embedded_broker.h"

namespace ticklake::cli {

Runner AddBrokerCommand(CLI::App& app) {
  struct Options {
    int brokers = 3;
    std::vector<std::string> topics = {"stock_market:6"};
    std::string bootstrap_file;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "broker",
      "Run the embedded development Kafka broker (librdkafka mock cluster) on 127.0.0.1.\n"
      "In memory only, keeps at most 5 MiB per partition: for development, not production.");
  sub->footer(
      "Examples:\n"
      "  ticklake broker --topic stock_market:6 --bootstrap-file bootstrap.txt  # serves until "
      "Ctrl-C\n"
      "  # prints: 127.0.0.1:…,127.0.0.1:…,127.0.0.1:…");
  sub->add_option("--brokers", opts->brokers, "Number of brokers in the cluster")
      ->capture_default_str();
  sub->add_option("-t,--topic", opts->topics,
                  "Topic to create, NAME or NAME:PARTITIONS (repeatable)")
      ->capture_default_str();
  sub->add_option("--bootstrap-file", opts->bootstrap_file,
                  "Also write the bootstrap string to this file");
  return [opts] {
    std::vector<kafka::TopicSpec> topics;
    for (const auto& t : opts->topics) topics.push_back(kafka::ParseTopicSpec(t));
    kafka::EmbeddedBroker broker(opts->brokers, topics);
    fmt::print("{}\n", broker.bootstrap());
    std::fflush(stdout);
    if (!opts->bootstrap_file.empty())
      WriteFileAtomically(opts->bootstrap_file, broker.bootstrap() + "\n");
    std::string names;
    for (const auto& t : topics) names += fmt::format(" {}:{}", t.name, t.partitions);
    fmt::print(stderr, "ticklake broker: serving {} broker(s) at {} with topics{}; Ctrl-C stops\n",
               opts->brokers, broker.bootstrap(), names);
    while (!StopRequested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fmt::print(stderr, "ticklake broker: stopped\n");
    return 0;
  };
}

}  // namespace ticklake::cli
