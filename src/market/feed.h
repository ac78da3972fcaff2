// RunFeed: the market feed as a library call — generate (simulator) or replay (CSV) stock-market
// records and produce them to a Kafka topic at a given rate, then flush and summarise. This is
// what `ticklake produce` runs, and what `ticklake demo` calls from a thread.
//
// Data flow: source (MarketSimulator + TickRenderer, or CsvSource) -> pacing (RateLimiter, or the
// data set's timestamps scaled by `speed` in time order) -> sink (kafka::Producer, or a file /
// stdout with `output`, which needs no Kafka at all).
//
// Stopping: generation ends at `count` messages, after `duration_s`, when the source is
// exhausted (file/time replay without loop), or when should_stop() returns true (checked at
// least every 100 ms); then outstanding messages are flushed (bounded by flush_timeout_s) and the
// summary is returned. Errors that prevent running at all (bad options, unreadable file,
// unreachable cluster, --strict and a malformed row) throw Error. Per-message delivery failures
// do not throw: they are counted in the summary.
//
// Thread-safety: RunFeed may run on any thread, and several may run at once (each has its own
// producer); should_stop must be callable from that thread. It writes progress and malformed-row
// reports to stderr, and with `output` == "-" the records to stdout.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "kafka/client.h"

namespace ticklake::market {

struct FeedOptions {
  std::string bootstrap;  // Kafka bootstrap servers (not needed with `output`)
  std::string topic = "stock_market";
  double rate = 0;               // messages per second; 0 = as fast as possible
  int64_t count = -1;            // stop after this many messages; -1 = no limit
  double duration_s = -1;        // stop after this many seconds; < 0 = no limit
  uint64_t seed = 0;             // simulator / random order seed; 0 = random
  std::string source = "sim";    // "sim" or "csv:PATH"
  std::string symbols_file;      // simulator universe (index_universe.h format); empty = 14 indices
  std::string order = "file";    // replay order: file, random or time
  double speed = 1.0;            // time order: data-set seconds per wall-clock second
  bool loop = false;             // replay: start again at the end
  bool strict = false;           // replay: a malformed row is an error, not a skip
  std::string key_column;        // replay: key column (default "Index" if present)
  std::string time_column;       // replay, time order: time column (default: detected)
  kafka::Properties properties;  // librdkafka properties (-X), override the defaults
  bool progress = false;         // live progress line on stderr (~every 0.5 s)
  std::string output;            // write JSON lines here ("-" = stdout) instead of Kafka
  std::string key_delimiter;     // with output: write KEY<delim>JSON (like kcat -K)
  double connect_timeout_s = 10;  // bounded wait for the cluster
  double flush_timeout_s = 30;    // bounded wait for outstanding deliveries at the end
  // Called with each malformed-row report; default prints "ticklake produce: <report>" on stderr.
  std::function<void(const std::string&)> report;
};

struct FeedSummary {
  int64_t sent = 0;            // handed to the producer (or written to `output`)
  int64_t acknowledged = 0;    // delivery confirmed by the cluster (= sent with `output`)
  int64_t failed = 0;          // not delivered; sent == acknowledged + failed at the end
  int64_t malformed_rows = 0;  // replay rows skipped
  double seconds = 0;          // from the first message to the end of the flush
  std::string last_error;
  double rate() const { return seconds > 0 ? static_cast<double>(acknowledged) / seconds : 0; }
  bool ok() const { return failed == 0 && acknowledged == sent; }
};

FeedSummary RunFeed(const FeedOptions& options, const std::function<bool()>& should_stop);
FeedSummary RunFeed(const FeedOptions& options);  // should_stop = StopRequested

// {"topic":..,"sent":N,"acknowledged":N,"failed":N,"malformed_rows":N,"seconds":X,"rate":X,
//  "last_error":..|null}
std::string SummaryJson(const std::string& topic, const FeedSummary& summary);
// One human line: "<destination>: sent N, acknowledged N, failed N, malformed rows N in X s
// (R msg/s)", destination being e.g. "topic stock_market" or "output out.jsonl".
std::string SummaryLine(const std::string& destination, const FeedSummary& summary);

}  // namespace ticklake::market
