// SqlCatalog: the Iceberg SQL catalog inside ticklake's catalog.db — the same two tables that
// pyiceberg's SqlCatalog and Java's JdbcCatalog use, so those (and Trino's and Spark's JDBC
// catalogs) open ticklake's tables with no conversion:
//   iceberg_tables(catalog_name, table_namespace, table_name, metadata_location,
//                  previous_metadata_location, iceberg_type) PRIMARY KEY (first three)
//   iceberg_namespace_properties(catalog_name, namespace, property_key, property_value)
// A commit swaps metadata_location with compare-and-swap (UPDATE … WHERE metadata_location =
// expected): when another writer committed first, zero rows change and Swap returns false.
// Thread-safety: one SqlCatalog per thread; any number of processes may share the file (SQLite
// WAL, busy timeout).
#pragma once

#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace ticklake::iceberg {

inline constexpr const char* kDefaultCatalogName = "ticklake";
inline constexpr const char* kDefaultNamespace = "default";

struct TableIdent {
  std::string ns = kDefaultNamespace;
  std::string name;

  std::string ToString() const { return ns + "." + name; }
};

class SqlCatalog {
 public:
  // Opens (creating if needed) the catalog file and its two tables.
  explicit SqlCatalog(const std::string& path, std::string catalog_name = kDefaultCatalogName);
  SqlCatalog(const SqlCatalog&) = delete;
  SqlCatalog& operator=(const SqlCatalog&) = delete;
  ~SqlCatalog();

  std::vector<std::string> ListNamespaces();
  void CreateNamespaceIfMissing(const std::string& ns);
  std::vector<TableIdent> ListTables(const std::string& ns);
  // nullopt when the table is not registered.
  std::optional<std::string> MetadataLocation(const TableIdent& table);
  // Registers a new table; false when it already exists (another creator won).
  bool Register(const TableIdent& table, const std::string& metadata_location);
  // The atomic commit: true when the location was `expected` and is now `next`.
  bool Swap(const TableIdent& table, const std::string& expected, const std::string& next);
  void Drop(const TableIdent& table);

  const std::string& path() const { return path_; }
  const std::string& catalog_name() const { return catalog_name_; }

 private:
  std::string path_;
  std::string catalog_name_;
  sqlite3* db_ = nullptr;
};

}  // namespace ticklake::iceberg
