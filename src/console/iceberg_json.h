// The console's JSON for Iceberg tables (GET /api/catalog and /api/table): a table in the shape
// the catalog browser shows Hive tables in (classification "ICEBERG", columns, records, files,
// bytes), plus an "iceberg" object with the schema's field ids, the partition spec, the sort
// order and the snapshot list (id, parent, time, operation, records, files, Kafka offsets).
// Thread-safety: functions open their own catalog connection; call them under the console's
// mutex like every other catalog access.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ticklake::console {

// The namespaces of the Iceberg catalog in `catalog_db`.
std::vector<std::string> IcebergNamespaces(const std::filesystem::path& catalog_db);
// Table objects of namespace `database`, comma-separated (empty when none).
std::string IcebergTablesJson(const std::filesystem::path& catalog_db, const std::string& database);
// The /api/table answer for db.name, or nullopt when it is not an Iceberg table.
std::optional<std::string> IcebergTableJson(const std::filesystem::path& catalog_db,
                                            const std::string& database, const std::string& name);

}  // namespace ticklake::console
