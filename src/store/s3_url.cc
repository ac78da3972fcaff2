#include "store/s3_url.h"

#include <openssl/sha.h>

#include <algorithm>

#include "common/error.h"

namespace ticklake {

std::string UriEncode(std::string_view value, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string CanonicalQuery(QueryParams params) {
  for (auto& [name, value] : params) {
    name = UriEncode(name, false);
    value = UriEncode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += name + "=" + value;
  }
  return out;
}

S3Location ParseS3Uri(std::string_view uri) {
  if (!uri.starts_with("s3://")) Fail("not an s3:// URI: {}", uri);
  std::string_view rest = uri.substr(5);
  size_t slash = rest.find('/');
  S3Location location;
  location.bucket = std::string(rest.substr(0, slash));
  if (location.bucket.empty()) Fail("s3 URI without a bucket: {}", uri);
  if (slash != std::string_view::npos) {
    std::string prefix(rest.substr(slash + 1));
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty()) location.prefix = prefix + "/";
  }
  return location;
}

std::string S3ObjectUrl(const std::string& endpoint, const std::string& region, bool path_style,
                        const std::string& bucket, std::string_view key, const QueryParams& query) {
  std::string url;
  if (!endpoint.empty()) {
    url = endpoint;
    if (path_style) {
      url += "/" + UriEncode(bucket, false);
    } else {
      size_t scheme = url.find("://");
      size_t host = scheme == std::string::npos ? 0 : scheme + 3;
      url.insert(host, bucket + ".");
    }
  } else if (path_style) {
    url = "https://s3." + region + ".amazonaws.com/" + UriEncode(bucket, false);
  } else {
    url = "https://" + bucket + ".s3." + region + ".amazonaws.com";
  }
  // A bucket-level request in path style is "/bucket", not "/bucket/": servers canonicalise the
  // former, and the signature covers the path.
  if (!(path_style && key.empty())) url += "/" + UriEncode(key, true);
  if (!query.empty()) url += "?" + CanonicalQuery(query);
  return url;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace ticklake
