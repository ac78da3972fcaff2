// Exports of an Iceberg table for AWS, the form Athena and Glue use for Iceberg:
//  - GlueIcebergTableInput: the Glue TableInput that registers an EXISTING table — TableType
//    EXTERNAL_TABLE, Parameters {table_type: ICEBERG, metadata_location: <current metadata>},
//    and a StorageDescriptor with the location and the columns in Glue types, each with the
//    iceberg.field.* parameters Iceberg's own GlueCatalog writes. `aws glue create-table
//    --database-name DB --table-input file://t.json` accepts it; Athena then reads the table's
//    snapshots directly (commits made later need a Glue update of metadata_location).
//  - AthenaIcebergDdl: Athena's CREATE TABLE … TBLPROPERTIES ('table_type'='ICEBERG') with the
//    partition transforms, preceded by a note: that statement creates a NEW, empty table, so an
//    existing one is registered through Glue.
// Iceberg metadata records absolute file locations, so the locations are exported as written
// (there is no --location-prefix for Iceberg: a table meant for Athena is written to S3).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "iceberg/table_metadata.h"

namespace ticklake::catalog {

// Glue's column type for an Iceberg type: boolean, int, bigint, float, double, date, timestamp,
// string, binary (timestamptz is Glue's timestamp).
std::string GlueIcebergType(iceberg::TypeId type);

std::string GlueIcebergTableInput(const std::string& name, const iceberg::TableMetadata& metadata,
                                  const std::string& metadata_location);

std::string AthenaIcebergDdl(const std::string& database, const std::string& name,
                             const iceberg::TableMetadata& metadata);

}  // namespace ticklake::catalog
