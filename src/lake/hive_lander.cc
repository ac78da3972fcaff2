#include "lake/hive_lander.h"

#include <fmt/format.h>

#include <utility>

#include "common/file_util.h"

namespace ticklake::lake {
namespace fs = std::filesystem;

HiveLander::HiveLander(ObjectStore& store, CommitLog& log, LakeFileEncoder& encoder,
                       std::string topic, std::string extension, fs::path temp_dir)
    : store_(store),
      log_(log),
      encoder_(encoder),
      topic_(std::move(topic)),
      extension_(std::move(extension)),
      temp_dir_(std::move(temp_dir)) {}

void HiveLander::Land(std::vector<PartitionBatch>& batches,
                      const std::function<void(const PartitionBatch&, const Landed&)>& committed) {
  std::vector<LakeFileEncoder::File> encode;
  std::vector<std::vector<StagedFile>> files(batches.size());
  std::vector<ObjectStore::FileUpload> uploads;
  std::vector<size_t> owner;  // the index in `batches` of each upload
  auto stage = [&](size_t i, const std::string& final_key, const fs::path& local) {
    const PartitionBatch& batch = batches[i];
    std::string staging = log_.StagingKey(batch.partition, batch.start_offset, final_key);
    uploads.emplace_back(staging, local);
    owner.push_back(i);
    files[i].push_back({staging, final_key});
  };
  for (size_t i = 0; i < batches.size(); ++i) {
    PartitionBatch& batch = batches[i];
    for (auto& [hive_path, group] : batch.groups) {
      fs::path local = temp_dir_ / fmt::format("file-{}{}", uploads.size(), extension_);
      encode.push_back({std::move(group.records), local});
      stage(i, DataFileKey(topic_, hive_path, batch.partition, batch.start_offset, extension_),
            local);
    }
    if (!batch.errors_jsonl.empty()) {
      fs::path errors = temp_dir_ / fmt::format("errors-{}.jsonl", uploads.size());
      WriteFileAtomically(errors, batch.errors_jsonl);
      stage(i, ErrorFileKey(topic_, batch.partition, batch.start_offset), errors);
    }
  }
  encoder_.EncodeAll(std::move(encode));
  std::vector<Landed> landed(batches.size());
  for (size_t u = 0; u < uploads.size(); ++u) {
    landed[owner[u]].files++;
    landed[owner[u]].bytes += static_cast<int64_t>(fs::file_size(uploads[u].second));
  }
  store_.MoveFilesIn(uploads);  // step 1 of the commit protocol: durable in staging
  for (size_t i = 0; i < batches.size(); ++i) {
    log_.Commit(batches[i].partition, batches[i].next_offset, files[i]);
    committed(batches[i], landed[i]);
  }
}

}  // namespace ticklake::lake
