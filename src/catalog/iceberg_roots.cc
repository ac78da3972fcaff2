#include "catalog/iceberg_roots.h"

#include <algorithm>
#include <set>

namespace ticklake::catalog {

std::vector<std::string> IcebergTableRoots(const std::vector<ObjectInfo>& objects) {
  std::set<std::string> roots;
  for (const auto& o : objects) {
    const std::string& key = o.key;
    if (!key.ends_with(".metadata.json")) continue;
    size_t slash = key.rfind('/');
    if (slash == std::string::npos) continue;
    std::string folder = key.substr(0, slash + 1);  // ".../metadata/"
    if (folder != "metadata/" && !folder.ends_with("/metadata/")) continue;
    roots.insert(folder.substr(0, folder.size() - std::string("metadata/").size()));
  }
  return {roots.begin(), roots.end()};
}

}  // namespace ticklake::catalog
