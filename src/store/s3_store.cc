#include "store/s3_store.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake {
namespace fs = std::filesystem;

struct S3Store::Request {
  Request(std::string m, std::string k, QueryParams q = {})
      : method(std::move(m)), key(std::move(k)), query(std::move(q)) {}
  std::string method;  // GET, PUT, POST, DELETE, HEAD
  std::string key;     // full key in the bucket; empty for bucket-level requests
  QueryParams query;
  std::vector<std::string> headers;
  std::string_view body;
  std::string what;              // "PUT s3://bucket/key", for errors
  fs::path download;             // when set, a 2xx body is streamed into this file
  bool not_found_is_ok = false;  // HEAD and DELETE of a missing object
};

struct S3Store::Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

namespace {

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void Add(const std::string& header) {
    curl_slist* next = curl_slist_append(list, header.c_str());
    if (next == nullptr) Fail("out of memory building HTTP headers");
    list = next;
  }
};

struct Transfer {
  std::string_view upload;
  size_t uploaded = 0;
  S3Store::Response* response;
  CURL* curl;
  std::FILE* file = nullptr;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, t->upload.size() - t->uploaded);
  std::memcpy(buffer, t->upload.data() + t->uploaded, n);
  t->uploaded += n;
  return n;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->file && status >= 200 && status < 300) return std::fwrite(data, 1, n, t->file);
  t->response->body.append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    t->response->headers[name] = std::string(value);
  }
  return size * count;
}

// S3's <Error><Code/><Message/></Error>, if the body holds one.
std::pair<std::string, std::string> ParseError(const std::string& body) {
  pugi::xml_document doc;
  if (body.empty() || !doc.load_buffer(body.data(), body.size())) return {};
  pugi::xml_node error = doc.child("Error");
  if (!error) return {};
  return {error.child_value("Code"), error.child_value("Message")};
}

bool RetryableCode(const std::string& code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "Throttling" || code == "RequestTimeTooSkewed";
}

int64_t ParseIsoMillis(const std::string& text) {  // 2026-11-27T15:54:33.000Z
  std::tm tm = {};
  int millis = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t{timegm(&tm)} * 1000 + millis;
}

int64_t ParseHttpDateMillis(const std::string& text) {  // Wed, 27 Nov 2026 15:54:33 GMT
  std::tm tm = {};
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return int64_t{timegm(&tm)} * 1000;
}

std::string StripQuotes(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

S3Store::S3Store(std::string_view uri, S3Options options)
    : uri_(uri), location_(ParseS3Uri(uri)), options_(std::move(options)) {
  GlobalInit();
  path_style_ = options_.path_style.value_or(!options_.aws.endpoint.empty());
  while (!uri_.empty() && uri_.back() == '/') uri_.pop_back();
  if (options_.part_size < (5ull << 20))
    Fail("S3 part size must be at least 5 MiB, got {}", options_.part_size);
}

S3Store::~S3Store() {
  for (void* handle : pool_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* S3Store::AcquireHandle() {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      void* handle = pool_.back();
      pool_.pop_back();
      return handle;
    }
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) Fail("cannot create a curl handle");
  return curl;
}

void S3Store::ReleaseHandle(void* handle) {
  std::lock_guard lock(pool_mu_);
  pool_.push_back(handle);
}

std::string S3Store::FullKey(std::string_view key) const {
  ValidateKey(key);
  return location_.prefix + std::string(key);
}

std::string S3Store::Url(std::string_view full_key, const QueryParams& query) const {
  return S3ObjectUrl(options_.aws.endpoint, options_.aws.region, path_style_, location_.bucket,
                     full_key, query);
}

S3Store::Response S3Store::SendOnce(Request& request, std::string& transport_error) {
  struct HandleGuard {
    S3Store* store;
    void* handle;
    ~HandleGuard() { store->ReleaseHandle(handle); }
  } guard{this, AcquireHandle()};
  CURL* curl = static_cast<CURL*>(guard.handle);
  curl_easy_reset(curl);

  Response response;
  Transfer transfer{request.body, 0, &response, curl, nullptr};
  struct FileCloser {
    std::FILE*& f;
    ~FileCloser() {
      if (f) std::fclose(f);
    }
  } closer{transfer.file};
  if (!request.download.empty()) {
    transfer.file = std::fopen(request.download.c_str(), "wb");
    if (!transfer.file)
      Fail("{}: cannot write {}: {}", request.what, request.download.string(), ErrnoMessage());
  }

  std::string url = Url(request.key, request.query);
  CurlSlist headers;
  headers.Add("x-amz-content-sha256: " + Sha256Hex(request.body));
  if (!options_.aws.session_token.empty())
    headers.Add("x-amz-security-token: " + options_.aws.session_token);
  for (const auto& h : request.headers) headers.Add(h);
  std::string sigv4 = "aws:amz:" + options_.aws.region + ":s3";
  std::string userpwd = options_.aws.access_key_id + ":" + options_.aws.secret_access_key;
  char error_buffer[CURL_ERROR_SIZE] = "";

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!options_.aws.access_key_id.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_s);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    transport_error = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
    return {};
  }
  if (transfer.file && std::fflush(transfer.file) != 0) {
    Fail("{}: cannot write {}: {}", request.what, request.download.string(), ErrnoMessage());
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

S3Store::Response S3Store::Send(Request& request) {
  auto start = std::chrono::steady_clock::now();
  thread_local std::mt19937 random(std::random_device{}());
  std::string last_problem;
  for (int attempt = 1;; ++attempt) {
    std::string transport_error;
    Response response = SendOnce(request, transport_error);
    if (response.status == 0) {
      last_problem = transport_error;
    } else if (response.status < 300 || (request.not_found_is_ok && response.status == 404)) {
      return response;
    } else {
      auto [code, message] = ParseError(response.body);
      if (code.empty()) code = response.status == 404 ? "NoSuchKey" : "HTTP error";
      last_problem =
          fmt::format("{} {}{}{}", response.status, code, message.empty() ? "" : ": ", message);
      if (response.status < 500 && !RetryableCode(code)) Fail("{}: {}", request.what, last_problem);
    }
    // Exponential backoff with full jitter: 100 ms, 200 ms, 400 ms ... capped at 5 s.
    double cap = std::min(5.0, 0.1 * (1 << std::min(attempt, 10)));
    double delay = std::uniform_real_distribution<double>(0, cap)(random);
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (attempt >= options_.max_attempts || elapsed + delay > options_.max_retry_seconds) {
      Fail("{}: {} (gave up after {} attempts in {:.1f} s)", request.what, last_problem, attempt,
           elapsed);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
}

void S3Store::Put(std::string_view key, std::string_view data) {
  if (data.size() > options_.part_size) {
    UploadMultipart(key, data.size(), [&](uint64_t offset, std::string& part) {
      part.assign(data.substr(offset, options_.part_size));
    });
    return;
  }
  Request request{"PUT", FullKey(key)};
  request.body = data;
  request.headers = {"Content-Type: application/octet-stream"};
  request.what = "PUT " + UriOf(key);
  Send(request);
}

void S3Store::PutFile(std::string_view key, const fs::path& file) {
  std::error_code ec;
  uint64_t size = fs::file_size(file, ec);
  if (ec) Fail("PUT {}: cannot read {}: {}", UriOf(key), file.string(), ec.message());
  if (size <= options_.part_size) {
    Put(key, ReadWholeFile(file));
    return;
  }
  std::ifstream in(file, std::ios::binary);
  UploadMultipart(key, size, [&](uint64_t offset, std::string& part) {
    part.resize(std::min<uint64_t>(options_.part_size, size - offset));
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(part.data(), static_cast<std::streamsize>(part.size()))) {
      Fail("PUT {}: cannot read {} at offset {}", UriOf(key), file.string(), offset);
    }
  });
}

void S3Store::UploadMultipart(std::string_view key, uint64_t size,
                              const std::function<void(uint64_t, std::string&)>& read_part) {
  std::string full_key = FullKey(key);
  Request create{"POST", full_key, {{"uploads", ""}}};
  create.headers = {"Content-Type: application/octet-stream"};
  create.what = "POST (create multipart upload) " + UriOf(key);
  Response created = Send(create);
  pugi::xml_document doc;
  doc.load_buffer(created.body.data(), created.body.size());
  std::string upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (upload_id.empty()) Fail("{}: no UploadId in the response", create.what);
  try {
    // Parts go up on a few connections at once, as awscli does; reads are serialised.
    const int parts = static_cast<int>((size + options_.part_size - 1) / options_.part_size);
    std::vector<std::string> etags(parts);
    std::atomic<int> next{0};
    std::mutex mu;
    std::optional<std::string> first_error;
    auto upload_parts = [&] {
      std::string part;
      try {
        for (int i = next++; i < parts; i = next++) {
          {
            std::lock_guard lock(mu);
            if (first_error) return;
            read_part(uint64_t(i) * options_.part_size, part);
          }
          Request upload{
              "PUT", full_key, {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}}};
          upload.body = part;
          upload.what = fmt::format("PUT (part {}) {}", i + 1, UriOf(key));
          Response uploaded = Send(upload);
          etags[i] = uploaded.headers["etag"];
          if (etags[i].empty()) Fail("{}: no ETag in the response", upload.what);
        }
      } catch (const Error& e) {
        std::lock_guard lock(mu);
        if (!first_error) first_error = e.what();
      }
    };
    std::vector<std::thread> workers;
    for (int w = 1; w < std::min(options_.upload_concurrency, parts); ++w)
      workers.emplace_back(upload_parts);
    upload_parts();
    for (auto& worker : workers) worker.join();
    if (first_error) Fail("{}", *first_error);
    std::string parts_xml;
    for (int i = 0; i < parts; ++i) {
      parts_xml +=
          fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, etags[i]);
    }
    std::string body = "<CompleteMultipartUpload>" + parts_xml + "</CompleteMultipartUpload>";
    Request complete{"POST", full_key, {{"uploadId", upload_id}}};
    complete.body = body;
    complete.headers = {"Content-Type: application/xml"};
    complete.what = "POST (complete multipart upload) " + UriOf(key);
    Response completed = Send(complete);
    // S3 may answer 200 and still report an error in the body.
    if (auto [code, message] = ParseError(completed.body); !code.empty()) {
      Fail("{}: {}: {}", complete.what, code, message);
    }
  } catch (const Error& e) {
    Request abort{"DELETE", full_key, {{"uploadId", upload_id}}};
    abort.what = "DELETE (abort multipart upload) " + UriOf(key);
    abort.not_found_is_ok = true;
    try {
      Send(abort);
    } catch (const Error& abort_error) {
      Fail("{} (and aborting the upload failed too: {})", e.what(), abort_error.what());
    }
    throw;
  }
}

std::string S3Store::Get(std::string_view key) {
  Request request{"GET", FullKey(key)};
  request.what = "GET " + UriOf(key);
  return Send(request).body;
}

std::string S3Store::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  if (length == 0) return "";
  Request request{"GET", FullKey(key)};
  request.headers = {fmt::format("Range: bytes={}-{}", offset, offset + length - 1)};
  request.what = fmt::format("GET {} (bytes {}-{})", UriOf(key), offset, offset + length - 1);
  Response response = Send(request);
  if (response.status == 200)
    return response.body.substr(std::min<uint64_t>(offset, response.body.size()), length);
  return response.body;
}

void S3Store::GetToFile(std::string_view key, const fs::path& file) {
  fs::path tmp = TempPathBeside(file);
  Request request{"GET", FullKey(key)};
  request.what = "GET " + UriOf(key);
  request.download = tmp;
  try {
    Send(request);
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) Fail("GET {}: cannot write {}: {}", UriOf(key), file.string(), ec.message());
}

std::optional<ObjectInfo> S3Store::Head(std::string_view key) {
  Request request{"HEAD", FullKey(key)};
  request.what = "HEAD " + UriOf(key);
  request.not_found_is_ok = true;
  Response response = Send(request);
  if (response.status == 404) return std::nullopt;
  ObjectInfo info;
  info.key = std::string(key);
  info.size = std::stoull(
      response.headers.count("content-length") ? response.headers["content-length"] : "0");
  info.etag = StripQuotes(response.headers["etag"]);
  info.modified_ms = ParseHttpDateMillis(response.headers["last-modified"]);
  return info;
}

ListResult S3Store::List(std::string_view prefix, std::string_view delimiter) {
  ListResult result;
  std::string full_prefix = location_.prefix + std::string(prefix);
  std::string token;
  do {
    Request request{"GET", ""};
    request.query = {{"list-type", "2"}, {"prefix", full_prefix}};
    if (!delimiter.empty()) request.query.emplace_back("delimiter", std::string(delimiter));
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    request.what = "LIST " + UriOf(prefix);
    Response response = Send(request);
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size())) {
      Fail("{}: the response is not XML", request.what);
    }
    pugi::xml_node root = doc.child("ListBucketResult");
    for (pugi::xml_node item : root.children("Contents")) {
      std::string key = item.child_value("Key");
      if (!key.starts_with(location_.prefix)) continue;
      result.objects.push_back({key.substr(location_.prefix.size()),
                                std::stoull(item.child_value("Size")),
                                StripQuotes(item.child_value("ETag")),
                                ParseIsoMillis(item.child_value("LastModified"))});
    }
    for (pugi::xml_node item : root.children("CommonPrefixes")) {
      std::string common = item.child_value("Prefix");
      if (common.starts_with(location_.prefix))
        result.common_prefixes.push_back(common.substr(location_.prefix.size()));
    }
    token = std::string(root.child_value("IsTruncated")) == "true"
                ? root.child_value("NextContinuationToken")
                : "";
  } while (!token.empty());
  return result;
}

void S3Store::Delete(std::string_view key) {
  Request request{"DELETE", FullKey(key)};
  request.what = "DELETE " + UriOf(key);
  request.not_found_is_ok = true;
  Send(request);
}

void S3Store::Move(std::string_view from, std::string_view to) {
  Request copy{"PUT", FullKey(to)};
  copy.headers = {"x-amz-copy-source: /" + location_.bucket + "/" + UriEncode(FullKey(from), true)};
  copy.what = "COPY " + UriOf(from) + " to " + UriOf(to);
  try {
    Response response = Send(copy);
    if (auto [code, message] = ParseError(response.body); !code.empty())
      Fail("{}: {}: {}", copy.what, code, message);
  } catch (const Error&) {
    // Some S3-compatible servers (s3rver among them) decode x-amz-copy-source only partly, so a
    // key with '=' or '+' is not found. When the source does exist, copy through this process.
    if (!Head(from)) throw;
    Put(to, Get(from));
  }
  Delete(from);
}

}  // namespace ticklake
