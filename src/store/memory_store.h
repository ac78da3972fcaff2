// MemoryStore: an ObjectStore held in a map, for unit tests. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>

#include "store/object_store.h"

namespace ticklake {

class MemoryStore : public ObjectStore {
 public:
  std::string Uri() const override { return "memory://"; }
  void Put(std::string_view key, std::string_view data) override;
  void PutFile(std::string_view key, const std::filesystem::path& file) override;
  std::string Get(std::string_view key) override;
  std::string GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  void GetToFile(std::string_view key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(std::string_view key) override;
  ListResult List(std::string_view prefix, std::string_view delimiter) override;
  void Delete(std::string_view key) override;

 private:
  struct Object {
    std::string data;
    int64_t modified_ms;
    uint64_t version;
  };
  mutable std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;
  uint64_t next_version_ = 1;
};

}  // namespace ticklake
