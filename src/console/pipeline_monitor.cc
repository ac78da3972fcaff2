#include "console/pipeline_monitor.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/error.h"
#include "common/json_writer.h"
#include "common/metrics.h"

namespace ticklake::console {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxListedGroups = 50;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AppendNumberOrNull(std::string& out, double value) {
  if (std::isfinite(value)) {
    AppendJsonNumber(out, value);
  } else {
    out += "null";
  }
}

void AppendSeries(std::string& out, const std::vector<double>& values) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    AppendNumberOrNull(out, values[i]);
  }
  out += ']';
}

template <typename T>
void KeepLast(std::vector<T>& values, size_t n) {
  if (values.size() > n) values.erase(values.begin(), values.end() - static_cast<ptrdiff_t>(n));
}

kafka::KafkaHandle MakeClient(const MonitorOptions& options, const kafka::Properties& extra) {
  kafka::Properties defaults = {{"bootstrap.servers", options.bootstrap},
                                {"log_level", "2"}};  // connection errors show in the page
  for (const auto& [k, v] : extra) defaults[k] = v;
  return kafka::MakeHandle(RD_KAFKA_CONSUMER, kafka::MakeConf(defaults, options.properties));
}

}  // namespace

struct PipelineMonitor::PriceState {
  struct Latest {
    double close = NAN;
    double close_usd = NAN;
    std::string ts;
    int64_t ticks = 0;
  };
  std::map<std::string, Latest> latest;  // by index
  std::vector<int64_t> times_ms;
  std::map<std::string, std::vector<double>> series;  // close per index, one point per sample
  int64_t records = 0, unparsed = 0;
  simdjson::dom::parser parser;

  void Add(std::string_view payload) {
    simdjson::dom::element root;
    std::string_view index;
    double close;
    if (parser.parse(payload.data(), payload.size()).get(root) || root["Index"].get(index) ||
        root["Close"].get(close)) {
      ++unparsed;
      return;
    }
    ++records;
    Latest& l = latest[std::string(index)];
    l.close = close;
    if (root["CloseUSD"].get(l.close_usd)) l.close_usd = NAN;
    std::string_view ts;
    if (!root["ts"].get(ts) || !root["Date"].get(ts)) l.ts = ts;
    ++l.ticks;
  }

  void Sample(int64_t now_ms, size_t keep) {
    times_ms.push_back(now_ms);
    for (const auto& [index, l] : latest) {
      auto& s = series[index];
      s.resize(times_ms.size() - 1, NAN);  // an index first seen now
      s.push_back(l.close);
      KeepLast(s, keep);
    }
    KeepLast(times_ms, keep);
  }
};

PipelineMonitor::PipelineMonitor(MonitorOptions options)
    : options_(std::move(options)), prices_(std::make_unique<PriceState>()) {
  admin_ = MakeClient(options_, {});
  // librdkafka's assign() needs a group.id; assigning (never subscribing) joins no group and the
  // tail commits nothing, so the id is never seen by the cluster's group coordinator.
  tail_ = MakeClient(options_, {{"group.id", fmt::format("ticklake-console-tail-{}", getpid())},
                                {"enable.auto.commit", "false"},
                                {"enable.partition.eof", "false"},
                                {"fetch.wait.max.ms", "100"},
                                {"queued.max.messages.kbytes", "8192"}});
  thread_ = std::thread([this] { Run(); });
}

PipelineMonitor::~PipelineMonitor() {
  stop_ = true;
  wake_.notify_all();
  thread_.join();
}

std::string PipelineMonitor::SnapshotJson() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

void PipelineMonitor::Run() {
  Histogram& sample_seconds = HistogramMetric("ticklake_console_sample_seconds",
                                              "Time to sample the cluster, groups and lake once.");
  while (!stop_) {
    auto next = Clock::now() + std::chrono::seconds(1);
    auto started = Clock::now();
    std::string out = fmt::format("{{\"time_ms\":{},\"bootstrap\":", WallMs());
    AppendJsonString(out, options_.bootstrap);
    out += ",\"topic\":";
    AppendJsonString(out, options_.topic);
    SampleKafka(out);
    if (!options_.lake.empty() && Clock::now() - last_lake_sample_ >= options_.lake_interval)
      SampleLake();
    out += ",\"lake\":" + lake_json_;
    prices_->Sample(WallMs(), static_cast<size_t>(options_.history_points));
    AppendPrices(out);
    out += "}";
    sample_seconds.Observe(std::chrono::duration<double>(Clock::now() - started).count());
    {
      std::lock_guard lock(mu_);
      snapshot_ = std::move(out);
    }
    TailPrices(next);
  }
}

rd_kafka_t* PipelineMonitor::GroupClient(const std::string& group) {
  auto& client = group_clients_[group];
  // A consumer with the group's id that never subscribes: it reads the group's committed
  // offsets (OffsetFetch) without joining, so the group never rebalances because of us.
  if (!client)
    client = MakeClient(options_, {{"group.id", group}, {"enable.auto.commit", "false"}});
  return client.get();
}

double PipelineMonitor::Rates::Of(const std::string& key, int64_t total) {
  auto it = last_totals.find(key);
  double rate = it != last_totals.end() && seconds > 0 && total >= it->second
                    ? static_cast<double>(total - it->second) / seconds
                    : NAN;
  last_totals[key] = total;
  now[key] = rate;
  return rate;
}

void PipelineMonitor::SampleKafka(std::string& out) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(admin_.get(), 1, nullptr, &raw, 2000);
  if (err) {
    out += ",\"kafka_error\":";
    AppendJsonString(out, fmt::format("cannot read the cluster's metadata from {}: {}",
                                      options_.bootstrap, rd_kafka_err2str(err)));
    return;
  }
  std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> md(
      raw, rd_kafka_metadata_destroy);
  int64_t now_ms = WallMs();
  rates_.seconds =
      rate_times_ms_.empty() ? 0 : static_cast<double>(now_ms - rate_times_ms_.back()) / 1000;
  rates_.now.clear();

  out += ",\"brokers\":[";
  for (int i = 0; i < md->broker_cnt; ++i) {
    out += fmt::format("{}{{\"id\":{},\"host\":", i ? "," : "", md->brokers[i].id);
    AppendJsonString(out, md->brokers[i].host);
    out += fmt::format(",\"port\":{}}}", md->brokers[i].port);
  }
  out += "]";
  std::vector<const rd_kafka_metadata_topic_t*> topics;
  for (int t = 0; t < md->topic_cnt; ++t) {
    if (!std::string_view(md->topics[t].topic).starts_with("__") && !md->topics[t].err)
      topics.push_back(&md->topics[t]);
  }
  EndOffsets ends = AppendTopics(topics, out);
  if (stop_) return;  // each request below may wait seconds for a cluster that is gone
  AppendGroups(ends, out);
  AppendRates(now_ms, out);
}

PipelineMonitor::EndOffsets PipelineMonitor::AppendTopics(
    const std::vector<const rd_kafka_metadata_topic_t*>& topics, std::string& out) {
  // Start and end offsets of every partition in two batched ListOffsets rounds (one request per
  // leader, with the protocol's EARLIEST/LATEST timestamps) instead of a round trip per partition.
  kafka::TopicPartitionList starts(rd_kafka_topic_partition_list_new(64));
  kafka::TopicPartitionList latest(rd_kafka_topic_partition_list_new(64));
  for (const auto* topic : topics) {
    for (int p = 0; p < topic->partition_cnt; ++p) {
      int32_t id = topic->partitions[p].id;
      rd_kafka_topic_partition_list_add(starts.get(), topic->topic, id)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
      rd_kafka_topic_partition_list_add(latest.get(), topic->topic, id)->offset =
          RD_KAFKA_OFFSET_END;
    }
  }
  bool offsets_ok =
      starts->cnt == 0 || (!rd_kafka_offsets_for_times(admin_.get(), starts.get(), 2000) &&
                           !rd_kafka_offsets_for_times(admin_.get(), latest.get(), 2000));
  if (!offsets_ok) {
    out += ",\"offsets_error\":";
    AppendJsonString(out, "cannot read the partitions' offsets (ListOffsets)");
  }
  auto offset_of = [&](rd_kafka_topic_partition_list_t* list, const char* topic, int32_t p) {
    const rd_kafka_topic_partition_t* tp = rd_kafka_topic_partition_list_find(list, topic, p);
    return offsets_ok && tp && !tp->err ? tp->offset : int64_t{-1};
  };

  EndOffsets ends;
  int tail_partitions = 0;
  out += ",\"topics\":[";
  for (size_t t = 0; t < topics.size(); ++t) {
    const rd_kafka_metadata_topic_t& topic = *topics[t];
    std::string name = topic.topic;
    out += t ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, name);
    out += ",\"partitions\":[";
    int64_t messages = 0, total_end = 0;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      const rd_kafka_metadata_partition_t& part = topic.partitions[p];
      int64_t low = offset_of(starts.get(), topic.topic, part.id);
      int64_t high = offset_of(latest.get(), topic.topic, part.id);
      ends[name][part.id] = high;
      if (high >= 0) {
        total_end += high;
        messages += high - std::max<int64_t>(low, 0);
      }
      out += fmt::format("{}{{\"id\":{},\"leader\":{},\"start\":{},\"end\":{}}}", p ? "," : "",
                         part.id, part.leader, low, high);
    }
    out += fmt::format("],\"messages\":{},\"end_total\":{},\"rate\":", messages, total_end);
    AppendNumberOrNull(out, rates_.Of("produced " + name, total_end));
    out += "}";
    if (name == options_.topic) tail_partitions = topic.partition_cnt;
  }
  out += "]";
  FollowPriceTail(tail_partitions, out);
  return ends;
}

void PipelineMonitor::FollowPriceTail(int partitions, std::string& out) {
  // The tail follows the topic's partitions (a topic created later, or grown).
  if (partitions == tail_partitions_) return;
  kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_TAIL(200);
  }
  if (auto err = rd_kafka_assign(tail_.get(), list.get())) {
    out += ",\"prices_error\":";
    AppendJsonString(out, fmt::format("cannot tail {}: {}", options_.topic, rd_kafka_err2str(err)));
  } else {
    tail_partitions_ = partitions;
  }
}

std::vector<PipelineMonitor::GroupRow> PipelineMonitor::ListGroups(std::string& note) {
  std::vector<GroupRow> rows;
  const rd_kafka_group_list* raw = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_list_groups(admin_.get(), nullptr, &raw, 2000)) {
    note = fmt::format(
        "the cluster cannot list consumer groups ({}): showing the console's "
        "--group ones",
        rd_kafka_err2str(err));
  } else {
    std::unique_ptr<const rd_kafka_group_list, void (*)(const rd_kafka_group_list*)> groups(
        raw, rd_kafka_group_list_destroy);
    for (int g = 0; g < groups->group_cnt; ++g) {
      const rd_kafka_group_info& info = groups->groups[g];
      std::string protocol_type = info.protocol_type ? info.protocol_type : "";
      if (!protocol_type.empty() && protocol_type != "consumer") continue;
      if (std::string_view(info.group).starts_with("ticklake-console-tail-")) continue;
      // Each group's offsets take a client of its own (see GroupClient): show a bounded number.
      if (rows.size() >= kMaxListedGroups) {
        note = fmt::format("showing {} of {} consumer groups", kMaxListedGroups, groups->group_cnt);
        break;
      }
      rows.push_back({info.group, info.state ? info.state : "", info.member_cnt});
    }
  }
  for (const std::string& name : options_.groups) {
    if (std::none_of(rows.begin(), rows.end(), [&](const GroupRow& r) { return r.name == name; }))
      rows.push_back({name, "", -1});
  }
  return rows;
}

void PipelineMonitor::AppendGroups(const EndOffsets& ends, std::string& out) {
  // Groups: those the cluster lists, and the configured ones (the embedded broker cannot list).
  std::string note;
  std::vector<GroupRow> rows = ListGroups(note);
  out += ",\"groups\":[";
  for (size_t g = 0; g < rows.size() && !stop_; ++g) {
    const GroupRow& row = rows[g];
    kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(16));
    for (const auto& [topic, partitions] : ends)
      for (const auto& [p, end] : partitions)
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    rd_kafka_resp_err_t err = rd_kafka_committed(GroupClient(row.name), list.get(), 2000);
    out += g ? ",{\"name\":" : "{\"name\":";
    AppendJsonString(out, row.name);
    out += ",\"state\":";
    AppendJsonString(out, row.state);
    out += fmt::format(",\"members\":{}", row.members);
    if (err) {
      out += ",\"error\":";
      AppendJsonString(out, fmt::format("committed offsets: {}", rd_kafka_err2str(err)));
    }
    out += ",\"partitions\":[";
    int64_t lag = 0, committed_total = 0;
    bool first_partition = true;
    for (int i = 0; !err && i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      if (tp.offset < 0) continue;  // nothing committed for this partition
      int64_t end = ends.at(tp.topic).at(tp.partition);
      int64_t partition_lag = end >= 0 ? std::max<int64_t>(0, end - tp.offset) : 0;
      lag += partition_lag;
      committed_total += tp.offset;
      out += first_partition ? "{\"topic\":" : ",{\"topic\":";
      first_partition = false;
      AppendJsonString(out, tp.topic);
      out += fmt::format(",\"partition\":{},\"committed\":{},\"end\":{},\"lag\":{}}}", tp.partition,
                         tp.offset, end, partition_lag);
    }
    double rate = first_partition ? NAN : rates_.Of("committed by " + row.name, committed_total);
    out += fmt::format("],\"lag\":{},\"committed_total\":{},\"rate\":", lag, committed_total);
    AppendNumberOrNull(out, rate);
    out += "}";
  }
  out += "]";
  if (!note.empty()) {
    out += ",\"groups_note\":";
    AppendJsonString(out, note);
  }
}

void PipelineMonitor::AppendRates(int64_t now_ms, std::string& out) {
  // A series per topic and group, aligned on rate_times_ms_.
  rate_times_ms_.push_back(now_ms);
  for (auto& [key, series] : rate_series_) {
    auto it = rates_.now.find(key);
    series.push_back(it == rates_.now.end() ? NAN : it->second);
  }
  for (const auto& [key, rate] : rates_.now) {
    auto& series = rate_series_[key];
    if (series.size() < rate_times_ms_.size()) {  // first seen now
      series.resize(rate_times_ms_.size() - 1, NAN);
      series.push_back(rate);
    }
  }
  size_t keep = static_cast<size_t>(options_.history_points);
  KeepLast(rate_times_ms_, keep);
  for (auto& [key, series] : rate_series_) KeepLast(series, keep);
  out += ",\"rates\":{\"t\":[";
  for (size_t i = 0; i < rate_times_ms_.size(); ++i)
    out += fmt::format("{}{}", i ? "," : "", rate_times_ms_[i]);
  out += "],\"series\":{";
  bool first_series = true;
  for (const auto& [key, series] : rate_series_) {
    if (!first_series) out += ',';
    first_series = false;
    AppendJsonString(out, key);
    out += ':';
    AppendSeries(out, series);
  }
  out += "}}";
}

void PipelineMonitor::SampleLake() {
  last_lake_sample_ = Clock::now();
  std::string out = "{\"uri\":";
  AppendJsonString(out, options_.lake);
  try {
    // Opened on first use, so a console started before the sink's first file still counts them.
    if (!lake_) lake_ = OpenObjectStore(options_.lake);
    ListResult all = lake_->List("");
    std::map<std::string, std::pair<int64_t, int64_t>> tables;  // folder -> files, bytes
    int64_t error_files = 0, error_records = 0;
    std::map<std::string, int64_t> seen_errors;
    for (const ObjectInfo& o : all.objects) {
      if (o.key.starts_with("_errors/")) {
        ++error_files;
        std::string id = o.key + "@" + o.etag;
        auto it = error_lines_.find(id);
        int64_t lines;
        if (it != error_lines_.end()) {
          lines = it->second;
        } else {
          std::string text = lake_->Get(o.key);
          lines = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
        }
        seen_errors[id] = lines;
        error_records += lines;
        continue;
      }
      // Names starting with '_' or '.' are not data (staging, state, checkpoints).
      bool hidden = o.key.starts_with("_") || o.key.starts_with(".") ||
                    o.key.find("/_") != std::string::npos || o.key.find("/.") != std::string::npos;
      if (hidden) continue;
      size_t slash = o.key.find('/');
      auto& [files, bytes] = tables[slash == std::string::npos ? "" : o.key.substr(0, slash)];
      ++files;
      bytes += static_cast<int64_t>(o.size);
    }
    error_lines_ = std::move(seen_errors);
    int64_t files = 0, bytes = 0;
    out += ",\"folders\":[";
    bool first = true;
    for (const auto& [name, counts] : tables) {
      out += first ? "{\"name\":" : ",{\"name\":";
      first = false;
      AppendJsonString(out, name);
      out += fmt::format(",\"files\":{},\"bytes\":{}}}", counts.first, counts.second);
      files += counts.first;
      bytes += counts.second;
    }
    out += fmt::format("],\"files\":{},\"bytes\":{},\"error_files\":{},\"error_records\":{}", files,
                       bytes, error_files, error_records);
  } catch (const Error& e) {
    out += ",\"error\":";
    AppendJsonString(out, e.what());
  }
  out += fmt::format(",\"sampled_ms\":{}}}", WallMs());
  lake_json_ = std::move(out);
}

void PipelineMonitor::TailPrices(Clock::time_point until) {
  while (!stop_ && Clock::now() < until) {
    if (tail_partitions_ == 0) {
      std::unique_lock lock(wake_mu_);
      wake_.wait_until(lock, until, [this] { return stop_.load(); });
      return;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    int timeout = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 100));
    kafka::Message m(rd_kafka_consumer_poll(tail_.get(), timeout));
    if (m && !m->err && m->payload)
      prices_->Add(std::string_view(static_cast<const char*>(m->payload), m->len));
  }
}

void PipelineMonitor::AppendPrices(std::string& out) {
  const PriceState& p = *prices_;
  out += fmt::format(",\"prices\":{{\"records\":{},\"unparsed\":{},\"latest\":[", p.records,
                     p.unparsed);
  bool first = true;
  for (const auto& [index, l] : p.latest) {
    out += first ? "{\"index\":" : ",{\"index\":";
    first = false;
    AppendJsonString(out, index);
    out += ",\"close\":";
    AppendNumberOrNull(out, l.close);
    out += ",\"close_usd\":";
    AppendNumberOrNull(out, l.close_usd);
    out += ",\"ts\":";
    AppendJsonString(out, l.ts);
    out += fmt::format(",\"ticks\":{}}}", l.ticks);
  }
  out += "],\"t\":[";
  for (size_t i = 0; i < p.times_ms.size(); ++i)
    out += fmt::format("{}{}", i ? "," : "", p.times_ms[i]);
  out += "],\"series\":{";
  first = true;
  for (const auto& [index, series] : p.series) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, index);
    out += ':';
    AppendSeries(out, series);
  }
  out += "}}";
}

}  // namespace ticklake::console
