#include "store/object_store.h"

#include "common/error.h"
#include "store/local_store.h"
#include "store/memory_store.h"
#include "store/s3_store.h"

namespace ticklake {

std::string ObjectStore::UriOf(std::string_view key) const {
  std::string uri = Uri();
  if (!uri.empty() && uri.back() != '/') uri.push_back('/');
  uri.append(key);
  return uri;
}

void ObjectStore::Move(std::string_view from, std::string_view to) {
  Put(to, Get(from));
  Delete(from);
}

void ObjectStore::PutFiles(const std::vector<FileUpload>& files) {
  for (const auto& [key, file] : files) PutFile(key, file);
}

void ObjectStore::MoveFilesIn(const std::vector<FileUpload>& files) {
  struct RemoveAll {
    const std::vector<FileUpload>& files;
    ~RemoveAll() {
      std::error_code ignored;  // a file already gone is what we want
      for (const auto& upload : files) std::filesystem::remove(upload.second, ignored);
    }
  } remove{files};
  PutFiles(files);
}

void ObjectStore::MoveAll(const std::vector<ObjectMove>& moves) {
  for (const auto& [from, to] : moves) Move(from, to);
}

void ObjectStore::DeletePrefix(std::string_view prefix) {
  for (const auto& object : List(prefix).objects) Delete(object.key);
}

std::optional<std::filesystem::path> ObjectStore::LocalPath(std::string_view) const {
  return std::nullopt;
}

void ValidateKey(std::string_view key) {
  if (key.empty()) Fail("invalid object key: empty");
  if (key.front() == '/') Fail("invalid object key '{}': absolute", key);
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) Fail("invalid object key '{}': empty path segment", key);
    if (segment == "." || segment == "..")
      Fail("invalid object key '{}': '{}' segment", key, segment);
    start = end + 1;
  }
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) Fail("invalid object key '{}': control character 0x{:02x}", key, u);
  }
}

std::unique_ptr<ObjectStore> OpenObjectStore(std::string_view uri, const StoreOptions& options) {
  if (uri.starts_with("memory://")) return std::make_unique<MemoryStore>();
  if (uri.starts_with("s3://")) {
    S3Options s3;
    s3.aws = LoadAwsConfigFromEnvironment();
    s3.path_style = options.s3_path_style;
    s3.part_size = options.s3_part_size;
    return std::make_unique<S3Store>(uri, std::move(s3));
  }
  std::string_view path = uri;
  if (path.starts_with("file://")) path.remove_prefix(7);
  if (path.empty()) Fail("empty lake path");
  return std::make_unique<LocalStore>(std::filesystem::path(path));
}

}  // namespace ticklake
