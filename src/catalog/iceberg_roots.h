// Iceberg table folders in a lake listing: a folder holding metadata/<name>.metadata.json is the
// root of an Iceberg table, whose data/ files belong to its snapshots (a file there may be
// uncommitted, or already replaced by a compaction). The crawler leaves such folders alone:
// they are read through their metadata (query/iceberg_views.h), never as Hive tables.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "store/object_store.h"

namespace ticklake::catalog {

// The key prefixes (ending with '/', "" for the lake root) of the Iceberg tables in `objects`.
std::vector<std::string> IcebergTableRoots(const std::vector<ObjectInfo>& objects);

}  // namespace ticklake::catalog
