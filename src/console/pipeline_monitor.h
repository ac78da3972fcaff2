// PipelineMonitor: watches a running pipeline from the outside, as Kafka UI or Redpanda Console
// do, for the web console's live page. Once a second it samples
//   - the cluster: brokers, topics, partitions with their leader and start/end offsets;
//   - the consumer groups: state, members, committed offset and lag per partition;
//   - rates over the last minutes: messages produced (end offsets) and committed by each group;
// every few seconds, when a lake is given, what has landed: data files and bytes per top-level
// folder and the `_errors/` files with their records; and it tails one topic (a consumer without
// a group, starting a little before the end) to keep the latest price of every index and a price
// series per index.
//
// It only reads: metadata, offsets, a group-less consumer, object listings. Nothing it does
// changes the cluster, the groups' offsets or the lake.
//
// Thread-safety: the constructor starts a sampling thread and the destructor stops it;
// SnapshotJson may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kafka/client.h"
#include "store/object_store.h"

namespace ticklake::console {

struct MonitorOptions {
  std::string bootstrap;
  std::string topic = "stock_market";  // the topic whose prices are tailed
  std::string lake;                    // ObjectStore URI; empty: no lake statistics
  // Consumer groups always shown (with those the cluster lists, when it can list groups).
  std::vector<std::string> groups = {"ticklake-sink"};
  kafka::Properties properties;  // -X overrides for the monitor's clients
  int history_points = 300;      // one per second
  std::chrono::milliseconds lake_interval{5000};
};

class PipelineMonitor {
 public:
  explicit PipelineMonitor(MonitorOptions options);
  PipelineMonitor(const PipelineMonitor&) = delete;
  PipelineMonitor& operator=(const PipelineMonitor&) = delete;
  ~PipelineMonitor();

  // The latest sample as one JSON object (see docs/console.md for its fields); "{}" before the
  // first sample.
  std::string SnapshotJson() const;

 private:
  struct PriceState;
  using EndOffsets = std::map<std::string, std::map<int32_t, int64_t>>;  // topic -> partition
  struct GroupRow {
    std::string name, state;
    int members = -1;  // unknown
  };
  // Offset sums between two samples, as messages per second.
  struct Rates {
    double seconds = 0;                                   // since the previous sample
    std::map<std::string, double> now;                    // this sample's rates, by series
    std::map<std::string, int64_t> last_totals;           // the previous sample's sums, by series
    double Of(const std::string& series, int64_t total);  // NaN when not known yet
  };

  void Run();
  // The parts of one sample, each appending its JSON fields to `out`.
  void SampleKafka(std::string& out);
  EndOffsets AppendTopics(const std::vector<const rd_kafka_metadata_topic_t*>& topics,
                          std::string& out);
  void FollowPriceTail(int partitions, std::string& out);
  std::vector<GroupRow> ListGroups(std::string& note);
  void AppendGroups(const EndOffsets& ends, std::string& out);
  void AppendRates(int64_t now_ms, std::string& out);
  void SampleLake();
  void TailPrices(std::chrono::steady_clock::time_point until);
  void AppendPrices(std::string& out);
  rd_kafka_t* GroupClient(const std::string& group);

  MonitorOptions options_;
  kafka::KafkaHandle admin_;  // metadata, watermarks, group listing
  kafka::KafkaHandle tail_;   // the price tail: assigned partitions, no group
  std::map<std::string, kafka::KafkaHandle> group_clients_;  // committed offsets, never joined
  std::unique_ptr<ObjectStore> lake_;
  std::unique_ptr<PriceState> prices_;
  int tail_partitions_ = 0;

  // Rate history (one point per sample), series "produced <topic>" and "committed by <group>".
  Rates rates_;
  std::map<std::string, std::vector<double>> rate_series_;
  std::vector<int64_t> rate_times_ms_;

  std::string lake_json_ = "null";              // the last lake sample
  std::map<std::string, int64_t> error_lines_;  // _errors/ key@etag -> records in it
  std::chrono::steady_clock::time_point last_lake_sample_{};

  mutable std::mutex mu_;
  std::string snapshot_ = "{}";
  std::atomic<bool> stop_{false};
  std::mutex wake_mu_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace ticklake::console
