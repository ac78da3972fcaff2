#include "market/feed.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "common/error.h"
#include "common/json_writer.h"
#include "common/stop.h"
#include "kafka/producer.h"
#include "market/csv_source.h"
#include "market/rate_limiter.h"
#include "market/simulator.h"

namespace ticklake::market {
namespace {

constexpr int64_t kBatch = 1024;                   // messages per pacing step at most
constexpr int64_t kMaxWaitNs = 100'000'000;        // stop checks at least every 100 ms
constexpr int64_t kProgressEveryNs = 500'000'000;  // progress line refresh

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where records go: Kafka, or a file of JSON lines (for --output, benchmarks and debugging).
class Sink {
 public:
  virtual ~Sink() = default;
  // Takes one record; the records of one pacing step are then handed on by EndBatch().
  virtual void Send(std::string_view key, bool has_key, std::string_view value) = 0;
  // Returns false when a stop request ended a wait for room (the caller then stops too).
  virtual bool EndBatch() { return true; }
  virtual void Poll() {}
  virtual void Flush(double timeout_s) = 0;
  virtual void Fill(FeedSummary& summary) = 0;
};

class KafkaSink : public Sink {
 public:
  KafkaSink(const FeedOptions& o, const std::function<bool()>& should_stop)
      : producer_(kafka::ProducerOptions{
            o.bootstrap, o.topic, o.properties,
            std::chrono::milliseconds(static_cast<int64_t>(o.connect_timeout_s * 1000)),
            should_stop}) {}
  void Send(std::string_view key, bool has_key, std::string_view value) override {
    producer_.Add(key, has_key, value);
  }
  bool EndBatch() override { return producer_.SendBatch(); }
  void Poll() override { producer_.Poll(); }
  void Flush(double timeout_s) override {
    producer_.Flush(std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000)));
  }
  void Fill(FeedSummary& s) override {
    s.sent = producer_.sent();
    s.acknowledged = producer_.acknowledged();
    s.failed = producer_.failed();
    s.last_error = producer_.last_error();
  }

 private:
  kafka::Producer producer_;
};

class FileSink : public Sink {
 public:
  FileSink(const std::string& path, std::string key_delimiter)
      : key_delimiter_(std::move(key_delimiter)), path_(path) {
    if (path == "-") {
      file_ = stdout;
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (file_ == nullptr) Fail("cannot open {} for writing: {}", path, ErrnoMessage());
      owned_ = true;
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  ~FileSink() override {
    if (owned_) std::fclose(file_);
  }
  void Send(std::string_view key, bool has_key, std::string_view value) override {
    line_.clear();
    if (!key_delimiter_.empty()) {
      if (has_key) line_ += key;
      line_ += key_delimiter_;
    }
    line_ += value;
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
      Fail("cannot write to {}: {}", path_, ErrnoMessage());
    }
    ++written_;
  }
  void Flush(double) override {
    if (std::fflush(file_) != 0) Fail("cannot write to {}: {}", path_, ErrnoMessage());
  }
  void Fill(FeedSummary& s) override { s.sent = s.acknowledged = written_; }

 private:
  std::string key_delimiter_, path_, line_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  int64_t written_ = 0;
};

// The records to send: simulated ticks or CSV rows, behind one interface.
class Source {
 public:
  Source(const FeedOptions& o, const std::function<void(const std::string&)>& report) {
    if (o.source == "sim") {
      if (o.order != "file") Fail("--order applies to csv sources only");
      std::vector<IndexSpec> universe =
          o.symbols_file.empty() ? DefaultUniverse() : LoadUniverse(o.symbols_file);
      sim_ = std::make_unique<MarketSimulator>(std::move(universe), o.seed);
      renderer_ = std::make_unique<TickRenderer>(sim_->universe());
    } else if (o.source.rfind("csv:", 0) == 0) {
      if (!o.symbols_file.empty()) Fail("--symbols applies to the simulator only");
      CsvSourceOptions c;
      c.path = o.source.substr(4);
      if (c.path.empty()) Fail("--source csv:PATH needs a path");
      c.order = ParseReplayOrder(o.order);
      c.loop = o.loop;
      c.strict = o.strict;
      c.key_column = o.key_column;
      c.time_column = o.time_column;
      c.seed = o.seed;
      c.report = report;
      csv_ = std::make_unique<CsvSource>(c);
      timed_ = c.order == ReplayOrder::kTime;
    } else {
      Fail("unknown source '{}': expected sim or csv:PATH", o.source);
    }
  }

  // Loads the next record into key()/value(); false when the source is exhausted. `due_us` (time
  // order only) receives the record's offset in data-set time.
  bool Next(int64_t* due_us = nullptr) {
    if (sim_) {
      const Tick& tick = sim_->Next(WallMicros());
      value_ = renderer_->Render(tick);
      key_ = sim_->universe()[tick.index].symbol;
      has_key_ = true;
      return true;
    }
    const CsvRow* row = csv_->Next(due_us);
    if (row == nullptr) return false;
    key_ = row->key;
    has_key_ = row->has_key;
    value_ = row->json;
    return true;
  }

  std::string_view key() const { return key_; }
  bool has_key() const { return has_key_; }
  std::string_view value() const { return value_; }
  bool timed() const { return timed_; }
  int64_t malformed_rows() const { return csv_ ? csv_->malformed_rows() : 0; }

 private:
  std::unique_ptr<MarketSimulator> sim_;
  std::unique_ptr<TickRenderer> renderer_;
  std::unique_ptr<CsvSource> csv_;
  bool timed_ = false;
  std::string_view key_, value_;
  bool has_key_ = false;
};

void ValidateOptions(const FeedOptions& o) {
  if (!std::isfinite(o.rate) || o.rate < 0)
    Fail("--rate must be a number >= 0 or max, got {}", o.rate);
  if (o.count < -1) Fail("--count must be >= 0, got {}", o.count);
  if (!(o.speed > 0) || !std::isfinite(o.speed)) Fail("--speed must be > 0, got {}", o.speed);
  if (std::isnan(o.duration_s)) Fail("--duration must be a number");
  if (!(o.connect_timeout_s > 0)) Fail("connect timeout must be > 0");
  if (o.order != "file" && o.order != "random" && o.order != "time") {
    Fail("unknown --order '{}': expected file, random or time", o.order);
  }
  if (o.output.empty() && o.bootstrap.empty()) Fail("no bootstrap server given (-b host:port)");
}

}  // namespace

FeedSummary RunFeed(const FeedOptions& options) { return RunFeed(options, StopRequested); }

FeedSummary RunFeed(const FeedOptions& o, const std::function<bool()>& should_stop) {
  ValidateOptions(o);
  auto report = o.report ? o.report : [](const std::string& line) {
    fmt::print(stderr, "ticklake produce: {}\n", line);
  };
  auto stop = [&] { return should_stop && should_stop(); };
  Source source(o, report);
  std::unique_ptr<Sink> sink;
  if (o.output.empty()) {
    sink = std::make_unique<KafkaSink>(o, should_stop);
  } else {
    sink = std::make_unique<FileSink>(o.output, o.key_delimiter);
  }

  Clock* clock = SteadyClock::Instance();
  const int64_t start = clock->NowNanos();
  const int64_t deadline = o.duration_s >= 0 ? start + static_cast<int64_t>(o.duration_s * 1e9)
                                             : std::numeric_limits<int64_t>::max();
  RateLimiter limiter(source.timed() ? 0 : o.rate, clock);
  // With a rate and a duration, exactly the messages due before the end are sent (i / rate <
  // duration), rather than also the one due at the very deadline.
  int64_t limit = o.count;
  if (!source.timed() && o.rate > 0 && o.duration_s >= 0) {
    int64_t due = static_cast<int64_t>(std::ceil(o.duration_s * o.rate - 1e-9));
    limit = limit >= 0 ? std::min(limit, due) : due;
  }
  int64_t generated = 0;
  int64_t next_progress = start + kProgressEveryNs;
  bool exhausted = false;
  // Time order: the record read ahead, waiting for its due time.
  bool pending = false;
  int64_t pending_due_ns = 0;
  FeedSummary summary;

  auto print_progress = [&](int64_t now) {
    sink->Fill(summary);
    double secs = static_cast<double>(now - start) / 1e9;
    fmt::print(
        stderr,
        "\r\x1b[Kticklake produce: sent {}, acknowledged {}, {:.0f} msg/s, failed {}, malformed {}",
        summary.sent, summary.acknowledged, secs > 0 ? summary.sent / secs : 0.0, summary.failed,
        source.malformed_rows());
    std::fflush(stderr);
  };

  while (!exhausted) {
    if (limit >= 0 && generated >= limit) break;
    if (stop()) break;
    int64_t now = clock->NowNanos();
    if (now >= deadline) break;
    if (o.progress && now >= next_progress) {
      print_progress(now);
      next_progress = now + kProgressEveryNs;
    }
    int64_t want = limit >= 0 ? std::min(kBatch, limit - generated) : kBatch;
    int64_t max_wait = std::min(kMaxWaitNs, deadline - now);
    if (source.timed()) {
      // Dataset time t maps to wall time start + t / speed.
      int64_t sent_now = 0;
      while (sent_now < want) {
        if (!pending) {
          int64_t due_us = 0;
          if (!source.Next(&due_us)) {
            exhausted = true;
            break;
          }
          pending = true;
          pending_due_ns =
              start + static_cast<int64_t>(static_cast<double>(due_us) * 1e3 / o.speed);
        }
        if (pending_due_ns > now) break;
        pending = false;
        ++sent_now;
        sink->Send(source.key(), source.has_key(), source.value());
      }
      generated += sent_now;
      if (pending && sent_now == 0) {
        clock->SleepUntilNanos(std::min(pending_due_ns, now + max_wait));
      }
    } else {
      int64_t n = limiter.Acquire(want, max_wait);
      for (int64_t i = 0; i < n; ++i) {
        if (!source.Next()) {
          exhausted = true;
          break;
        }
        ++generated;
        sink->Send(source.key(), source.has_key(), source.value());
      }
    }
    if (!sink->EndBatch()) break;  // stopped while the producer queue was full
    sink->Poll();
  }
  // A paced run that reached its count lasts until the slot of the next message would begin
  // (N messages at R/s take N/R s, and --duration D lasts D s), so its reported rate is R.
  if (!source.timed() && o.rate > 0 && limit >= 0 && generated >= limit) {
    const int64_t end = std::min(limiter.DueNanos(generated), deadline);
    for (int64_t now = clock->NowNanos(); now < end && !stop(); now = clock->NowNanos()) {
      sink->Poll();
      clock->SleepUntilNanos(std::min(end, now + kMaxWaitNs));
    }
  }
  sink->Flush(o.flush_timeout_s);
  if (o.progress) {
    print_progress(clock->NowNanos());
    fmt::print(stderr, "\n");
  }
  sink->Fill(summary);
  summary.malformed_rows = source.malformed_rows();
  summary.seconds = static_cast<double>(clock->NowNanos() - start) / 1e9;
  return summary;
}

std::string SummaryJson(const std::string& topic, const FeedSummary& s) {
  std::string out = "{\"topic\":";
  AppendJsonString(out, topic);
  out += fmt::format(",\"sent\":{},\"acknowledged\":{},\"failed\":{},\"malformed_rows\":{}", s.sent,
                     s.acknowledged, s.failed, s.malformed_rows);
  out += ",\"seconds\":";
  AppendJsonNumber(out, std::round(s.seconds * 1e6) / 1e6);
  out += ",\"rate\":";
  AppendJsonNumber(out, std::round(s.rate() * 10) / 10);
  out += ",\"last_error\":";
  if (s.last_error.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, s.last_error);
  }
  out += "}";
  return out;
}

std::string SummaryLine(const std::string& destination, const FeedSummary& s) {
  std::string line = fmt::format(
      "{}: sent {}, acknowledged {}, failed {}, malformed rows {} in {:.3f} s ({:.0f} msg/s)",
      destination, s.sent, s.acknowledged, s.failed, s.malformed_rows, s.seconds, s.rate());
  if (!s.last_error.empty()) line += "; last error: " + s.last_error;
  return line;
}

}  // namespace ticklake::market
