#include "catalog/default_lake.h"

#include <filesystem>

#include "common/error.h"

namespace ticklake::catalog {

std::string DefaultLakeUri(Catalog& catalog, const std::string& database, std::string lake) {
  if (lake.empty()) {
    for (const auto& t : catalog.ListTables(database)) {
      if (t.state == "active") {
        lake = t.lake_uri;
        break;
      }
    }
    if (lake.empty()) lake = "ticklake-data/lake";
  }
  return NormalizeLakeUri(std::move(lake));
}

std::string NormalizeLakeUri(std::string lake) {
  if (lake.starts_with("memory://") || lake.starts_with("s3://")) return lake;
  std::string path = lake.starts_with("file://") ? lake.substr(7) : lake;
  if (!std::filesystem::is_directory(path)) Fail("lake {} does not exist", path);
  lake = std::filesystem::absolute(path).lexically_normal().string();
  while (lake.size() > 1 && lake.back() == '/') lake.pop_back();
  return lake;
}

}  // namespace ticklake::catalog
