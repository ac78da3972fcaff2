#include "lake/commit_log.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

#include "common/error.h"
#include "common/json_writer.h"

namespace ticklake::lake {

CommitLog::CommitLog(ObjectStore& store, std::string topic)
    : store_(store), topic_(std::move(topic)) {}

std::string CommitLog::StateKey(int32_t partition) const {
  return fmt::format("_ticklake/sink/{}/partition-{:05}.json", topic_, partition);
}

std::string CommitLog::StagingKey(int32_t partition, int64_t start_offset,
                                  const std::string& final_key) const {
  // One folder per batch, the final key flattened into a name: a folder per staged file would cost
  // a mkdir and an rmdir per file, the dearest part of landing many small files on a local disk.
  // Unambiguous: '~' cannot stand for '/' inside a Hive path segment, whose '=' is escaped.
  std::string name = final_key;
  std::replace(name.begin(), name.end(), '/', '~');
  return fmt::format("_ticklake/staging/{}/{:05}/{:020}/{}", topic_, partition, start_offset, name);
}

std::string DataFileKey(const std::string& topic, const std::string& hive_path, int32_t partition,
                        int64_t start_offset, std::string_view extension) {
  std::string key = topic + "/";
  if (!hive_path.empty()) key += hive_path + "/";
  return key + fmt::format("part-{:05}-{:020}{}", partition, start_offset, extension);
}

std::string ErrorFileKey(const std::string& topic, int32_t partition, int64_t start_offset) {
  return fmt::format("_errors/{}/part-{:05}-{:020}.jsonl", topic, partition, start_offset);
}

std::string SerializeState(const std::string& topic, int32_t partition,
                           const PartitionState& state) {
  std::string out = "{\"topic\":";
  AppendJsonString(out, topic);
  fmt::format_to(std::back_inserter(out), ",\"partition\":{},\"next_offset\":{},\"pending\":[",
                 partition, state.next_offset);
  for (size_t i = 0; i < state.pending.size(); ++i) {
    out += i ? ",{\"staging\":" : "{\"staging\":";
    AppendJsonString(out, state.pending[i].staging_key);
    out += ",\"final\":";
    AppendJsonString(out, state.pending[i].final_key);
    out += "}";
  }
  out += "]}\n";
  return out;
}

PartitionState ParseState(std::string_view text, const std::string& where) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    Fail("corrupt sink state {}: {}", where, simdjson::error_message(error));
  }
  PartitionState state;
  simdjson::dom::array pending;
  if (root["next_offset"].get(state.next_offset) || root["pending"].get(pending)) {
    Fail("corrupt sink state {}: missing next_offset or pending", where);
  }
  for (auto item : pending) {
    std::string_view staging, final_key;
    if (item["staging"].get(staging) || item["final"].get(final_key)) {
      Fail("corrupt sink state {}: bad pending entry", where);
    }
    state.pending.push_back({std::string(staging), std::string(final_key)});
  }
  return state;
}

std::optional<PartitionState> CommitLog::ReadState(int32_t partition) {
  std::string key = StateKey(partition);
  if (!store_.Head(key)) return std::nullopt;
  return ParseState(store_.Get(key), store_.UriOf(key));
}

void CommitLog::Publish(const std::vector<StagedFile>& files, bool check_staged) {
  std::vector<ObjectStore::ObjectMove> moves;
  for (const auto& file : files) {
    // After a crash, a staged file that is gone was published already: moving is idempotent.
    if (check_staged && !store_.Head(file.staging_key)) continue;
    moves.emplace_back(file.staging_key, file.final_key);
  }
  store_.MoveAll(moves);
}

std::optional<int64_t> CommitLog::Recover(int32_t partition) {
  std::optional<PartitionState> state = ReadState(partition);
  if (state) Publish(state->pending, /*check_staged=*/true);
  std::string staging = fmt::format("_ticklake/staging/{}/{:05}/", topic_, partition);
  store_.DeletePrefix(staging);
  if (!state) return std::nullopt;
  return state->next_offset;
}

void CommitLog::Commit(int32_t partition, int64_t next_offset,
                       const std::vector<StagedFile>& files) {
  PartitionState state{next_offset, files};
  store_.Put(StateKey(partition), SerializeState(topic_, partition, state));
  Publish(files, /*check_staged=*/false);
}

}  // namespace ticklake::lake
