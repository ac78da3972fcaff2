#include "store/memory_store.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake {

void MemoryStore::Put(std::string_view key, std::string_view data) {
  ValidateKey(key);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::lock_guard lock(mu_);
  objects_[std::string(key)] = Object{std::string(data), now, next_version_++};
}

void MemoryStore::PutFile(std::string_view key, const std::filesystem::path& file) {
  Put(key, ReadWholeFile(file));
}

std::string MemoryStore::Get(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) Fail("GET {}: no such object", UriOf(key));
  return it->second.data;
}

std::string MemoryStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  std::string data = Get(key);
  if (offset > data.size())
    Fail("GET {}: range starts at {} beyond size {}", UriOf(key), offset, data.size());
  return data.substr(offset, length);
}

void MemoryStore::GetToFile(std::string_view key, const std::filesystem::path& file) {
  WriteFileAtomically(file, Get(key));
}

std::optional<ObjectInfo> MemoryStore::Head(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return ObjectInfo{it->first, it->second.data.size(), std::to_string(it->second.version),
                    it->second.modified_ms};
}

ListResult MemoryStore::List(std::string_view prefix, std::string_view delimiter) {
  std::lock_guard lock(mu_);
  ListResult result;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    const std::string& key = it->first;
    if (!key.starts_with(prefix)) break;
    if (!delimiter.empty()) {
      size_t pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) {
        std::string common = key.substr(0, pos + delimiter.size());
        if (result.common_prefixes.empty() || result.common_prefixes.back() != common) {
          result.common_prefixes.push_back(common);
        }
        continue;
      }
    }
    result.objects.push_back(
        {key, it->second.data.size(), std::to_string(it->second.version), it->second.modified_ms});
  }
  return result;
}

void MemoryStore::Delete(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
}

}  // namespace ticklake
