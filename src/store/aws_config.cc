#include "store/aws_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <map>

namespace ticklake {
namespace {

std::string Trim(std::string s) {
  size_t begin = s.find_first_not_of(" \t\r");
  size_t end = s.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

// Reads the top-level key = value pairs of one [section] of an AWS INI file. Nested blocks
// ("s3 =" followed by indented lines) are skipped.
std::map<std::string, std::string> ReadIniSection(const std::filesystem::path& file,
                                                  const std::string& section) {
  std::map<std::string, std::string> values;
  std::ifstream in(file);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) continue;  // nested value
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      inside = Trim(line.substr(1, line.size() - 2)) == section;
      continue;
    }
    size_t eq = line.find('=');
    if (inside && eq != std::string::npos)
      values[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  return values;
}

}  // namespace

std::string AwsConfig::Describe() const {
  std::string key =
      access_key_id.size() > 4 ? "…" + access_key_id.substr(access_key_id.size() - 4) : "(none)";
  return fmt::format("profile {}, region {}, endpoint {}, access key {}", profile, region,
                     endpoint.empty() ? "AWS" : endpoint, key);
}

AwsConfig LoadAwsConfig(const EnvLookup& env, const std::filesystem::path& home) {
  AwsConfig config;
  if (auto p = env("AWS_PROFILE")) config.profile = *p;
  std::filesystem::path credentials_file = home / ".aws" / "credentials";
  std::filesystem::path config_file = home / ".aws" / "config";
  if (auto f = env("AWS_SHARED_CREDENTIALS_FILE")) credentials_file = *f;
  if (auto f = env("AWS_CONFIG_FILE")) config_file = *f;
  auto credentials = ReadIniSection(credentials_file, config.profile);
  auto settings = ReadIniSection(
      config_file, config.profile == "default" ? "default" : "profile " + config.profile);

  auto pick = [&](std::initializer_list<const char*> vars,
                  std::initializer_list<const char*> keys) -> std::optional<std::string> {
    for (const char* var : vars) {
      if (auto v = env(var); v && !v->empty()) return v;
    }
    for (const char* key : keys) {
      if (auto it = credentials.find(key); it != credentials.end()) return it->second;
      if (auto it = settings.find(key); it != settings.end()) return it->second;
    }
    return std::nullopt;
  };
  bool env_keys = env("AWS_ACCESS_KEY_ID").has_value();
  if (auto v = pick({"AWS_ACCESS_KEY_ID"}, {"aws_access_key_id"})) config.access_key_id = *v;
  if (auto v = pick({"AWS_SECRET_ACCESS_KEY"}, {"aws_secret_access_key"}))
    config.secret_access_key = *v;
  // A session token from the profile belongs to the profile's keys only.
  if (auto v = env_keys ? env("AWS_SESSION_TOKEN")
                        : pick({"AWS_SESSION_TOKEN"}, {"aws_session_token"})) {
    config.session_token = *v;
  }
  if (auto v = pick({"AWS_REGION", "AWS_DEFAULT_REGION"}, {"region"})) config.region = *v;
  if (auto v = pick({"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}, {"endpoint_url"}))
    config.endpoint = *v;
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();
  return config;
}

AwsConfig LoadAwsConfigFromEnvironment() {
  const char* home = std::getenv("HOME");
  return LoadAwsConfig(
      [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);
        return v ? std::optional<std::string>(v) : std::nullopt;
      },
      home ? home : "/");
}

}  // namespace ticklake
