#include "lake/iceberg_committer.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <random>

#include "common/base64.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/json_writer.h"
#include "lake/commit_log.h"
#include "lake/iceberg_record_types.h"

namespace ticklake::lake {
namespace fs = std::filesystem;

namespace {

// A flush is written again at most this often when others keep changing the table's schema.
constexpr int kMaxAttempts = 10;

bool SameFields(const iceberg::Schema& a, const iceberg::Schema& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    const auto &x = a.fields[i], &y = b.fields[i];
    if (x.id != y.id || x.name != y.name || x.type != y.type || x.required != y.required)
      return false;
  }
  return true;
}

std::string RandomId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}", random());
}

void AppendDeadLetter(std::string& out, const std::string& topic,
                      const IcebergFileWriter::Rejected& r) {
  // The sink's dead-letter format (sink.cc AddError); the payload is the record as received.
  out += "{\"topic\":";
  AppendJsonString(out, topic);
  fmt::format_to(std::back_inserter(out),
                 ",\"partition\":{},\"offset\":{},\"timestamp_ms\":{},\"reason\":", r.partition,
                 r.offset, r.timestamp_ms);
  AppendJsonString(out, r.reason);
  out += ",\"payload\":";
  AppendJsonString(out, r.payload);
  out += "}\n";
}

// The catalog file's folder is created, as the lake's is.
const std::string& WithParentDirectory(const std::string& path) {
  if (fs::path parent = fs::path(path).parent_path(); !parent.empty())
    fs::create_directories(parent);
  return path;
}

}  // namespace

IcebergCommitter::IcebergCommitter(const IcebergSinkOptions& options, ObjectStore& lake)
    : options_(options),
      lake_(lake),
      catalog_(WithParentDirectory(options.catalog)),
      ident_{iceberg::kDefaultNamespace, IcebergTableName(options.topic)},
      writer_(options.kafka_columns, options.temp_dir) {
  // Fail at start, not at the first flush, on a malformed spec.
  iceberg::ParseIcebergPartitionBy(options_.partition_by);
  catalog_.CreateNamespaceIfMissing(ident_.ns);
}

bool IcebergCommitter::LoadTable() {
  if (table_) {
    table_->Refresh();
  } else {
    table_ = iceberg::Table::Load(catalog_, lake_, ident_);
  }
  return table_.has_value();
}

std::optional<int64_t> IcebergCommitter::Resume(int32_t partition) {
  std::optional<int64_t> next;
  if (LoadTable()) {
    KafkaOffsets offsets = CommittedOffsets(table_->metadata(), options_.topic);
    if (auto it = offsets.find(partition); it != offsets.end()) next = it->second;
  }
  expected_[partition] = next;
  // Only an uncommitted flush can have written dead letters at the resume offset: its records
  // are read again, and may now be cut into batches differently.
  if (next) lake_.Delete(ErrorFileKey(options_.topic, partition, *next));
  return next;
}

std::optional<iceberg::CompactResult> IcebergCommitter::Compact() {
  if (!LoadTable()) return std::nullopt;
  iceberg::CompactOptions options;
  options.temp_dir = options_.temp_dir / "compact";
  fs::create_directories(options.temp_dir);
  return iceberg::Compact(*table_, options);
}

void IcebergCommitter::CheckOffsets(const iceberg::TableMetadata& metadata,
                                    const std::vector<Batch>& batches) {
  KafkaOffsets committed = CommittedOffsets(metadata, options_.topic);
  for (const Batch& batch : batches) {
    // -1: nothing of the partition committed yet (the sink read it from its start).
    auto it = committed.find(batch.partition);
    int64_t now = it == committed.end() ? -1 : it->second;
    int64_t mine = expected_[batch.partition].value_or(-1);
    if (now == mine) continue;
    throw iceberg::CommitConflict(fmt::format(
        "Iceberg table {}: {}[{}] was committed up to offset {} by another writer, but this sink "
        "resumed from {}: another member of the group took over the partition (this one lost "
        "its assignment); stopping without committing offsets {}..{} a second time",
        ident_.ToString(), options_.topic, batch.partition, now < 0 ? "none" : std::to_string(now),
        mine < 0 ? "the partition's start" : std::to_string(mine), batch.start_offset,
        batch.next_offset - 1));
  }
}

std::vector<IcebergCommitter::Landed> IcebergCommitter::Land(const std::vector<Batch>& batches) {
  std::vector<Landed> landed(batches.size());
  std::vector<IcebergFileWriter::Input> inputs;
  std::vector<size_t> input_batch;  // the batch of each input
  KafkaOffsets batch_offsets;
  for (size_t i = 0; i < batches.size(); ++i) {
    batch_offsets[batches[i].partition] = batches[i].next_offset;
    if (batches[i].jsonl && !batches[i].jsonl->empty()) {
      inputs.push_back({batches[i].partition, batches[i].jsonl});
      input_batch.push_back(i);
    }
  }
  if (batches.empty()) return landed;

  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    landed.assign(batches.size(), Landed{});
    LoadTable();
    iceberg::Schema current = table_ ? table_->metadata().CurrentSchema() : iceberg::Schema{};
    int32_t last_column_id = table_ ? table_->metadata().last_column_id : 0;
    iceberg::Schema schema =
        inputs.empty() ? current : writer_.PlanSchema(inputs, current, last_column_id);
    if (!table_) {
      if (schema.fields.empty()) break;  // no table to make yet: only dead letters to land
      iceberg::CreateTableOptions create;
      create.schema = schema;
      create.partition_by = iceberg::ParseIcebergPartitionBy(options_.partition_by);
      create.properties = {{"write.format.default", "parquet"},
                           {"write.parquet.compression-codec", "zstd"},
                           {"ticklake.source.topic", options_.topic}};
      try {
        table_ = iceberg::Table::Create(catalog_, lake_, ident_, options_.topic, create);
      } catch (const Error& e) {
        Fail("cannot create the Iceberg table {} for {} (--partition-by '{}'): {}",
             ident_.ToString(), options_.topic, options_.partition_by, e.what());
      }
      continue;  // plan again against the table the catalog now holds
    }
    const iceberg::TableMetadata* metadata = &table_->metadata();
    bool evolved = !SameFields(schema, current);
    if (evolved) {
      int32_t highest = 0;
      for (const auto& s : metadata->schemas) highest = std::max(highest, s.schema_id);
      schema.schema_id = highest + 1;
    }
    const int32_t planned_schema_id = metadata->current_schema_id;
    IcebergFileWriter::Output out = writer_.Write(inputs, schema, metadata->DefaultSpec());
    if (options_.on_error == OnError::kFail && !out.rejected.empty()) {
      const auto& r = out.rejected.front();
      Fail("record at {}[{}]@{} is bad: {} (--on-error fail)", options_.topic, r.partition,
           r.offset, r.reason);
    }

    // Upload: data files to their final keys, dead letters to theirs.
    std::vector<ObjectStore::FileUpload> uploads;
    iceberg::AppendRequest request;
    for (const auto& file : out.files) {
      const Batch& batch = batches[input_batch[file.input]];
      std::string stem = fmt::format("{:05}-{:020}-{}", batch.partition, batch.start_offset,
                                     file.local.stem().string());
      std::string key = table_->NewDataFileKey(file.data.partition, stem);
      uploads.emplace_back(key, file.local);
      iceberg::DataFile data = file.data;
      data.location = table_->LocationOf(key);
      request.files.push_back(std::move(data));
      Landed& l = landed[input_batch[file.input]];
      ++l.files;
      l.bytes += file.data.file_size_in_bytes;
    }
    for (size_t i = 0; i < batches.size(); ++i) {
      std::string errors = batches[i].errors_jsonl ? *batches[i].errors_jsonl : std::string();
      landed[i].errors = 0;
      for (const auto& r : out.rejected) {
        if (r.partition != batches[i].partition) continue;
        ++landed[i].errors;
        if (options_.on_error == OnError::kDeadLetter) AppendDeadLetter(errors, options_.topic, r);
      }
      if (errors.empty()) continue;
      fs::path local = options_.temp_dir / fmt::format("errors-{}-{}.jsonl", i, RandomId());
      WriteFileAtomically(local, errors);
      uploads.emplace_back(
          ErrorFileKey(options_.topic, batches[i].partition, batches[i].start_offset), local);
      ++landed[i].files;
      landed[i].bytes += static_cast<int64_t>(errors.size());
    }
    for (size_t in = 0; in < inputs.size(); ++in) landed[input_batch[in]].records = out.records[in];
    lake_.PutFiles(uploads);
    for (const auto& upload : uploads) fs::remove(upload.second);

    // The commit point: one snapshot for every partition of the flush.
    if (evolved) request.new_schema = schema;
    bool replan = false;
    for (int round = 0; !replan; ++round) {
      metadata = &table_->metadata();
      // An evolving flush needs the schema it evolved from; others, one that reads their files.
      if (evolved ? metadata->current_schema_id != planned_schema_id
                  : !CanReadWritten(metadata->CurrentSchema(), schema)) {
        replan = true;  // the schema changed under us: write the files again (these are orphans)
        break;
      }
      CheckOffsets(*metadata, batches);
      std::optional<int64_t> base_snapshot = metadata->current_snapshot_id;
      int32_t base_schema = metadata->current_schema_id;
      request.summary = OffsetsSummary(options_.topic, CommittedOffsets(*metadata, options_.topic),
                                       batch_offsets);
      request.validate = [&](const iceberg::TableMetadata& now) {
        CheckOffsets(now, batches);
        if (now.current_snapshot_id != base_snapshot || now.current_schema_id != base_schema)
          throw TableMovedOn("the table moved on: summary recomputed on its new snapshot");
      };
      try {
        table_->Append(request);
      } catch (const TableMovedOn&) {
        if (round > 100) throw;  // a sink that never wins a commit is misconfigured, not unlucky
        table_->Refresh();
        continue;
      }
      ++snapshots_committed_;
      for (const auto& [partition, next] : batch_offsets) expected_[partition] = next;
      return landed;
    }
  }
  if (!table_) {
    // Every record of the flush was a dead letter and no table exists yet: land them; the
    // offsets are committed with the first snapshot.
    std::vector<ObjectStore::FileUpload> uploads;
    for (size_t i = 0; i < batches.size(); ++i) {
      if (!batches[i].errors_jsonl || batches[i].errors_jsonl->empty()) continue;
      fs::path local = options_.temp_dir / fmt::format("errors-{}-{}.jsonl", i, RandomId());
      WriteFileAtomically(local, *batches[i].errors_jsonl);
      uploads.emplace_back(
          ErrorFileKey(options_.topic, batches[i].partition, batches[i].start_offset), local);
      landed[i].files = 1;
      landed[i].bytes = static_cast<int64_t>(batches[i].errors_jsonl->size());
    }
    lake_.PutFiles(uploads);
    for (const auto& upload : uploads) fs::remove(upload.second);
    return landed;
  }
  Fail(
      "Iceberg table {}: could not commit a flush after {} attempts (the table's schema kept "
      "changing)",
      ident_.ToString(), kMaxAttempts);
}

}  // namespace ticklake::lake
