#include "query/iceberg_tables.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/default_lake.h"
#include "common/error.h"
#include "common/strings.h"

namespace ticklake::query {

std::string IcebergLakeUri(const std::string& metadata_location) {
  size_t metadata = metadata_location.rfind("/metadata/");
  if (metadata == std::string::npos || metadata == 0) {
    Fail("Iceberg metadata location {} is not in a metadata/ folder of its table",
         metadata_location);
  }
  std::string table = metadata_location.substr(0, metadata);
  size_t slash = table.rfind('/');
  std::string lake = slash == std::string::npos ? "" : table.substr(0, slash);
  if (lake.starts_with("file://")) lake = lake.substr(7);  // file:///d -> /d
  if (lake.empty() || lake.ends_with(":/") || lake.ends_with(":")) {
    Fail("Iceberg table location {} has no parent folder to serve as its lake", table);
  }
  return lake;
}

IcebergTables::IcebergTables(const std::filesystem::path& catalog_db) : sql_(catalog_db.string()) {}

void IcebergTables::AdoptLake(ObjectStore& lake) { lakes_[lake.Uri()] = &lake; }

std::vector<iceberg::TableIdent> IcebergTables::List() {
  std::vector<iceberg::TableIdent> out;
  for (const auto& ns : sql_.ListNamespaces()) {
    for (auto& t : sql_.ListTables(ns)) out.push_back(std::move(t));
  }
  // Tables may be registered without a namespace row (pyiceberg creates one; others may not).
  std::vector<iceberg::TableIdent> in_default = sql_.ListTables(iceberg::kDefaultNamespace);
  for (auto& t : in_default) {
    bool known = std::any_of(out.begin(), out.end(), [&](const iceberg::TableIdent& x) {
      return x.ns == t.ns && x.name == t.name;
    });
    if (!known) out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
  });
  return out;
}

std::optional<iceberg::TableIdent> IcebergTables::Find(const std::string& database,
                                                       const std::string& name) {
  for (auto& t : List()) {
    if (EqualsIgnoreAsciiCase(t.ns, database) && EqualsIgnoreAsciiCase(t.name, name)) return t;
  }
  return std::nullopt;
}

iceberg::TableIdent IcebergTables::MustFind(const std::string& name, const std::string& database) {
  std::string db = database, table = name;
  if (size_t dot = name.rfind('.'); dot != std::string::npos) {
    db = name.substr(0, dot);
    table = name.substr(dot + 1);
  }
  if (auto found = Find(db, table)) return *found;
  std::vector<std::string> names;
  for (const auto& t : List()) names.push_back(t.ToString());
  Fail("no Iceberg table {}.{} in catalog {} (Iceberg tables: {})", db, table, sql_.path(),
       names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
}

ObjectStore& IcebergTables::LakeOf(const std::string& metadata_location) {
  std::string uri = IcebergLakeUri(metadata_location);
  if (auto it = lakes_.find(uri); it != lakes_.end()) return *it->second;
  owned_.push_back(OpenObjectStore(uri));
  ObjectStore* store = owned_.back().get();
  lakes_[uri] = store;
  if (store->Uri() != uri) lakes_[store->Uri()] = store;
  return *store;
}

iceberg::Table IcebergTables::Load(const iceberg::TableIdent& ident) {
  std::optional<std::string> location = sql_.MetadataLocation(ident);
  if (!location) Fail("Iceberg table {} is not in catalog {}", ident.ToString(), sql_.path());
  std::optional<iceberg::Table> table = iceberg::Table::Load(sql_, LakeOf(*location), ident);
  if (!table) Fail("Iceberg table {} was dropped from catalog {}", ident.ToString(), sql_.path());
  return std::move(*table);
}

std::vector<std::filesystem::path> IcebergTables::LocalLakeDirs() {
  std::vector<std::filesystem::path> out;
  for (const auto& t : List()) {
    std::optional<std::string> location = sql_.MetadataLocation(t);
    if (!location) continue;
    std::string uri;
    try {
      uri = IcebergLakeUri(*location);
    } catch (const Error&) {
      continue;  // reported when the table is queried
    }
    if (uri.find("://") != std::string::npos) continue;
    std::filesystem::path dir = std::filesystem::absolute(uri).lexically_normal();
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
  }
  return out;
}

std::string DefaultQueryLake(catalog::Catalog& catalog, const std::string& database,
                             const std::string& lake) {
  if (lake.empty()) {
    bool hive = false;
    for (const auto& t : catalog.ListTables(database)) hive = hive || t.state == "active";
    if (!hive) {
      IcebergTables iceberg(catalog.path());
      for (const auto& t : iceberg.List()) {
        if (auto location = iceberg.sql().MetadataLocation(t)) {
          return catalog::NormalizeLakeUri(IcebergLakeUri(*location));
        }
      }
    }
  }
  return catalog::DefaultLakeUri(catalog, database, lake);
}

}  // namespace ticklake::query
