// ObjectStore: the lake's storage, as an S3-like key/value store of immutable objects. Every stage
// that reads or writes the lake (sink, crawler, query) goes through this interface, in the spirit
// of LevelDB's Env: LocalStore for a directory, MemoryStore for unit tests, S3 in its own issue.
//
// Contract:
// - Keys are relative, '/'-separated, UTF-8, never empty, never absolute, with no "." or ".."
//   segment, no empty segment and no NUL or other control character; other keys are refused
//   with an Error naming the key.
// - Put is atomic: a reader sees the whole new object or none of it (the old one, if any).
// - List returns keys in lexicographic (byte) order, all pages; with a delimiter it rolls keys
//   up into common prefixes, as S3's ListObjectsV2 does.
// - Errors throw ticklake::Error naming the operation and the object's URI.
// Thread-safety: implementations are safe to use from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;         // changes whenever the content changes
  int64_t modified_ms = 0;  // last modification, milliseconds since the Unix epoch
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // each ends with the delimiter
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The store's root as a URI (a directory path, or s3://bucket/prefix), for messages.
  virtual std::string Uri() const = 0;
  // The URI of one object, for messages and catalogs.
  std::string UriOf(std::string_view key) const;

  virtual void Put(std::string_view key, std::string_view data) = 0;
  // Uploads a local file, streamed rather than read into memory whole.
  virtual void PutFile(std::string_view key, const std::filesystem::path& file) = 0;
  // Throws Error if the object does not exist.
  virtual std::string Get(std::string_view key) = 0;
  virtual std::string GetRange(std::string_view key, uint64_t offset, uint64_t length) = 0;
  // Downloads an object into a local file (replaced atomically).
  virtual void GetToFile(std::string_view key, const std::filesystem::path& file) = 0;
  virtual std::optional<ObjectInfo> Head(std::string_view key) = 0;
  virtual ListResult List(std::string_view prefix, std::string_view delimiter = "") = 0;
  // Deleting a missing object is not an error (as in S3).
  virtual void Delete(std::string_view key) = 0;
  // Deletes every object under `prefix`, and whatever an interrupted Put left there (LocalStore's
  // hidden temporary files). Used to clear staging after a crash.
  virtual void DeletePrefix(std::string_view prefix);
  // Makes `to` hold what `from` holds and removes `from`; atomic for readers of `to`.
  virtual void Move(std::string_view from, std::string_view to);

  // Batch forms of PutFile and Move: each object as the single call would leave it, all of them
  // durable when the call returns. LocalStore syncs the file system once per batch instead of
  // once per file, which is what makes many small lake files cheap; the price is that a crash
  // before the call returns may leave some objects of the batch incomplete.
  using FileUpload = std::pair<std::string, std::filesystem::path>;  // key, local file
  using ObjectMove = std::pair<std::string, std::string>;            // from, to
  virtual void PutFiles(const std::vector<FileUpload>& files);
  virtual void MoveAll(const std::vector<ObjectMove>& moves);
  // PutFiles of files the caller gives up: they are gone when the call returns, also when it
  // fails. LocalStore renames them into place when they are on its file system (no copy, no new
  // file); other stores upload them and delete them.
  virtual void MoveFilesIn(const std::vector<FileUpload>& files);

  // Where a local file holding the object can be read directly, if the store has one
  // (LocalStore does); lets DuckDB read Parquet in place instead of through a copy.
  virtual std::optional<std::filesystem::path> LocalPath(std::string_view key) const;
};

// Throws Error unless `key` follows the contract above.
void ValidateKey(std::string_view key);

struct StoreOptions {
  std::optional<bool> s3_path_style;   // default: path-style for a custom endpoint
  uint64_t s3_part_size = 8ull << 20;  // multipart upload above this size
};

// Opens a store from a URI: a plain path or file://path (LocalStore, created if missing),
// s3://bucket/prefix (S3Store, configured from the AWS environment and files), or memory://
// (a fresh MemoryStore).
std::unique_ptr<ObjectStore> OpenObjectStore(std::string_view uri,
                                             const StoreOptions& options = {});

}  // namespace ticklake
