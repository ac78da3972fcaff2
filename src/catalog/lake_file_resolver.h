// LakeFileResolver: turns lake objects into local file paths that DuckDB can open. When the
// ObjectStore has local files (LocalStore) it returns them in place, with no copy. Otherwise (S3)
// it downloads each object once into a cache directory, as <cache>/<ETag>/<key> (so a changed
// object is fetched again and an unchanged one never is), and evicts least-recently-used files
// beyond a byte budget. Files resolved since the last BeginBatch() are never evicted, so a query
// keeps every file it was promised even when it needs more than the budget.
//
// The cache is shared by processes only loosely: files are written atomically, so a concurrent
// reader sees a whole file or none; eviction by one process may force another to download again.
//
// Thread-safety: all methods may be called from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/object_store.h"

namespace ticklake::catalog {

class LakeFileResolver {
 public:
  // `cache_dir` (made absolute) is created on first download; `max_bytes` bounds the cache
  // (0 = unbounded). Resolve returns absolute paths.
  LakeFileResolver(ObjectStore& lake, std::filesystem::path cache_dir, uint64_t max_bytes);

  // True when objects are read in place (no cache involved).
  bool IsLocal() const;
  // A local path holding the object `key` with this ETag (downloading it if needed).
  std::filesystem::path Resolve(const std::string& key, const std::string& etag, uint64_t size);
  // Starts a new batch (query): files pinned by the previous batch become evictable.
  void BeginBatch();

  uint64_t bytes_downloaded() const;
  uint64_t cached_bytes() const;
  const std::filesystem::path& cache_dir() const { return cache_dir_; }

 private:
  struct Entry {
    std::filesystem::path path;
    uint64_t size = 0;
    uint64_t batch = 0;
  };
  void EvictLocked();

  ObjectStore& lake_;
  std::filesystem::path cache_dir_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // cache file names, most recent first
  std::unordered_map<std::string, std::pair<Entry, std::list<std::string>::iterator>> entries_;
  uint64_t cached_bytes_ = 0;
  uint64_t downloaded_ = 0;
  uint64_t batch_ = 1;
};

}  // namespace ticklake::catalog
