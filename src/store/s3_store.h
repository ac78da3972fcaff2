// S3Store: an ObjectStore over Amazon S3 or any S3-compatible server, with libcurl doing the
// HTTP and the SigV4 signing (CURLOPT_AWS_SIGV4). Keys live under the URI's prefix
// (s3://bucket/prefix). Objects larger than the part size are uploaded with multipart upload,
// aborted on failure. Transient failures (5xx, SlowDown, RequestTimeout, connection resets and
// timeouts) are retried with exponential backoff and full jitter, bounded by attempts and time;
// other 4xx fail at once. Errors read like
//   PUT s3://lake/stock_market/x.parquet: 403 SignatureDoesNotMatch: <S3's message>
// and never contain secrets.
// Thread-safety: safe from several threads; each request takes a curl handle from a pool, so
// connections are reused. A multipart upload sends up to upload_concurrency parts at once.
#pragma once

#include <mutex>
#include <vector>

#include "store/aws_config.h"
#include "store/object_store.h"
#include "store/s3_url.h"

namespace ticklake {

struct S3Options {
  AwsConfig aws;
  std::optional<bool> path_style;  // default: path-style for a custom endpoint, else virtual-hosted
  uint64_t part_size = 8ull << 20;
  int upload_concurrency = 4;  // parts of one multipart upload sent at once
  int max_attempts = 5;
  double max_retry_seconds = 60;
  long connect_timeout_ms = 5000;
  long stall_timeout_s = 30;  // a transfer slower than 1 byte/s for this long is aborted
};

class S3Store : public ObjectStore {
 public:
  S3Store(std::string_view uri, S3Options options);
  ~S3Store() override;

  std::string Uri() const override { return uri_; }
  void Put(std::string_view key, std::string_view data) override;
  void PutFile(std::string_view key, const std::filesystem::path& file) override;
  std::string Get(std::string_view key) override;
  std::string GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  void GetToFile(std::string_view key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(std::string_view key) override;
  ListResult List(std::string_view prefix, std::string_view delimiter) override;
  void Delete(std::string_view key) override;
  void Move(std::string_view from, std::string_view to) override;

  struct Request;
  struct Response;

 private:
  Response Send(Request& request);
  Response SendOnce(Request& request, std::string& transport_error);
  std::string Url(std::string_view full_key, const QueryParams& query) const;
  std::string FullKey(std::string_view key) const;
  void UploadMultipart(std::string_view key, uint64_t size,
                       const std::function<void(uint64_t offset, std::string& part)>& read_part);
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  std::string uri_;
  S3Location location_;
  S3Options options_;
  bool path_style_;
  std::mutex pool_mu_;
  std::vector<void*> pool_;  // idle CURL* handles, kept for connection reuse
};

}  // namespace ticklake
