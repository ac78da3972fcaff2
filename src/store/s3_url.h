// The URL and encoding rules of S3 requests, kept apart from the transport so they can be unit
// tested: RFC 3986 percent-encoding with upper-case hex (SigV4's canonical form — curl signs the
// URL exactly as written), sorted canonical query strings, path-style and virtual-hosted
// addressing, and parsing of s3://bucket/prefix URIs. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ticklake {

// Percent-encodes everything but A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash).
std::string UriEncode(std::string_view value, bool keep_slash);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// "a=1&b=&c=x%2Fy": encoded, sorted by name then value, "name=" for empty values.
std::string CanonicalQuery(QueryParams params);

struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ends with '/'
};
// Parses s3://bucket[/prefix]; throws Error on a malformed URI.
S3Location ParseS3Uri(std::string_view uri);

// The request URL for `key` (already including the store's prefix) in `bucket`.
// endpoint: "" for AWS (https://s3.<region>.amazonaws.com or https://<bucket>.s3.<region>...).
std::string S3ObjectUrl(const std::string& endpoint, const std::string& region, bool path_style,
                        const std::string& bucket, std::string_view key, const QueryParams& query);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace ticklake
