// LocalStore: an ObjectStore over a local directory; a key maps to <root>/<key>.
// Put is atomic and durable (hidden temp file + fsync + rename + directory fsync); the batch calls
// PutFiles, MoveFilesIn and MoveAll rename every object into place and then make them durable at
// once (an fsync of each file and changed folder when they are few, else one syncfs), so a
// crash before they return may leave some of their objects empty or partial (the sink trusts
// staged files only after its commit point, which follows the sync). Delete
// prunes directories it leaves empty, so a folder exists only while it holds objects, as a prefix
// does in S3. Thread-safe: every call works on the file system alone.
#pragma once

#include "store/object_store.h"

namespace ticklake {

class LocalStore : public ObjectStore {
 public:
  // Creates `root` if it does not exist.
  explicit LocalStore(std::filesystem::path root);

  std::string Uri() const override { return root_.string(); }
  void Put(std::string_view key, std::string_view data) override;
  void PutFile(std::string_view key, const std::filesystem::path& file) override;
  std::string Get(std::string_view key) override;
  std::string GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  void GetToFile(std::string_view key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(std::string_view key) override;
  ListResult List(std::string_view prefix, std::string_view delimiter) override;
  void Delete(std::string_view key) override;
  void DeletePrefix(std::string_view prefix) override;
  void Move(std::string_view from, std::string_view to) override;
  void PutFiles(const std::vector<FileUpload>& files) override;
  void MoveFilesIn(const std::vector<FileUpload>& files) override;
  void MoveAll(const std::vector<ObjectMove>& moves) override;
  std::optional<std::filesystem::path> LocalPath(std::string_view key) const override;

 private:
  std::filesystem::path PathOf(std::string_view key) const;
  void EnsureParent(const std::filesystem::path& path);
  // Runs `write` (which creates `path`) after EnsureParent, again if the folder vanished.
  template <typename Write>
  void WriteInFolder(const std::filesystem::path& path, const Write& write);
  void CopyIntoFolder(std::string_view key, const std::filesystem::path& path,
                      const std::filesystem::path& file, bool sync);
  // Copies `file` to a hidden temporary beside the object (fsynced when `sync`) and renames it
  // into place; returns the object's path.
  std::filesystem::path CopyIntoPlace(std::string_view key, const std::filesystem::path& file,
                                      bool sync);
  void PruneEmptyParents(const std::filesystem::path& path);

  std::filesystem::path root_;
};

}  // namespace ticklake
