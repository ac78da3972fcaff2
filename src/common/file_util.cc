#include "common/file_util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace ticklake {
namespace fs = std::filesystem;

std::string ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot open {}: {}", path.string(), ErrnoMessage());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) Fail("cannot read {}: {}", path.string(), ErrnoMessage());
  return std::move(buffer).str();
}

void SyncPath(const fs::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail("cannot open {} to sync: {}", path.string(), ErrnoMessage());
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) Fail("fsync {}: {}", path.string(), ErrnoMessage());
}

fs::path TempPathBeside(const fs::path& path) {
  static std::atomic<uint64_t> counter{0};
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + std::to_string(getpid()) +
                               "." + std::to_string(counter++));
}

bool IsTempName(std::string_view filename) {
  return filename.starts_with(".") && filename.find(".tmp.") != std::string_view::npos;
}

void WriteFileAtomically(const fs::path& path, std::string_view data) {
  fs::path tmp = TempPathBeside(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("cannot create {}: {}", tmp.string(), ErrnoMessage());
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string message = ErrnoMessage();
      close(fd);
      unlink(tmp.c_str());
      Fail("cannot write {}: {}", path.string(), message);
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    std::string message = ErrnoMessage();
    unlink(tmp.c_str());
    Fail("cannot write {}: {}", path.string(), message);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    std::string message = ErrnoMessage();
    unlink(tmp.c_str());
    Fail("cannot rename {} to {}: {}", tmp.string(), path.string(), message);
  }
  SyncPath(path.parent_path().empty() ? fs::path(".") : path.parent_path());
}

TempDir::TempDir(std::string_view prefix) {
  const char* base = getenv("TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + ".XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr)
    Fail("cannot create temporary directory {}: {}", tmpl, ErrnoMessage());
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace ticklake
