// `ticklake produce`: the market feed (simulator or CSV replay) into a Kafka topic. Flag parsing
// only; the work is market::RunFeed (src/market/feed.h).
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "cli/commands.h"
#include "common/error.h"
#include "common/stop.h"
#include "console/metrics_server.h"
#include "kafka/client.h"
#include "market/feed.h"

namespace ticklake::cli {
namespace {

double ParseRate(const std::string& text) {
  if (text == "max" || text == "0") return 0;
  double rate = 0;
  try {
    size_t used = 0;
    rate = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    Fail("--rate: '{}' is not a number of messages per second or 'max'", text);
  }
  if (!std::isfinite(rate) || rate < 0) Fail("--rate: must be >= 0 or 'max', got '{}'", text);
  return rate;
}

// "\t" -> tab, as kcat -K accepts, since a literal tab is awkward to type.
std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      char c = text[++i];
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

Runner AddProduceCommand(CLI::App& app) {
  struct Options {
    market::FeedOptions feed;
    std::string rate = "1000";
    std::vector<std::string> properties;
    bool json = false;
    std::string metrics_listen;
  };
  auto opts = std::make_shared<Options>();
  market::FeedOptions& f = opts->feed;
  CLI::App* sub = app.add_subcommand(
      "produce",
      "Produce stock-market ticks to a Kafka topic: simulated (default; the 14 indices of\n"
      "indexProcessed.csv) or replayed from any CSV file. One JSON object per message, keyed by\n"
      "index symbol. Idempotent, lz4, murmur2 partitioning; every librdkafka property via -X.");
  sub->footer(
      "Examples:\n"
      "  ticklake produce -b 127.0.0.1:9092 --rate 5000 --count 20000 --seed 42\n"
      "  ticklake produce --output - --count 3");
  sub->add_option("-b,--bootstrap-server,--brokers", f.bootstrap,
                  "Kafka bootstrap servers, host:port[,host:port...] (required unless --output)");
  sub->add_option("-t,--topic", f.topic, "Topic to produce to")->capture_default_str();
  sub->add_option("-X", opts->properties,
                  "librdkafka property key=value (repeatable; overrides ticklake's defaults)");
  sub->add_option("--rate", opts->rate,
                  "Messages per second, or 'max' (also 0) for as fast as possible")
      ->capture_default_str();
  sub->add_option("--count", f.count, "Stop after N messages (default: no limit)")
      ->check(kNonNegative);
  sub->add_option("--duration", f.duration_s, "Stop after SECS seconds (default: no limit)")
      ->check(kNonNegative);
  sub->add_option("--seed", f.seed,
                  "Seed for the simulator and random replay order: same seed, same prices "
                  "(0 = random)");
  sub->add_option("--source", f.source, "sim, or csv:PATH to replay a CSV file (with a header)")
      ->capture_default_str();
  sub->add_option("--symbols", f.symbols_file,
                  "Simulator universe, a CSV with columns "
                  "symbol,currency,usd_rate,start_level,annual_volatility[,daily_volume]")
      ->check(CLI::ExistingFile);
  sub->add_option("--order", f.order,
                  "CSV replay order: file, random (sample rows with replacement) or time "
                  "(timestamp order, paced by --speed)")
      ->check(CLI::IsMember({"file", "random", "time"}))
      ->capture_default_str();
  sub->add_option("--speed", f.speed,
                  "With --order time: data-set seconds replayed per wall-clock second "
                  "(86400 = one day per second)")
      ->capture_default_str();
  sub->add_flag("--loop", f.loop, "CSV replay: start again at the end of the file");
  sub->add_flag("--strict", f.strict,
                "CSV replay: stop with an error at the first malformed row instead of skipping it");
  sub->add_option("--key-column", f.key_column,
                  "CSV replay: column whose value is the message key (default: Index if present, "
                  "else no key)");
  sub->add_option("--time-column", f.time_column,
                  "CSV replay with --order time: the time column (default: ts, timestamp, time or "
                  "Date)");
  sub->add_flag("--json", opts->json, "Print the summary as one JSON object on stdout");
  sub->add_option("--metrics-listen", opts->metrics_listen,
                  "Serve Prometheus /metrics on HOST:PORT (e.g. 127.0.0.1:9464)");
  sub->add_option("--output", f.output,
                  "Write the records as JSON lines to FILE ('-' = stdout) instead of Kafka");
  sub->add_option("--key-delimiter", f.key_delimiter,
                  "With --output: write KEY<delimiter>JSON per line, as kcat -K reads (\\t = tab)");
  sub->add_option("--connect-timeout", f.connect_timeout_s,
                  "Seconds to wait for the Kafka cluster to answer before failing")
      ->capture_default_str()
      ->check(kPositive);
  sub->add_option("--flush-timeout", f.flush_timeout_s,
                  "Seconds to wait for outstanding deliveries at the end")
      ->capture_default_str()
      ->check(kNonNegative);
  return [opts] {
    auto metrics = console::MaybeServeMetrics(opts->metrics_listen, "produce");
    market::FeedOptions feed = opts->feed;
    feed.rate = ParseRate(opts->rate);
    feed.properties = kafka::ParseProperties(opts->properties);
    feed.key_delimiter = Unescape(feed.key_delimiter);
    feed.progress = isatty(STDERR_FILENO) != 0;
    if (opts->json && feed.output == "-") Fail("--json and --output - both write to stdout");
    market::FeedSummary summary = market::RunFeed(feed, StopRequested);
    std::string destination =
        feed.output.empty()
            ? "topic " + feed.topic
            : "output " + (feed.output == "-" ? std::string("stdout") : feed.output);
    fmt::print(stderr, "ticklake produce: {}\n", market::SummaryLine(destination, summary));
    if (opts->json) {
      fmt::print("{}\n", market::SummaryJson(feed.topic, summary));
      std::fflush(stdout);
    }
    return summary.ok() ? 0 : 1;
  };
}

}  // namespace ticklake::cli
