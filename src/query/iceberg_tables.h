// IcebergTables: the Iceberg tables registered in the SQL catalog inside catalog.db (the
// `iceberg_tables` table that the sink, pyiceberg's SqlCatalog and Java's JdbcCatalog share),
// as `ticklake query`, `catalog`, `compact` and the console open them.
//
// A table's files live in the lake that holds its location: metadata at
// <lake>/<table>/metadata/… (the sink's layout; pyiceberg's <warehouse>/<ns>.db/<table> works the
// same way), so the lake of a table is the parent of its location, derived from the catalog's
// metadata_location. One ObjectStore is opened per lake and reused (an ObjectStore given to
// AdoptLake — the query engine's — is used for its own URI).
//
// Name resolution: Iceberg namespaces are catalog databases; a bare name is looked up in the
// given database ("default"), case-insensitively. When the Hive catalog (crawled tables) has a
// table of the same database and name, the Iceberg table wins: it is the committed truth the
// sink writes, and the crawler skips Iceberg table folders (docs/catalog-and-query.md).
//
// Thread-safety: one IcebergTables per thread (it owns a SQLite connection).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "iceberg/sql_catalog.h"
#include "iceberg/table.h"
#include "store/object_store.h"

namespace ticklake::query {

// The lake URI (for OpenObjectStore) of a table with this metadata location:
// "file:///d/lake/t/metadata/00003-….metadata.json" -> "/d/lake"; "s3://b/lake/t/metadata/x" ->
// "s3://b/lake". Throws Error when the location has no /metadata/ folder.
std::string IcebergLakeUri(const std::string& metadata_location);

class IcebergTables {
 public:
  explicit IcebergTables(const std::filesystem::path& catalog_db);
  IcebergTables(const IcebergTables&) = delete;
  IcebergTables& operator=(const IcebergTables&) = delete;

  // Use `lake` (not owned) for tables whose lake URI is lake.Uri().
  void AdoptLake(ObjectStore& lake);

  // Every table of every namespace, sorted.
  std::vector<iceberg::TableIdent> List();
  // The table `name` in `database` (case-insensitive), or nullopt.
  std::optional<iceberg::TableIdent> Find(const std::string& database, const std::string& name);
  // "db.name" or "name" (in `database`); throws Error listing the Iceberg tables when unknown.
  iceberg::TableIdent MustFind(const std::string& name, const std::string& database);
  // Loads the table's current metadata; throws Error when it vanished meanwhile.
  iceberg::Table Load(const iceberg::TableIdent& ident);
  // The store of the lake holding `metadata_location`'s table.
  ObjectStore& LakeOf(const std::string& metadata_location);
  // Local directories of every table's lake (the query engine's sandbox must allow them).
  std::vector<std::filesystem::path> LocalLakeDirs();

  iceberg::SqlCatalog& sql() { return sql_; }

 private:
  iceberg::SqlCatalog sql_;
  std::map<std::string, ObjectStore*> lakes_;  // by URI
  std::vector<std::unique_ptr<ObjectStore>> owned_;
};

// The lake `ticklake query` and the console use when none is given: the Hive tables' lake
// (catalog::DefaultLakeUri), or, in a catalog with only Iceberg tables, the first Iceberg
// table's lake.
std::string DefaultQueryLake(catalog::Catalog& catalog, const std::string& database,
                             const std::string& lake);

}  // namespace ticklake::query
