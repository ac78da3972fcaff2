// Small file-system helpers with errors that name the path. Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ticklake {

std::string ReadWholeFile(const std::filesystem::path& path);

// Writes `data` to a hidden temporary file beside `path` (".<name>.tmp.<unique>"), fsyncs it,
// renames it over `path` and fsyncs the directory: after return the file is durable, and a
// reader never sees a partial file.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view data);

// Fsyncs a file or directory by path.
void SyncPath(const std::filesystem::path& path);

// A unique hidden temporary name in the same directory as `path`, used for atomic replacement.
std::filesystem::path TempPathBeside(const std::filesystem::path& path);

// True for names that WriteFileAtomically/TempPathBeside create.
bool IsTempName(std::string_view filename);

// A fresh private directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "ticklake");
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ticklake
