// File-size advice for a catalog table: its average file size and, when the files are tiny, a
// warning about the small-file problem (every file costs a request and a footer read, so a query
// over thousands of 10 KB files spends its time opening files; Athena recommends files of
// 128 MB or more). Used by `ticklake catalog show` and the console's catalog page.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "catalog/catalog.h"

namespace ticklake::catalog {

// Below this average, with at least kSmallFilesMinCount files, a table is warned about.
constexpr int64_t kSmallFileBytes = 1'000'000;
constexpr int64_t kSmallFilesMinCount = 20;

// size_bytes / file_count (0 for a table without files).
int64_t AverageFileBytes(const TableInfo& table);

// "623 files of 10.4 KB on average: small files make queries slow (...)", or "" when fine.
std::string SmallFileWarning(const TableInfo& table);

// "10.4 KB", "3.1 MB", "512 B" (decimal units).
std::string HumanBytes(int64_t bytes);

}  // namespace ticklake::catalog
