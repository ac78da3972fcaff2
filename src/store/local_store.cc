#include "store/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake {
namespace fs = std::filesystem;

LocalStore::LocalStore(fs::path root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) Fail("cannot create lake directory {}: {}", root.string(), ec.message());
  // Absolute, so LocalPath() means the same file whatever the reader's working directory or
  // sandbox (DuckDB's allowed_directories compares absolute paths).
  root_ = fs::absolute(root, ec).lexically_normal();
  if (ec) Fail("cannot resolve lake directory {}: {}", root.string(), ec.message());
  if (!root_.has_filename() && root_ != root_.root_path()) root_ = root_.parent_path();  // "lake/"
}

fs::path LocalStore::PathOf(std::string_view key) const {
  ValidateKey(key);
  return root_ / fs::path(std::string(key));
}

namespace {

// What a batch call must fsync for its writes to be durable: the files written and every folder
// whose entries change (each file's folder, the folders created on the way and the first one
// above them that existed). An fsync each while they are few (a partition's commit); beyond
// kFsyncEachMax paths one syncfs, which is cheaper for many files but waits for everything
// written to the file system, other programs' writes too (next to a Kafka broker's log, which
// Kafka itself does not fsync, a flush took up to 1.5 s).
class SyncSet {
 public:
  // Each fsync flushes the device's cache: draining 2M records with 64 here took 20 % longer.
  static constexpr size_t kFsyncEachMax = 8;

  explicit SyncSet(const fs::path& root) : root_(root) {}
  // Before `path` is written: records its folder and the ones that do not exist yet above it.
  void AddFolderOf(const fs::path& path) {
    for (fs::path dir = path.parent_path(); folders_.insert(dir).second; dir = dir.parent_path()) {
      if (dir.string().size() <= root_.string().size() || fs::exists(dir)) return;
    }
  }
  void AddFile(const fs::path& path) {
    files_.push_back(path);
    AddFolderOf(path);
  }
  void Sync() const {
    if (files_.size() + folders_.size() > kFsyncEachMax) return SyncFileSystem(root_);
    for (const fs::path& file : files_) SyncPath(file);
    for (const fs::path& folder : folders_) SyncPath(folder);
  }
  static void SyncFileSystem(const fs::path& root) {
    int fd = open(root.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Fail("cannot open {}: {}", root.string(), ErrnoMessage());
    int rc = syncfs(fd);
    std::string message = rc != 0 ? ErrnoMessage() : "";
    close(fd);
    if (rc != 0) Fail("cannot sync the file system of {}: {}", root.string(), message);
  }

 private:
  fs::path root_;
  std::vector<fs::path> files_;
  std::set<fs::path> folders_;
};

}  // namespace

// Another process sharing the lake (a second sink) prunes folders it emptied, so a folder this
// one just created can vanish before it writes into it: folder creation and the write that
// follows are retried a few times when the folder is gone.
constexpr int kVanishedFolderRetries = 5;

void LocalStore::EnsureParent(const fs::path& path) {
  std::error_code ec;
  for (int attempt = 1; attempt <= kVanishedFolderRetries; ++attempt) {
    fs::create_directories(path.parent_path(), ec);
    if (ec != std::errc::no_such_file_or_directory) break;
  }
  if (ec) Fail("cannot create directory {}: {}", path.parent_path().string(), ec.message());
}

template <typename Write>
void LocalStore::WriteInFolder(const fs::path& path, const Write& write) {
  for (int attempt = 1;; ++attempt) {
    EnsureParent(path);
    try {
      write();
      return;
    } catch (const Error&) {
      if (attempt == kVanishedFolderRetries || fs::is_directory(path.parent_path())) throw;
    }
  }
}

void LocalStore::Put(std::string_view key, std::string_view data) {
  fs::path path = PathOf(key);
  WriteInFolder(path, [&] { WriteFileAtomically(path, data); });
}

fs::path LocalStore::CopyIntoPlace(std::string_view key, const fs::path& file, bool sync) {
  fs::path path = PathOf(key);
  WriteInFolder(path, [&] { CopyIntoFolder(key, path, file, sync); });
  return path;
}

void LocalStore::CopyIntoFolder(std::string_view key, const fs::path& path, const fs::path& file,
                                bool sync) {
  fs::path tmp = TempPathBeside(path);
  std::error_code ec;
  fs::copy_file(file, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) Fail("PUT {}: cannot copy from {}: {}", UriOf(key), file.string(), ec.message());
  if (sync) SyncPath(tmp);  // content durable before the name: no empty object after a crash
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    Fail("PUT {}: {}", UriOf(key), ec.message());
  }
}

void LocalStore::PutFile(std::string_view key, const fs::path& file) {
  fs::path path = CopyIntoPlace(key, file, /*sync=*/true);
  SyncPath(path.parent_path());
}

void LocalStore::PutFiles(const std::vector<FileUpload>& files) {
  SyncSet sync(root_);
  for (const auto& [key, file] : files) {
    sync.AddFile(PathOf(key));
    CopyIntoPlace(key, file, /*sync=*/false);
  }
  sync.Sync();
}

void LocalStore::MoveFilesIn(const std::vector<FileUpload>& files) {
  SyncSet sync(root_);
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [key, file] = files[i];
    fs::path path = PathOf(key);
    try {
      sync.AddFile(path);
      WriteInFolder(path, [&] {
        if (rename(file.c_str(), path.c_str()) == 0) return;
        if (errno != EXDEV)
          Fail("PUT {}: cannot move {} in: {}", UriOf(key), file.string(), ErrnoMessage());
        CopyIntoFolder(key, path, file, /*sync=*/false);  // another file system
        fs::remove(file);
      });
    } catch (...) {
      std::error_code ignored;
      for (size_t j = i; j < files.size(); ++j) fs::remove(files[j].second, ignored);
      throw;
    }
  }
  sync.Sync();
}

std::string LocalStore::Get(std::string_view key) {
  fs::path path = PathOf(key);
  if (!fs::is_regular_file(path)) Fail("GET {}: no such object", UriOf(key));
  return ReadWholeFile(path);
}

std::string LocalStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  fs::path path = PathOf(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("GET {}: no such object", UriOf(key));
  in.seekg(0, std::ios::end);
  auto size = static_cast<uint64_t>(in.tellg());
  if (offset > size) Fail("GET {}: range starts at {} beyond size {}", UriOf(key), offset, size);
  length = std::min(length, size - offset);
  std::string out(length, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out.data(), static_cast<std::streamsize>(length));
  if (!in) Fail("GET {}: read failed: {}", UriOf(key), ErrnoMessage());
  return out;
}

void LocalStore::GetToFile(std::string_view key, const fs::path& file) {
  fs::path path = PathOf(key);
  fs::path tmp = TempPathBeside(file);
  std::error_code ec;
  fs::copy_file(path, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) Fail("GET {}: {}", UriOf(key), ec.message());
  fs::rename(tmp, file, ec);
  if (ec) Fail("GET {}: cannot write {}: {}", UriOf(key), file.string(), ec.message());
}

std::optional<ObjectInfo> LocalStore::Head(std::string_view key) {
  fs::path path = PathOf(key);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    Fail("HEAD {}: {}", UriOf(key), ErrnoMessage());
  }
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  return ObjectInfo{std::string(key), static_cast<uint64_t>(st.st_size),
                    fmt::format("{:x}-{:x}", st.st_size, mtime_ns), mtime_ns / 1'000'000};
}

ListResult LocalStore::List(std::string_view prefix, std::string_view delimiter) {
  // Walk only below the deepest directory that the prefix names in full.
  size_t slash = prefix.rfind('/');
  fs::path start =
      slash == std::string_view::npos ? root_ : root_ / std::string(prefix.substr(0, slash));
  std::vector<std::string> keys;
  std::error_code ec;
  if (fs::is_directory(start, ec)) {
    fs::recursive_directory_iterator it(start, ec), end;
    if (ec) Fail("LIST {}: {}", UriOf(prefix), ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) Fail("LIST {}: {}", UriOf(prefix), ec.message());
      if (!it->is_regular_file()) continue;
      if (IsTempName(it->path().filename().string())) continue;
      std::string key = it->path().lexically_relative(root_).generic_string();
      if (key.starts_with(prefix)) keys.push_back(std::move(key));
    }
  }
  std::sort(keys.begin(), keys.end());
  ListResult result;
  for (const auto& key : keys) {
    if (!delimiter.empty()) {
      size_t pos = key.find(delimiter, prefix.size());
      if (pos != std::string::npos) {
        std::string common = key.substr(0, pos + delimiter.size());
        if (result.common_prefixes.empty() || result.common_prefixes.back() != common) {
          result.common_prefixes.push_back(std::move(common));
        }
        continue;
      }
    }
    if (auto info = Head(key)) result.objects.push_back(std::move(*info));
  }
  return result;
}

void LocalStore::Delete(std::string_view key) {
  fs::path path = PathOf(key);
  if (unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    Fail("DELETE {}: {}", UriOf(key), ErrnoMessage());
  }
  PruneEmptyParents(path);  // so folders mirror S3 prefixes
}

void LocalStore::DeletePrefix(std::string_view prefix) {
  ObjectStore::DeletePrefix(prefix);
  // Partial temporary files are not objects; a prefix that names a folder takes them along.
  if (prefix.ends_with('/')) {
    fs::path dir = PathOf(prefix.substr(0, prefix.size() - 1));
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) Fail("DELETE {}*: {}", UriOf(prefix), ec.message());
    PruneEmptyParents(dir);
  }
}

void LocalStore::Move(std::string_view from, std::string_view to) {
  MoveAll({{std::string(from), std::string(to)}});
}

void LocalStore::MoveAll(const std::vector<ObjectMove>& moves) {
  std::vector<fs::path> emptied;
  SyncSet sync(root_);  // the objects are durable already: only the folders' entries change
  for (const auto& [from, to] : moves) {
    fs::path source = PathOf(from);
    fs::path target = PathOf(to);
    sync.AddFolderOf(source);
    sync.AddFolderOf(target);
    WriteInFolder(target, [&] {
      if (rename(source.c_str(), target.c_str()) != 0) {
        Fail("MOVE {} to {}: {}", UriOf(from), UriOf(to), ErrnoMessage());
      }
    });
    if (emptied.empty() || emptied.back() != source.parent_path())
      emptied.push_back(source.parent_path());
  }
  if (moves.empty()) return;
  sync.Sync();
  for (const auto& dir : emptied) PruneEmptyParents(dir / "x");
}

void LocalStore::PruneEmptyParents(const fs::path& path) {
  // Stops at the first folder that is not empty (rmdir fails) or at the root.
  for (fs::path dir = path.parent_path();
       dir != root_ && dir.string().size() > root_.string().size(); dir = dir.parent_path()) {
    if (rmdir(dir.c_str()) != 0) break;
  }
}

std::optional<fs::path> LocalStore::LocalPath(std::string_view key) const { return PathOf(key); }

}  // namespace ticklake
