#include "catalog/lake_file_resolver.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/error.h"

namespace ticklake::catalog {
namespace fs = std::filesystem;

LakeFileResolver::LakeFileResolver(ObjectStore& lake, fs::path cache_dir, uint64_t max_bytes)
    : lake_(lake),
      // Absolute once: the paths handed out may be opened from a sandbox or another directory.
      cache_dir_(fs::absolute(cache_dir).lexically_normal()),
      max_bytes_(max_bytes) {
  // Adopt what an earlier process left in the cache, oldest first, so the LRU order holds.
  std::error_code ec;
  if (IsLocal() || !fs::is_directory(cache_dir_, ec)) return;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& entry : fs::recursive_directory_iterator(cache_dir_, ec)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      files.emplace_back(entry.last_write_time(), entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& [time, path] : files) {
    std::string name = path.lexically_relative(cache_dir_).generic_string();
    uint64_t size = fs::file_size(path, ec);
    lru_.push_front(name);
    entries_[name] = {Entry{path, size, 0}, lru_.begin()};
    cached_bytes_ += size;
  }
}

bool LakeFileResolver::IsLocal() const { return lake_.LocalPath("x").has_value(); }

fs::path LakeFileResolver::Resolve(const std::string& key, const std::string& etag, uint64_t size) {
  if (auto local = lake_.LocalPath(key)) return *local;
  // The cached copy keeps the object's key below a folder per ETag: DuckDB still sees the
  // extension (format, .gz) and the key=value folders (Hive partition values), and a changed
  // object (new ETag) never collides with its old copy.
  std::string name = etag.empty() ? std::string("_") : etag;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  name.push_back('/');
  name.append(key);
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(name); it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    it->second.first.batch = batch_;
    return it->second.first.path;
  }
  fs::path path = cache_dir_ / name;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) Fail("cache {}: cannot create: {}", path.parent_path().string(), ec.message());
  // Downloading under the lock keeps the accounting simple; queries resolve files before running.
  lake_.GetToFile(key, path);
  downloaded_ += size;
  cached_bytes_ += size;
  lru_.push_front(name);
  entries_[name] = {Entry{path, size, batch_}, lru_.begin()};
  EvictLocked();
  return path;
}

void LakeFileResolver::EvictLocked() {
  if (max_bytes_ == 0) return;
  auto it = lru_.end();
  while (cached_bytes_ > max_bytes_ && it != lru_.begin()) {
    --it;
    auto entry = entries_.find(*it);
    if (entry->second.first.batch == batch_) continue;  // pinned by the current batch
    std::error_code ec;
    fs::remove(entry->second.first.path, ec);
    cached_bytes_ -= entry->second.first.size;
    entries_.erase(entry);
    it = lru_.erase(it);
  }
}

void LakeFileResolver::BeginBatch() {
  std::lock_guard lock(mu_);
  ++batch_;
  EvictLocked();
}

uint64_t LakeFileResolver::bytes_downloaded() const {
  std::lock_guard lock(mu_);
  return downloaded_;
}

uint64_t LakeFileResolver::cached_bytes() const {
  std::lock_guard lock(mu_);
  return cached_bytes_;
}

}  // namespace ticklake::catalog
