// DefaultLakeUri: which lake a command that reads the catalog works on. An explicit --lake wins;
// otherwise the lake the database's active tables were crawled from (they all come from one
// lake when one crawler fills the catalog), else ticklake-data/lake. A local lake is returned as
// an absolute, normalised path and must exist.
// Thread-safety: as Catalog's (one thread per Catalog).
#pragma once

#include <string>

#include "catalog/catalog.h"

namespace ticklake::catalog {

// Throws Error ("lake PATH does not exist") for a missing local lake.
std::string DefaultLakeUri(Catalog& catalog, const std::string& database, std::string lake);

// s3:// and memory:// URIs as they are; a local path (or file://) made absolute and normalised,
// and checked to exist.
std::string NormalizeLakeUri(std::string lake);

}  // namespace ticklake::catalog
