#include "catalog/crawler.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "catalog/hive_type.h"
#include "catalog/iceberg_roots.h"
#include "catalog/partition_path.h"
#include "catalog/schema_reader.h"
#include "common/error.h"
#include "common/json_writer.h"
#include "common/metrics.h"
#include "common/stop.h"

namespace ticklake::catalog {
namespace {

constexpr double kCompatibleShare = 0.7;

}  // namespace

Serde SerdeFor(const std::string& classification) {
  if (classification == "parquet") {
    return {"org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"};
  }
  std::string library = classification == "json"
                            ? "org.openx.data.jsonserde.JsonSerDe"
                            : "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
  return {library, "org.apache.hadoop.mapred.TextInputFormat",
          "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"};
}

namespace {

bool IsHidden(std::string_view key) {
  size_t start = 0;
  while (start < key.size()) {
    if (key[start] == '_' || key[start] == '.') return true;
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

bool Excluded(const std::string& key, const std::vector<std::string>& globs) {
  for (const auto& glob : globs) {
    if (fnmatch(glob.c_str(), key.c_str(), 0) == 0) return true;
    for (size_t slash = key.find('/'); slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
      std::string dir = key.substr(0, slash);
      if (fnmatch(glob.c_str(), dir.c_str(), 0) == 0 ||
          fnmatch(glob.c_str(), (dir + "/").c_str(), 0) == 0) {
        return true;
      }
    }
  }
  return false;
}

// A file as this crawl sees it.
struct CrawledFile {
  FileInfo info;
  FileFormat format = FileFormat::kUnknown;
  std::string compression = "none";
  std::map<std::string, std::string> serde_parameters;
  std::vector<PartitionLevel> levels;  // relative to the table's location
};

struct TableGroup {
  std::string name;
  std::string location;  // key prefix, "" for the root
  std::vector<CrawledFile> files;
};

std::set<std::string> Names(const std::vector<Column>& columns) {
  std::set<std::string> out;
  for (const auto& c : columns) out.insert(c.name);
  return out;
}

bool SchemasCompatible(const std::vector<Column>& a, const std::vector<Column>& b) {
  auto na = Names(a), nb = Names(b);
  size_t shared = 0;
  for (const auto& n : na) shared += nb.count(n);
  size_t smaller = std::min(na.size(), nb.size());
  return smaller == 0 ||
         static_cast<double>(shared) / static_cast<double>(smaller) >= kCompatibleShare;
}

std::vector<std::string> LevelKeys(const CrawledFile& f) {
  std::vector<std::string> keys;
  for (const auto& l : f.levels) keys.push_back(l.key);
  return keys;
}

bool GroupCompatible(const TableGroup& g) {
  if (g.files.empty()) return true;
  const CrawledFile& first = g.files.front();
  std::set<std::string> seen;
  for (const auto& f : g.files) {
    if (f.format != first.format || LevelKeys(f) != LevelKeys(first)) return false;
    std::string text = EncodeColumns(f.info.schema);
    if (!seen.insert(text).second) continue;
    if (!SchemasCompatible(f.info.schema, first.info.schema)) return false;
  }
  return true;
}

// Splits an incompatible folder into one group per sub-folder (files directly in the folder keep
// the folder's name).
std::vector<TableGroup> SplitGroup(TableGroup group) {
  std::map<std::string, TableGroup> parts;
  for (auto& f : group.files) {
    std::string rel = f.info.key.substr(group.location.size());
    size_t slash = rel.find('/');
    TableGroup* part;
    if (slash == std::string::npos) {
      part = &parts[""];
      part->name = group.name;
      part->location = group.location;
    } else {
      std::string child = rel.substr(0, slash);
      part = &parts[child];
      part->name = group.name + "_" + TableNameFor(child);
      part->location = group.location + child + "/";
      f.levels.erase(f.levels.begin());
      for (size_t i = 0; i < f.levels.size(); ++i) {
        if (f.levels[i].key.starts_with("partition_"))
          f.levels[i].key = fmt::format("partition_{}", i);
      }
    }
    part->files.push_back(std::move(f));
  }
  std::vector<TableGroup> out;
  for (auto& [child, part] : parts) out.push_back(std::move(part));
  return out;
}

std::string DescribeChange(const std::vector<Column>& before, const std::vector<Column>& after,
                           const std::vector<Column>& keys_before,
                           const std::vector<Column>& keys_after) {
  std::vector<std::string> parts;
  std::map<std::string, std::string> old_types;
  for (const auto& c : before) old_types[c.name] = c.type;
  std::vector<std::string> added;
  for (const auto& c : after) {
    auto it = old_types.find(c.name);
    if (it == old_types.end()) {
      added.push_back(c.name);
    } else if (it->second != c.type) {
      parts.push_back(fmt::format("{}: {} -> {}", c.name, it->second, c.type));
    }
  }
  if (!added.empty())
    parts.insert(parts.begin(), "added " + fmt::format("{}", fmt::join(added, ", ")));
  auto now = Names(after);
  std::vector<std::string> removed;
  for (const auto& c : before) {
    if (!now.count(c.name)) removed.push_back(c.name);
  }
  if (!removed.empty()) parts.push_back("removed " + fmt::format("{}", fmt::join(removed, ", ")));
  if (keys_before != keys_after) parts.push_back("partition keys changed");
  if (parts.empty()) return "column order changed";
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace

std::string TableNameFor(std::string_view folder) {
  std::string out;
  for (char c : folder) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out.empty() ? "_" : out;
}

CrawlSummary Crawl(ObjectStore& lake, Catalog& catalog, const CrawlOptions& options) {
  auto start_time = std::chrono::steady_clock::now();
  CrawlSummary summary;
  // The run this crawl is recorded in: a new one, or an earlier run of the same source that it
  // is folded into (`base` holds that run's counts so far).
  CrawlRun base;
  base.updates = 0;
  base.database = options.database;
  base.lake_uri = lake.Uri();
  base.source = options.source;
  base.started_ms = NowMs();
  std::optional<CrawlRun> earlier;
  if (options.continue_run > 0) earlier = catalog.GetCrawl(options.continue_run);
  if (earlier && earlier->source == options.source && earlier->database == options.database &&
      earlier->lake_uri == lake.Uri()) {
    base = *earlier;
  } else {
    base.id = catalog.StartCrawl(options.database, lake.Uri(), options.source);
  }
  CrawlRun run = base;
  summary.crawl_id = run.id;

  auto finish = [&](const std::string& state) {
    // A folded run keeps its latest messages only, so a long sink session stays small.
    constexpr size_t kKeptMessages = 50;
    auto joined = [&](std::vector<CrawlMessage> old, const std::vector<CrawlMessage>& now) {
      old.insert(old.end(), now.begin(), now.end());
      if (old.size() > kKeptMessages) old.erase(old.begin(), old.end() - kKeptMessages);
      return old;
    };
    run.ended_ms = NowMs();
    run.state = state;
    run.updates = base.updates + 1;
    run.tables_created = base.tables_created + summary.tables_created;
    run.tables_updated = base.tables_updated + summary.tables_updated;
    run.tables_deleted = base.tables_deleted + summary.tables_deleted;
    run.partitions_added = base.partitions_added + summary.partitions_added;
    run.files_read = base.files_read + summary.files_read;
    // Unchanged files are a property of this crawl, not a sum over the session.
    run.files_unchanged = summary.files_unchanged;
    run.errors = joined(base.errors, summary.error_messages);
    run.notes = joined(base.notes, summary.notes);
    summary.errors = static_cast<int>(summary.error_messages.size());
    Catalog::WriteTransaction txn(catalog);
    catalog.FinishCrawl(run);
    txn.Commit();
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    CounterMetric("ticklake_crawl_runs_total", "Crawler runs, by outcome.",
                  fmt::format("state=\"{}\"", state))
        .Add();
    CounterMetric("ticklake_crawl_files_read_total", "Files whose schema a crawl read.")
        .Add(summary.files_read);
    HistogramMetric("ticklake_crawl_seconds", "Duration of a crawl.").Observe(summary.seconds);
  };

  try {
    // What the catalog already knows about this lake, for incremental crawling.
    std::map<std::string, FileInfo> known;
    for (const auto& t : catalog.ListTables(options.database)) {
      if (t.lake_uri != lake.Uri()) continue;
      for (auto& f : catalog.ListFiles(options.database, t.name)) known[f.key] = std::move(f);
    }

    std::string root_name = options.root_table_name;
    if (root_name.empty()) {
      std::string uri = lake.Uri();
      while (!uri.empty() && uri.back() == '/') uri.pop_back();
      root_name = uri.substr(uri.rfind('/') + 1);
      if (root_name.find("://") != std::string::npos || root_name.empty()) root_name = "root";
    }
    root_name = TableNameFor(root_name);

    LakeFileResolver resolver(lake, options.cache_dir, 0);
    SchemaReader reader(lake, resolver, options.sample);
    std::map<std::string, TableGroup> groups;  // by location
    std::string scope = options.folder.empty() ? "" : options.folder + "/";
    std::vector<ObjectInfo> objects = lake.List(scope).objects;
    for (const auto& root : IcebergTableRoots(objects)) {
      std::erase_if(objects, [&](const ObjectInfo& o) { return o.key.starts_with(root); });
      summary.notes.push_back({lake.UriOf(root),
                               "skipped: an Iceberg table (metadata/*.metadata.json); it is read "
                               "through its metadata, see `ticklake catalog ls`"});
    }
    auto unchanged = [&](const ObjectInfo& object) {
      auto it = known.find(object.key);
      return it != known.end() && it->second.etag == object.etag && it->second.size == object.size;
    };
    // New Parquet files' footers are read together: a few queries instead of three per file.
    std::vector<ObjectInfo> new_parquet;
    for (const auto& object : objects) {
      if (!IsHidden(object.key) && !Excluded(object.key, options.exclude) &&
          ClassifyKey(object.key) == FileFormat::kParquet && !unchanged(object)) {
        new_parquet.push_back(object);
      }
    }
    std::map<std::string, FileSchema> batch = reader.ReadParquetBatch(new_parquet);
    for (const auto& object : objects) {
      if (options.interruptible && StopRequested()) Fail("crawl interrupted");
      if (IsHidden(object.key) || Excluded(object.key, options.exclude)) continue;
      CrawledFile file;
      file.format = ClassifyKey(object.key);
      if (file.format == FileFormat::kUnknown) {
        summary.notes.push_back({lake.UriOf(object.key), "skipped: not Parquet, JSON or CSV"});
        continue;
      }
      size_t slash = object.key.find('/');
      std::string location = slash == std::string::npos ? "" : object.key.substr(0, slash + 1);
      TableGroup& group = groups[location];
      if (group.name.empty()) {
        group.location = location;
        group.name = location.empty() ? root_name : TableNameFor(location.substr(0, slash));
      }
      std::string rel_dir = object.key.substr(location.size());
      rel_dir = rel_dir.substr(0, rel_dir.rfind('/') == std::string::npos ? 0 : rel_dir.rfind('/'));
      file.levels = ParsePartitionPath(rel_dir);
      file.info.key = object.key;
      file.info.size = object.size;
      file.info.etag = object.etag;
      file.info.modified_ms = object.modified_ms;
      bool gzip = false;
      ClassifyKey(object.key, &gzip);
      auto it = known.find(object.key);
      if (unchanged(object)) {
        file.info.schema = it->second.schema;
        file.info.record_count = it->second.record_count;
        ++summary.files_unchanged;
        // Parquet compression is not kept per file; the table's value is carried over below.
        if (gzip) file.compression = "gzip";
      } else {
        try {
          auto batched = batch.find(object.key);
          FileSchema schema =
              batched != batch.end() ? std::move(batched->second) : reader.Read(object);
          file.info.schema = std::move(schema.columns);
          file.info.record_count = schema.record_count;
          file.compression = schema.compression;
          file.serde_parameters = std::move(schema.serde_parameters);
          ++summary.files_read;
        } catch (const Error& e) {
          summary.error_messages.push_back({lake.UriOf(object.key), e.what()});
          continue;
        }
      }
      group.files.push_back(std::move(file));
    }

    std::vector<TableGroup> tables;
    for (auto& [location, group] : groups) {
      if (group.files.empty()) continue;
      if (GroupCompatible(group) || location.empty()) {
        tables.push_back(std::move(group));
      } else {
        std::string name = group.name;
        auto parts = SplitGroup(std::move(group));
        summary.notes.push_back(
            {lake.UriOf(location),
             fmt::format("files are not compatible: split into {} tables", parts.size())});
        for (auto& p : parts) tables.push_back(std::move(p));
      }
    }

    Catalog::WriteTransaction txn(catalog);
    catalog.EnsureDatabase(options.database);
    std::set<std::string> seen;
    for (auto& group : tables) {
      // Keep the files of the majority format and partition layout; note the others.
      std::map<std::pair<FileFormat, std::vector<std::string>>, size_t> votes;
      for (const auto& f : group.files) ++votes[{f.format, LevelKeys(f)}];
      auto winner = std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) {
                      return a.second < b.second;
                    })->first;
      TableInfo table;
      table.database = options.database;
      table.name = group.name;
      table.lake_uri = lake.Uri();
      table.location = group.location;
      table.classification = FormatName(winner.first);
      Serde serde = SerdeFor(table.classification);
      table.serde = serde.library;
      table.input_format = serde.input_format;
      table.output_format = serde.output_format;
      HiveType row = HiveType::Of(HiveType::Kind::kStruct);
      std::map<std::string, std::string> source_names;
      std::map<std::string, size_t> compressions;
      std::map<std::string, PartitionInfo> partitions;
      std::vector<std::vector<std::optional<std::string>>> key_values(winner.second.size());
      std::vector<FileInfo> files;
      for (auto& f : group.files) {
        if (std::make_pair(f.format, LevelKeys(f)) != winner) {
          summary.notes.push_back(
              {lake.UriOf(f.info.key),
               fmt::format("left out of table {}: different format or partition layout",
                           group.name)});
          continue;
        }
        for (const auto& c : f.info.schema) {
          HiveType field = HiveType::Of(HiveType::Kind::kStruct);
          field.children.emplace_back(c.name, ParseHiveType(c.type));
          row = Widen(row, field);
          source_names.emplace(c.name, c.source_name);
        }
        ++compressions[f.compression];
        for (const auto& [k, v] : f.serde_parameters) table.serde_parameters[k] = v;
        std::string part_location = group.location;
        std::vector<std::optional<std::string>> values;
        for (size_t i = 0; i < f.levels.size(); ++i) {
          part_location += f.levels[i].segment + "/";
          values.push_back(f.levels[i].value);
          key_values[i].push_back(f.levels[i].value);
        }
        f.info.partition_location = f.levels.empty() ? "" : part_location;
        if (!f.levels.empty()) {
          PartitionInfo& p = partitions[part_location];
          p.location = part_location;
          p.values = values;
          ++p.file_count;
          p.size_bytes += static_cast<int64_t>(f.info.size);
          p.last_modified_ms = std::max(p.last_modified_ms, f.info.modified_ms);
        }
        table.record_count += f.info.record_count;
        table.size_bytes += static_cast<int64_t>(f.info.size);
        ++table.file_count;
        files.push_back(f.info);
      }
      for (size_t i = 0; i < winner.second.size(); ++i) {
        table.partition_keys.push_back(
            {winner.second[i], InferPartitionType(key_values[i]), winner.second[i]});
      }
      std::set<std::string> partition_names = Names(table.partition_keys);
      for (const auto& [name, type] : row.children) {
        if (partition_names.count(name)) continue;  // the path's value wins, as in Hive
        table.columns.push_back({name, Finished(type).ToHive(), source_names[name]});
      }
      std::string compression = "none";
      size_t best = 0;
      for (const auto& [c, n] : compressions) {
        if (n > best) compression = c, best = n;
      }
      table.compression = compression;
      table.updated_ms = NowMs();
      seen.insert(table.name);
      summary.tables.push_back(table.name);

      std::optional<TableInfo> existing = catalog.GetTable(options.database, table.name);
      if (existing && existing->lake_uri != table.lake_uri) {
        summary.error_messages.push_back(
            {lake.UriOf(group.location),
             fmt::format("table {}.{} already exists for another lake ({}); not changed",
                         options.database, table.name, existing->lake_uri)});
        continue;
      }
      if (!existing) {
        table.version = 1;
        table.created_ms = table.updated_ms;
        catalog.SaveTable(table);
        catalog.RecordVersion(table, run.id, "created");
        ++summary.tables_created;
      } else {
        table.created_ms = existing->created_ms;
        table.created_by = existing->created_by;
        // SerDe settings (CSV delimiter) and Parquet compression are learnt only from files
        // read this time; keep what the catalog knows for the unchanged ones.
        for (const auto& [k, v] : existing->serde_parameters) table.serde_parameters.emplace(k, v);
        if (table.compression == "none" && table.classification == "parquet") {
          table.compression = existing->compression;
        }
        // Known columns keep their positions; new ones are appended, as Glue does.
        std::vector<Column> ordered;
        for (const auto& old : existing->columns) {
          for (const auto& c : table.columns) {
            if (c.name == old.name) ordered.push_back(c);
          }
        }
        for (const auto& c : table.columns) {
          std::set<std::string> have = Names(ordered);
          if (!have.count(c.name)) ordered.push_back(c);
        }
        table.columns = std::move(ordered);
        bool schema_changed =
            table.columns != existing->columns || table.partition_keys != existing->partition_keys;
        std::vector<FileInfo> old_files = catalog.ListFiles(options.database, table.name);
        bool files_changed = old_files.size() != files.size();
        for (size_t i = 0; !files_changed && i < files.size(); ++i) {
          files_changed = old_files[i].key != files[i].key || old_files[i].etag != files[i].etag;
        }
        bool changed = schema_changed || files_changed || existing->state != "active";
        if (!changed) table.updated_ms = existing->updated_ms;
        table.version = existing->version;
        if (schema_changed) {
          std::string change = DescribeChange(existing->columns, table.columns,
                                              existing->partition_keys, table.partition_keys);
          if (options.on_schema_change == OnSchemaChange::kUpdate) {
            table.version = existing->version + 1;
            catalog.SaveTable(table);
            catalog.RecordVersion(table, run.id, change);
          } else {
            summary.notes.push_back(
                {lake.UriOf(group.location), fmt::format("schema change of {} not applied "
                                                         "(--on-schema-change log): {}",
                                                         table.name, change)});
            table.columns = existing->columns;
            table.partition_keys = existing->partition_keys;
            catalog.SaveTable(table);
          }
        } else {
          catalog.SaveTable(table);
        }
        if (changed) ++summary.tables_updated;
      }
      catalog.ReplaceFiles(options.database, table.name, files);
      std::vector<PartitionInfo> partition_list;
      for (auto& [loc, p] : partitions) partition_list.push_back(std::move(p));
      summary.partitions_added +=
          catalog.ReplacePartitions(options.database, table.name, partition_list);
    }

    // Tables of this lake the crawl no longer found.
    for (auto& t : catalog.ListTables(options.database)) {
      if (t.lake_uri != lake.Uri() || seen.count(t.name) || t.state == "deprecated") continue;
      if (!scope.empty() && !t.location.starts_with(scope)) continue;  // outside this crawl
      std::string where = lake.UriOf(t.location.empty() ? "." : t.location);
      switch (options.on_delete) {
        case OnDelete::kDeprecate:
          t.state = "deprecated";
          t.updated_ms = NowMs();
          catalog.SaveTable(t);
          catalog.ReplaceFiles(t.database, t.name, {});
          catalog.ReplacePartitions(t.database, t.name, {});
          summary.notes.push_back({where, fmt::format("table {} has no data: deprecated", t.name)});
          ++summary.tables_deleted;
          break;
        case OnDelete::kDelete:
          catalog.DeleteTable(t.database, t.name);
          summary.notes.push_back({where, fmt::format("table {} has no data: deleted", t.name)});
          ++summary.tables_deleted;
          break;
        case OnDelete::kLog:
          summary.notes.push_back(
              {where, fmt::format("table {} has no data (kept: --on-delete log)", t.name)});
          break;
      }
    }
    txn.Commit();
  } catch (const Error& e) {
    summary.error_messages.push_back({lake.Uri(), e.what()});
    finish("failed");
    throw;
  }
  finish("succeeded");
  return summary;
}

std::string CrawlMessagesJson(const std::vector<CrawlMessage>& messages) {
  std::string out = "[";
  for (size_t i = 0; i < messages.size(); ++i) {
    out += i ? ",{\"path\":" : "{\"path\":";
    AppendJsonString(out, messages[i].path);
    out += ",\"message\":";
    AppendJsonString(out, messages[i].message);
    out += "}";
  }
  return out + "]";
}

std::string CrawlSummaryJson(const CrawlSummary& s, const std::string& database) {
  std::string out = fmt::format("{{\"crawl_id\":{},\"database\":", s.crawl_id);
  AppendJsonString(out, database);
  out += fmt::format(
      ",\"tables_created\":{},\"tables_updated\":{},\"tables_deleted\":{},"
      "\"partitions_added\":{},\"files_read\":{},\"files_unchanged\":{},\"errors\":{},"
      "\"seconds\":{:.3f},\"tables\":[",
      s.tables_created, s.tables_updated, s.tables_deleted, s.partitions_added, s.files_read,
      s.files_unchanged, s.errors, s.seconds);
  for (size_t i = 0; i < s.tables.size(); ++i) {
    if (i) out += ",";
    AppendJsonString(out, s.tables[i]);
  }
  out += "],\"error_list\":" + CrawlMessagesJson(s.error_messages) +
         ",\"notes\":" + CrawlMessagesJson(s.notes) + "}";
  return out;
}

}  // namespace ticklake::catalog
