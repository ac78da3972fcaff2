// AwsConfig: credentials, region and endpoint resolved as the AWS CLI and SDKs resolve them:
//   credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the profile
//                (AWS_PROFILE, default "default") in ~/.aws/credentials
//                (AWS_SHARED_CREDENTIALS_FILE) or ~/.aws/config (AWS_CONFIG_FILE);
//   region:      AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1;
//   endpoint:    AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS.
// Secrets are never printed: Describe() masks them. Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace ticklake {

struct AwsConfig {
  std::string profile = "default";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region = "us-east-1";
  std::string endpoint;  // e.g. http://127.0.0.1:4568; empty for AWS itself

  // For messages: profile, region, endpoint and the key id's last 4 characters, no secret.
  std::string Describe() const;
};

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

AwsConfig LoadAwsConfig(const EnvLookup& env, const std::filesystem::path& home);
AwsConfig LoadAwsConfigFromEnvironment();

}  // namespace ticklake
