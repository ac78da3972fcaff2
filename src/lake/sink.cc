#include "lake/sink.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "catalog/catalog.h"
#include "catalog/crawler.h"
#include "common/base64.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/json_writer.h"
#include "kafka/fetch_waker.h"
#include "lake/column_batch.h"
#include "lake/commit_log.h"
#include "lake/flush_worker.h"
#include "lake/hive_lander.h"
#include "lake/iceberg_committer.h"
#include "lake/lake_file_encoder.h"
#include "lake/partition_batch.h"
#include "lake/record_parser.h"
#include "lake/sink_metrics.h"
#include "store/object_store.h"

namespace ticklake::lake {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string SummaryJson(const SinkOptions& options, const SinkSummary& s) {
  std::string out = "{\"topic\":";
  AppendJsonString(out, options.topic);
  out += ",\"group\":";
  AppendJsonString(out, options.group);
  out += ",\"lake\":";
  AppendJsonString(out, options.lake);
  fmt::format_to(std::back_inserter(out),
                 ",\"records_consumed\":{},\"records_written\":{},\"error_records\":{},"
                 "\"files_written\":{},\"bytes_written\":{},\"batches_committed\":{},"
                 "\"records_missing\":{},\"seconds\":{:.3f}}}",
                 s.records_consumed, s.records_written, s.error_records, s.files_written,
                 s.bytes_written, s.batches_committed, s.records_missing, s.seconds);
  return out;
}

namespace {

// What has been read from one Kafka partition and not yet handed to the flush worker.
struct PartitionBuffer {
  int64_t next_offset = -1;  // the offset expected next; -1 until known
  PartitionBatch batch;
  Clock::time_point first_record;
  bool at_end = false;

  bool empty() const { return batch.empty(); }
};

// Committing to Kafka and leaving the group at the end are courtesies (the lake is the truth):
// they must not hold a stop when the cluster is gone.
constexpr std::chrono::milliseconds kCloseLimit(2500);

class Sink {
 public:
  Sink(const SinkOptions& options, SinkStats& stats)
      : options_(options),
        stats_(stats),
        store_(OpenObjectStore(
            options.lake,
            StoreOptions{options.s3_path_style ? std::optional<bool>(true) : std::nullopt})),
        log_(*store_, options.topic),
        // Iceberg partitions are computed from typed values (hidden partitioning), and the
        // Kafka columns tell the committer each record's offset.
        parser_(WritesIceberg(options) ? std::vector<PartitionColumn>{}
                                       : ParsePartitionSpec(options.partition_by),
                options.max_record_bytes, options.kafka_columns || WritesIceberg(options)),
        temp_("ticklake-sink"),
        encoder_(ParseLakeFormat(options.format), options.kafka_columns, options.max_record_bytes,
                 temp_.path(), ParseParquetCodec(options.compression)),
        lander_(*store_, log_, encoder_, options.topic,
                std::string(FileExtension(ParseLakeFormat(options.format))), temp_.path()) {
    if (WritesIceberg(options)) {
      iceberg_ = std::make_unique<IcebergCommitter>(
          IcebergSinkOptions{options.catalog, options.topic, options.partition_by,
                             options.kafka_columns, options.on_error, temp_.path()},
          *store_);
    }
  }

  // After a failure, leaving the group must not try to land buffers again: drop them, so that
  // whoever gets the partitions resumes from the lake's last commit.
  ~Sink() {
    aborting_ = true;
    worker_.reset();  // drops the flushes not started
    kafka::CloseConsumer(consumer_, kCloseLimit);
  }

  SinkSummary Run(const std::function<bool()>& should_stop);

 private:
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void OnAssign(rd_kafka_topic_partition_list_t* partitions);
  void OnRevoke(rd_kafka_topic_partition_list_t* partitions);
  void Handle(const rd_kafka_message_t* message);
  // Keeps the records held (buffered and in flight) within --max-buffer-bytes: hands the
  // buffers to the worker early, and waits for it when the budget is spent.
  void MakeRoom();
  // Reports offsets [from, to) of `partition` as gone from the broker (never read).
  void ReportMissing(int32_t partition, int64_t from, int64_t to);
  void AddError(PartitionBatch& batch, const rd_kafka_message_t* message,
                const std::string& reason);
  // Hands the buffers of these partitions to the worker as one flush, and empties them.
  void Submit(const std::vector<PartitionBuffer*>& due);
  void SubmitAll();
  // On the worker: lands the batches of several partitions (HiveLander), then commits their
  // offsets to Kafka.
  void Land(std::vector<PartitionBatch>& batches);
  // Land into an Iceberg table: one snapshot for all the partitions.
  void LandIceberg(std::vector<PartitionBatch>& batches);
  void CountLanded(const PartitionBatch& batch, int64_t records, int64_t files, int64_t bytes);
  // Lands every buffer and waits until it has landed.
  void FlushAll();
  // Hands the buffers due by --flush-interval to the worker.
  void FlushDue();
  void CommitToKafka(int32_t partition, int64_t next_offset, bool async);
  // Whether every assigned partition has been read up to `targets` (its end offsets), or else to
  // its end.
  bool CaughtUp(const std::map<int32_t, int64_t>* targets);
  // Whether `next_offset` has reached the partition's high watermark in its last fetch response:
  // its end, known a response before librdkafka's end-of-partition event (which comes with the
  // next response, an empty one that a broker may hold for fetch.wait.max.ms).
  bool AtHighWatermark(int32_t partition, int64_t next_offset);
  std::map<int32_t, int64_t> QueryEndOffsets();
  void ReportProgress(bool final_line);
  void UpdateLag();
  // Brings the catalog's table for the topic up to date (if --catalog); failures are reported
  // and retried at the next commit, never fatal: the lake is already correct. Runs on the worker
  // while the sink runs.
  void UpdateCatalog();
  // --compact-every: compacts the Iceberg table between flushes, on the worker; failures are
  // reported, never fatal (the table is correct without it).
  void CompactIceberg();

  const SinkOptions& options_;
  SinkStats& stats_;
  std::unique_ptr<ObjectStore> store_;
  CommitLog log_;
  RecordParser parser_;
  TempDir temp_;
  LakeFileEncoder encoder_;
  HiveLander lander_;
  kafka::KafkaHandle consumer_;
  std::map<int32_t, PartitionBuffer> buffers_;  // assigned partitions
  size_t buffered_bytes_ = 0;                   // in buffers_, not yet handed to the worker
  std::atomic<double> flush_seconds_{0};        // moving average of a flush's duration
  std::optional<std::string> callback_error_;   // an Error thrown inside a librdkafka callback
  ParsedRecord parsed_;
  int64_t consumed_ = 0;   // records read since the stats were last updated
  Clock::time_point now_;  // the time of the batch of messages being handled
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_progress_ = Clock::now();
  int64_t last_progress_records_ = 0;
  bool aborting_ = false;
  std::unique_ptr<IcebergCommitter> iceberg_;  // --table-format iceberg
  std::unique_ptr<catalog::Catalog> catalog_;
  std::atomic<bool> catalog_stale_{false};
  Clock::time_point last_catalog_update_;
  int64_t catalog_run_ = 0;  // this session's run in the catalog's crawl history
  Clock::time_point last_compaction_ = Clock::now();
  // Last: destroyed first, so no job outlives the members it uses.
  std::unique_ptr<FlushWorker> worker_ = std::make_unique<FlushWorker>();
};

void Sink::RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* sink = static_cast<Sink*>(opaque);
  bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
  try {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      sink->OnAssign(partitions);
      if (cooperative) {
        if (auto* e = rd_kafka_incremental_assign(rk, partitions)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, partitions);
      }
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) sink->OnRevoke(partitions);
  } catch (const std::exception& e) {
    if (!sink->callback_error_) sink->callback_error_ = e.what();
  }
  if (cooperative) {
    if (auto* e = rd_kafka_incremental_unassign(rk, partitions)) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

void Sink::OnAssign(rd_kafka_topic_partition_list_t* partitions) {
  worker_->WaitIdle();  // the lake says where partitions resume: let the flushes land first
  std::string resumed;
  for (int i = 0; i < partitions->cnt; ++i) {
    auto& tp = partitions->elems[i];
    if (options_.topic != tp.topic) continue;
    std::optional<int64_t> next =
        iceberg_ ? iceberg_->Resume(tp.partition) : log_.Recover(tp.partition);
    PartitionBuffer& buffer = buffers_[tp.partition];
    buffer = PartitionBuffer{};
    buffer.batch.partition = tp.partition;
    if (next) {
      // A lake ahead of the topic means the topic was recreated (or this is another cluster):
      // resuming would silently skip the new records.
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(consumer_.get(), tp.topic, tp.partition, &low, &high,
                                           10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          *next > high) {
        Fail(
            "the lake {} holds {}[{}] up to offset {}, but the topic ends at {}: was the topic "
            "recreated? "
            "Use a fresh lake (or prefix) for a new topic",
            store_->Uri(), options_.topic, tp.partition, *next, high);
      }
    } else {
      // Nothing of the partition landed yet: read from offset 0, whatever the group committed.
      // Records deleted (retention) before the sink ever read them make the partition start
      // later: the fetch is reset to its start and Handle reports the jump from 0.
      next = 0;
    }
    tp.offset = *next;  // the lake is the truth, whatever the group committed
    buffer.next_offset = *next;
    resumed += fmt::format(" {}@{}", tp.partition, *next);
  }
  fmt::print(stderr, "ticklake sink: assigned {} partition(s) of {}:{}\n", partitions->cnt,
             options_.topic, resumed);
}

void Sink::OnRevoke(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<PartitionBuffer*> revoked;
  for (int i = 0; i < partitions->cnt; ++i) {
    auto& tp = partitions->elems[i];
    auto it = buffers_.find(tp.partition);
    if (it != buffers_.end() && options_.topic == tp.topic) revoked.push_back(&it->second);
  }
  auto forget = [&] {
    for (PartitionBuffer* buffer : revoked) {
      buffered_bytes_ -= buffer->batch.bytes;
      buffers_.erase(buffer->batch.partition);
    }
  };
  if (aborting_) return forget();
  try {
    // Whoever gets the partitions next resumes from the lake: every flush must have landed.
    Submit(revoked);
    worker_->WaitIdle();
  } catch (...) {
    // Batches not committed: whoever gets the partitions resumes before them.
    forget();
    throw;
  }
  forget();  // flushed: nothing buffered is left
}

void Sink::ReportMissing(int32_t partition, int64_t from, int64_t to) {
  int64_t missing = to - from;
  stats_.records_missing += missing;
  GetSinkMetrics().missing.Add(missing);
  fmt::print(stderr,
             "ticklake sink: ERROR {}[{}]: offsets {}..{} are gone from the broker ({} records "
             "lost, probably deleted by retention before they were read)\n",
             options_.topic, partition, from, to - 1, missing);
}

void Sink::AddError(PartitionBatch& batch, const rd_kafka_message_t* m, const std::string& reason) {
  stats_.error_records++;
  GetSinkMetrics().errors.Add();
  if (options_.on_error == OnError::kFail) {
    Fail("record at {}[{}]@{} is bad: {} (--on-error fail)", options_.topic, m->partition,
         m->offset, reason);
  }
  if (options_.on_error == OnError::kSkip) return;
  std::string& out = batch.errors_jsonl;
  size_t before = out.capacity();
  out += "{\"topic\":";
  AppendJsonString(out, options_.topic);
  rd_kafka_timestamp_type_t type;
  fmt::format_to(std::back_inserter(out),
                 ",\"partition\":{},\"offset\":{},\"timestamp_ms\":{},\"reason\":", m->partition,
                 m->offset, rd_kafka_message_timestamp(m, &type));
  AppendJsonString(out, reason);
  std::string_view payload(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  std::string_view key(static_cast<const char*>(m->key), m->key ? m->key_len : 0);
  bool key_text = simdjson::validate_utf8(key.data(), key.size());
  out += key_text ? ",\"key\":" : ",\"key_base64\":";
  AppendJsonString(out, key_text ? std::string(key) : Base64Encode(key));
  bool text = simdjson::validate_utf8(payload.data(), payload.size());
  out += text ? ",\"payload\":" : ",\"payload_base64\":";
  AppendJsonString(out, text ? std::string(payload) : Base64Encode(payload));
  out += "}\n";
  batch.bytes += out.capacity() - before;
  buffered_bytes_ += out.capacity() - before;
}

void Sink::Handle(const rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    auto it = buffers_.find(m->partition);
    if (it != buffers_.end()) it->second.at_end = true;
    return;
  }
  if (m->err) {
    std::string where =
        m->rkt ? fmt::format(" ({}[{}])", rd_kafka_topic_name(m->rkt), m->partition) : "";
    if (m->err == RD_KAFKA_RESP_ERR__FATAL)
      Fail("Kafka consumer fatal error{}: {}", where, rd_kafka_message_errstr(m));
    fmt::print(stderr, "ticklake sink: Kafka error{}: {}\n", where, rd_kafka_message_errstr(m));
    return;
  }
  auto it = buffers_.find(m->partition);
  if (it == buffers_.end()) return;  // not ours (any more)
  PartitionBuffer& buffer = it->second;
  buffer.at_end = false;
  if (buffer.next_offset >= 0 && m->offset < buffer.next_offset)
    return;  // already landed or buffered
  if (buffer.next_offset >= 0 && m->offset > buffer.next_offset)
    ReportMissing(m->partition, buffer.next_offset, m->offset);
  rd_kafka_timestamp_type_t type;
  int64_t timestamp_ms = rd_kafka_message_timestamp(m, &type);
  PartitionBatch& batch = buffer.batch;
  if (batch.empty()) {
    batch.start_offset = m->offset;
    // A buffer's age counts from when its first record was produced, so that the time it waited
    // in librdkafka's queue (behind a flush) counts too; but no more than half an interval, so
    // that replaying old records still fills files.
    double waited_s =
        timestamp_ms < 0 ? 0 : static_cast<double>(catalog::NowMs() - timestamp_ms) / 1000;
    waited_s = std::clamp(waited_s, 0.0, options_.flush_interval_s / 2);
    buffer.first_record =
        now_ - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(waited_s));
  }
  buffer.next_offset = m->offset + 1;
  batch.next_offset = buffer.next_offset;
  ++batch.consumed;
  ++consumed_;

  KafkaMeta meta{options_.topic, m->partition, m->offset, timestamp_ms};
  std::string_view payload(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  if (auto reason = parser_.Parse(payload, meta, &parsed_)) {
    AddError(batch, m, *reason);
  } else {
    auto group = batch.groups.find(parsed_.partition_path);
    if (group == batch.groups.end()) {
      group = batch.groups.try_emplace(parsed_.partition_path, options_.topic, m->partition).first;
    }
    // Memory is accounted by what the buffers have allocated (ColumnBatch::allocated_bytes),
    // not by their contents.
    size_t before = group->second.records.allocated_bytes();
    group->second.records.Append(parsed_.object, m->offset, timestamp_ms,
                                 parser_.path_only_fields());
    ++batch.written;
    size_t grown = group->second.records.allocated_bytes() - before;
    batch.bytes += grown;
    buffered_bytes_ += grown;
  }
  if (batch.consumed >= options_.flush_records ||
      batch.bytes >= static_cast<size_t>(options_.flush_bytes)) {
    Submit({&buffer});
  }
  if (buffered_bytes_ >= options_.max_buffer_bytes / 3) MakeRoom();
}

void Sink::MakeRoom() {
  // A third for the buffers being filled, a third for the flush in flight (which shrinks as
  // DuckDB writes it), a third for librdkafka's prefetch and DuckDB's writers: the process stays
  // near --max-buffer-bytes.
  if (buffered_bytes_ < options_.max_buffer_bytes / 3) return;
  // Consumption waits meanwhile, and librdkafka's prefetch is bounded (Run).
  worker_->WaitBelow(0);
  SubmitAll();
}

void Sink::SubmitAll() {
  std::vector<PartitionBuffer*> all;
  for (auto& [partition, buffer] : buffers_) all.push_back(&buffer);
  Submit(all);
}

void Sink::Submit(const std::vector<PartitionBuffer*>& due) {
  std::vector<PartitionBatch> batches;
  size_t bytes = 0;
  for (PartitionBuffer* buffer : due) {
    if (buffer->empty()) continue;
    bytes += buffer->batch.bytes;
    int32_t partition = buffer->batch.partition;
    batches.push_back(std::exchange(buffer->batch, PartitionBatch{}));
    buffer->batch.partition = partition;
  }
  if (batches.empty()) return;
  buffered_bytes_ -= bytes;
  auto job = std::make_shared<std::vector<PartitionBatch>>(std::move(batches));
  worker_->Submit([this, job] { iceberg_ ? LandIceberg(*job) : Land(*job); }, bytes);
  // Flushes queue up when landing is slower than consuming: keep them within the budget.
  worker_->WaitBelow(options_.max_buffer_bytes / 3 * 2);
}

void Sink::Land(std::vector<PartitionBatch>& batches) {
  auto started = Clock::now();
  lander_.Land(batches, [&](const PartitionBatch& batch, const HiveLander::Landed& landed) {
    CommitToKafka(batch.partition, batch.next_offset, /*async=*/true);
    catalog_stale_ = true;
    CountLanded(batch, batch.written, landed.files, landed.bytes);
  });
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  flush_seconds_ = flush_seconds_ * 0.7 + seconds * 0.3;
  GetSinkMetrics().flush_seconds.Observe(seconds);
}

void Sink::LandIceberg(std::vector<PartitionBatch>& batches) {
  auto started = Clock::now();
  std::vector<std::string> jsonl(batches.size());
  std::vector<IcebergCommitter::Batch> commits;
  for (size_t i = 0; i < batches.size(); ++i) {
    PartitionBatch& batch = batches[i];
    auto group = batch.groups.find("");  // no Hive partitions: one group
    if (group != batch.groups.end()) {
      // The Iceberg writer reads JSON Lines (with the Kafka columns, which tell it offsets).
      group->second.records.AppendJsonLines(jsonl[i], true);
      batch.groups.clear();
    }
    commits.push_back({batch.partition, batch.start_offset, batch.next_offset,
                       jsonl[i].empty() ? nullptr : &jsonl[i], &batch.errors_jsonl});
  }
  std::vector<IcebergCommitter::Landed> landed = iceberg_->Land(commits);
  for (size_t i = 0; i < batches.size(); ++i) {
    CommitToKafka(batches[i].partition, batches[i].next_offset, /*async=*/true);
    stats_.error_records += landed[i].errors;
    GetSinkMetrics().errors.Add(landed[i].errors);
    CountLanded(batches[i], landed[i].records, landed[i].files, landed[i].bytes);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  flush_seconds_ = flush_seconds_ * 0.7 + seconds * 0.3;
  GetSinkMetrics().flush_seconds.Observe(seconds);
}

void Sink::CountLanded(const PartitionBatch&, int64_t records, int64_t files, int64_t bytes) {
  stats_.records_written += records;
  stats_.files_written += files;
  stats_.bytes_written += bytes;
  stats_.batches_committed++;
  GetSinkMetrics().written.Add(records);
  GetSinkMetrics().files.Add(files);
  GetSinkMetrics().bytes.Add(bytes);
  GetSinkMetrics().batches.Add();
}

void Sink::FlushAll() {
  SubmitAll();
  worker_->WaitIdle();
}

void Sink::FlushDue() {
  // A file must be landed --flush-interval after its first record, so a flush starts early by
  // what flushing takes (with a margin: flushes vary).
  double lead = std::min(1.5 * flush_seconds_, options_.flush_interval_s / 2);
  auto interval = std::chrono::duration<double>(options_.flush_interval_s - lead);
  // Iceberg: each flush is a snapshot (and rewrites the table's metadata), so partitions half-way
  // due join a due one instead of committing their own a moment later.
  bool any_due = false;
  std::vector<PartitionBuffer*> due;
  for (auto& [partition, buffer] : buffers_) {
    if (buffer.empty()) continue;
    auto age = now_ - buffer.first_record;
    any_due = any_due || age >= interval;
    if (age >= interval || (iceberg_ && age >= interval / 2)) due.push_back(&buffer);
  }
  if (any_due) Submit(due);
}

void Sink::CommitToKafka(int32_t partition, int64_t next_offset, bool async) {
  // Only an optimisation and a courtesy to lag monitors: the lake's state decides on restart.
  kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition)->offset =
      next_offset;
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), async ? 1 : 0);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    fmt::print(stderr,
               "ticklake sink: warning: committing offset {} of {}[{}] to Kafka failed: {}\n",
               next_offset, options_.topic, partition, rd_kafka_err2str(err));
  }
}

std::map<int32_t, int64_t> Sink::QueryEndOffsets() {
  std::map<int32_t, int64_t> ends;
  for (const auto& [partition, buffer] : buffers_) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        consumer_.get(), options_.topic.c_str(), partition, &low, &high, 10000);
    if (err)
      Fail("cannot read the end offset of {}[{}]: {}", options_.topic, partition,
           rd_kafka_err2str(err));
    ends[partition] = high;
  }
  return ends;
}

bool Sink::CaughtUp(const std::map<int32_t, int64_t>* targets) {
  if (buffers_.empty()) return false;
  for (const auto& [partition, buffer] : buffers_) {
    if (targets) {
      auto it = targets->find(partition);
      if (it == targets->end()) continue;
      int64_t position = buffer.next_offset;
      if (position < 0) {
        // Nothing read yet: ask where the fetcher stands (set once it resolved its start offset).
        kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(1));
        rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), partition);
        if (rd_kafka_position(consumer_.get(), list.get()) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          position = list->elems[0].offset;
        }
        if (position < 0 && it->second == 0) position = 0;
      }
      if (position < it->second) return false;
    } else if (!buffer.at_end && !AtHighWatermark(partition, buffer.next_offset)) {
      return false;
    }
  }
  return true;
}

bool Sink::AtHighWatermark(int32_t partition, int64_t next_offset) {
  int64_t low = 0, high = 0;
  return next_offset >= 0 &&
         rd_kafka_get_watermark_offsets(consumer_.get(), options_.topic.c_str(), partition, &low,
                                        &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
         high > 0 && next_offset >= high;
}

void Sink::UpdateLag() {
  if (!consumer_) return;  // closed
  int64_t lag = 0;
  for (const auto& [partition, buffer] : buffers_) {
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), options_.topic.c_str(), partition, &low,
                                       &high) ||
        high < 0 || buffer.next_offset < 0) {
      continue;
    }
    lag += std::max<int64_t>(0, high - buffer.next_offset);
  }
  stats_.lag = buffers_.empty() ? -1 : lag;
  GetSinkMetrics().lag.Set(static_cast<double>(buffers_.empty() ? 0 : lag));
}

void Sink::UpdateCatalog() {
  if (!catalog_ || !catalog_stale_) return;
  catalog::CrawlOptions crawl;
  crawl.database = options_.catalog_database;
  crawl.folder = options_.topic;
  crawl.interruptible = false;
  crawl.cache_dir = temp_.path() / "catalog-cache";
  crawl.source = "sink " + options_.topic;
  crawl.continue_run = catalog_run_;  // one run per session, not one per commit
  try {
    catalog::CrawlSummary summary = catalog::Crawl(*store_, *catalog_, crawl);
    catalog_run_ = summary.crawl_id;
    for (const auto& e : summary.error_messages) {
      fmt::print(stderr, "ticklake sink: warning: catalog update: {}: {}\n", e.path, e.message);
    }
    stats_.catalog_updates++;
    catalog_stale_ = false;
  } catch (const Error& e) {
    fmt::print(
        stderr,
        "ticklake sink: warning: catalog update failed (retried after the next commit): {}\n",
        e.what());
  }
}

void Sink::CompactIceberg() {
  try {
    auto result = iceberg_->Compact();
    if (result && result->snapshot_id) {
      fmt::print(stderr,
                 "ticklake sink: compacted {}: {} files -> {} in {} partition(s), snapshot {}\n",
                 iceberg_->ident().ToString(), result->files_removed, result->files_added,
                 result->partitions_rewritten, *result->snapshot_id);
    }
  } catch (const Error& e) {
    fmt::print(stderr, "ticklake sink: warning: compaction failed (retried later): {}\n", e.what());
  }
}

void Sink::ReportProgress(bool final_line) {
  double dt = std::chrono::duration<double>(Clock::now() - last_progress_).count();
  int64_t records = stats_.records_consumed;
  double rate = dt > 0 ? static_cast<double>(records - last_progress_records_) / dt : 0;
  fmt::print(stderr,
             "\r\033[Ksink: {} records ({:.0f}/s) · {} written · {} errors · {} files · {:.1f} MB "
             "· lag {}{}",
             records, rate, stats_.records_written.load(), stats_.error_records.load(),
             stats_.files_written.load(), static_cast<double>(stats_.bytes_written) / 1e6,
             stats_.lag.load(), final_line ? "\n" : "");
}

SinkSummary Sink::Run(const std::function<bool()>& should_stop) {
  // librdkafka's prefetch is part of the memory budget: a sixteenth of --max-buffer-bytes
  // queued, fetched in responses of a quarter of that (at least a message's worth). Responses are
  // small because each broker's may come on top of a full queue, decompressed (JSON compresses
  // 4-5x): draining 2M records from a 3-broker Kafka cluster peaked at 2.2x M with responses of
  // M/16, 1.4-1.5x with M/64. The queue can be this small because FetchWaker ends librdkafka
  // 2.0's pause after the queue was full: without it, M/16 took twice as long as M/8, with it as
  // long, for ~80 MB less at peak (docs/architecture.md).
  const size_t prefetch = options_.max_buffer_bytes / 16;
  kafka::Properties defaults = {
      {"bootstrap.servers", options_.bootstrap},
      {"group.id", options_.group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "true"},
      // The embedded broker waits session.timeout.ms before a rejoining group settles.
      {"session.timeout.ms", "6000"},
      // Prefetch bounded by bytes, not by messages.
      {"queued.min.messages", "1000000"},
      {"queued.max.messages.kbytes", std::to_string(std::max<size_t>(prefetch / 1024, 2048))},
      {"fetch.max.bytes", std::to_string(std::max<size_t>(prefetch / 4, 1 << 20))},
      {"log_level", "3"},
  };
  // A broker holds a fetch of a partition at its end for fetch.wait.max.ms (500 ms), and the
  // group's requests on that connection (the last offset commits, leaving the group) wait behind
  // it: closing took ~0.8 s on a 3-broker Kafka cluster. A sink that exits at the end takes 100 ms.
  if (options_.exit_at_end) defaults["fetch.wait.max.ms"] = "100";
  if (!options_.catalog.empty() && !iceberg_)
    catalog_ = std::make_unique<catalog::Catalog>(options_.catalog);
  kafka::ConfPtr conf = kafka::MakeConf(defaults, options_.properties);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Sink::RebalanceCallback);
  consumer_ = kafka::MakeHandle(RD_KAFKA_CONSUMER, std::move(conf));
  kafka::WaitForCluster(
      consumer_.get(), options_.bootstrap,
      std::chrono::milliseconds(static_cast<int64_t>(options_.connect_timeout_s * 1000)));
  rd_kafka_poll_set_consumer(consumer_.get());
  kafka::TopicPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(consumer_.get(), topics.get())) {
    Fail("cannot subscribe to {}: {}", options_.topic, rd_kafka_err2str(err));
  }

  kafka::Queue queue(rd_kafka_queue_get_consumer(consumer_.get()));
  // While a backlog drains, the prefetch queue fills up and librdkafka 2.0 stops fetching until
  // its brokers' threads wake up (fetch_waker.h): wake them when the queue runs dry, until no
  // full batch has come for the longest such pause.
  std::optional<kafka::FetchWaker> waker;
  waker.emplace(consumer_.get(), options_.topic, std::chrono::milliseconds(50));
  auto backlog_until = Clock::time_point::min();
  std::vector<int32_t> assigned;
  std::vector<rd_kafka_message_t*> received(10'000);
  std::vector<kafka::Message> messages;  // owns the received batch while it is handled
  bool progress = options_.progress && isatty(STDERR_FILENO);
  std::optional<std::map<int32_t, int64_t>> drain_targets;
  auto drain_deadline = Clock::time_point::max();
  while (true) {
    if (!drain_targets && should_stop()) {
      if (!options_.drain_on_stop) break;
      drain_deadline = Clock::now() + std::chrono::seconds(60);
      drain_targets.emplace();  // filled once partitions are assigned
    }
    if (drain_targets && drain_targets->empty() && !buffers_.empty())
      *drain_targets = QueryEndOffsets();
    if (drain_targets && !drain_targets->empty() && CaughtUp(&*drain_targets)) break;
    if (drain_targets && Clock::now() > drain_deadline) {
      fmt::print(stderr,
                 "ticklake sink: warning: draining did not reach the end offsets within 60 s\n");
      break;
    }
    if (options_.exit_at_end && CaughtUp(nullptr)) break;

    // Messages in batches: the checks below run once per batch, not once per message.
    // librdkafka 2.0's batch call returns only with a full batch or at its timeout, so it first
    // takes what is queued without waiting: a queue that runs dry while a backlog drains wakes
    // the brokers' threads at once instead of after the timeout (which cost a 2M-record drain
    // ~100 ms of every ~250 ms it spent filling a flush).
    const auto full = static_cast<ssize_t>(received.size());
    ssize_t count = rd_kafka_consume_batch_queue(queue.get(), 0, received.data(), received.size());
    if (count < full && Clock::now() < backlog_until) {
      assigned.clear();
      for (const auto& [partition, buffer] : buffers_) assigned.push_back(partition);
      waker->Wake(assigned);
    }
    if (count == 0)
      count = rd_kafka_consume_batch_queue(queue.get(), 100, received.data(), received.size());
    now_ = Clock::now();
    if (count == full) backlog_until = now_ + std::chrono::seconds(1);
    messages.clear();
    for (ssize_t i = 0; i < count; ++i) messages.emplace_back(received[i]);
    for (const kafka::Message& message : messages) {
      if (!callback_error_) Handle(message.get());
    }
    messages.clear();
    if (callback_error_) Fail("{}", *callback_error_);
    stats_.records_consumed += consumed_;
    GetSinkMetrics().consumed.Add(consumed_);
    consumed_ = 0;
    worker_->Check();
    FlushDue();
    if (iceberg_ && options_.compact_every_s > 0 &&
        now_ - last_compaction_ >= std::chrono::duration<double>(options_.compact_every_s)) {
      last_compaction_ = now_;
      worker_->Submit([this] { CompactIceberg(); }, 0);
    }
    if (catalog_stale_ && now_ - last_catalog_update_ >= std::chrono::seconds(1)) {
      last_catalog_update_ = now_;
      worker_->Submit([this] { UpdateCatalog(); }, 0);
    }
    if (Clock::now() - last_progress_ >= std::chrono::milliseconds(500)) {
      UpdateLag();
      if (progress) ReportProgress(false);
      last_progress_ = Clock::now();
      last_progress_records_ = stats_.records_consumed;
    }
  }
  FlushAll();
  waker.reset();
  for (const auto& [partition, buffer] : buffers_) {
    if (buffer.next_offset >= 0) CommitToKafka(partition, buffer.next_offset, /*async=*/true);
  }
  queue.reset();  // the consumer's queue, before the consumer
  // Revokes (nothing left to flush), sends the commits and leaves the group, within a bound.
  if (!kafka::CloseConsumer(consumer_, kCloseLimit))
    fmt::print(stderr, "ticklake sink: warning: leaving the consumer group timed out\n");
  if (callback_error_) Fail("{}", *callback_error_);
  UpdateCatalog();
  UpdateLag();
  if (progress) ReportProgress(true);
  SinkSummary summary;
  summary.records_consumed = stats_.records_consumed;
  summary.records_written = stats_.records_written;
  summary.error_records = stats_.error_records;
  summary.files_written = stats_.files_written;
  summary.bytes_written = stats_.bytes_written;
  summary.batches_committed = stats_.batches_committed;
  summary.records_missing = stats_.records_missing;
  summary.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  return summary;
}

}  // namespace

SinkSummary RunSink(const SinkOptions& options, const std::function<bool()>& should_stop,
                    SinkStats* live) {
  SinkStats local;
  CheckSinkOptions(options);
  Sink sink(options, live ? *live : local);
  return sink.Run(should_stop);
}

}  // namespace ticklake::lake
