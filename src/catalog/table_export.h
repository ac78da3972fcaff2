// Exports of a catalog table for AWS: Athena CREATE EXTERNAL TABLE DDL (plus ALTER TABLE ADD
// PARTITION statements for its partitions) and a Glue TableInput JSON document as
// `aws glue create-table --database-name DB --table-input file://t.json` accepts.
//
// Locations: the lake's own URI by default (a local path for a local lake); with a
// location prefix (s3://bucket/prefix) the table's key prefix is appended to it instead, for a
// lake that is synced to S3 under that prefix.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace ticklake::catalog {

// The table's location (ends with '/').
// A Hive/Athena identifier in backquotes (`a``b`), as Athena DDL quotes names.
std::string AthenaIdentifier(const std::string& name);

std::string TableLocation(const TableInfo& table, const std::string& location_prefix);

std::string AthenaDdl(const TableInfo& table, const std::vector<PartitionInfo>& partitions,
                      const std::string& location_prefix);

std::string GlueTableInput(const TableInfo& table, const std::string& location_prefix);

// Glue's table parameters: classification, recordCount, sizeKey, averageRecordSize,
// compressionType, typeOfData, objectCount, plus the SerDe's table-level settings.
std::vector<std::pair<std::string, std::string>> GlueParameters(const TableInfo& table);

}  // namespace ticklake::catalog
