#include "catalog/schema_reader.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cctype>
#include <climits>
#include <set>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake::catalog {
namespace {
namespace fs = std::filesystem;

using Kind = HiveType::Kind;

bool EndsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

HiveType TypeOf(simdjson::dom::element value) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::INT64: {
      int64_t v = 0;
      if (value.get_int64().get(v)) return HiveType::Of(Kind::kDouble);
      return HiveType::Of(v >= INT32_MIN && v <= INT32_MAX ? Kind::kInt : Kind::kBigInt);
    }
    case element_type::UINT64:
      return HiveType::Of(Kind::kDouble);  // beyond int64
    case element_type::DOUBLE:
      return HiveType::Of(Kind::kDouble);
    case element_type::BOOL:
      return HiveType::Of(Kind::kBoolean);
    case element_type::NULL_VALUE:
      return HiveType::Of(Kind::kNull);
    case element_type::STRING: {
      std::string_view s;
      if (value.get_string().get(s)) return HiveType::Of(Kind::kString);
      if (LooksLikeDate(s)) return HiveType::Of(Kind::kDate);
      if (LooksLikeTimestamp(s)) return HiveType::Of(Kind::kTimestamp);
      return HiveType::Of(Kind::kString);
    }
    case element_type::ARRAY: {
      HiveType element = HiveType::Of(Kind::kNull);
      simdjson::dom::array array;
      if (value.get_array().get(array)) return HiveType::Of(Kind::kString);
      for (auto item : array) element = Widen(element, TypeOf(item));
      HiveType out = HiveType::Of(Kind::kArray);
      out.children.emplace_back("", std::move(element));
      return out;
    }
    case element_type::OBJECT: {
      HiveType out = HiveType::Of(Kind::kStruct);
      simdjson::dom::object object;
      if (value.get_object().get(object)) return HiveType::Of(Kind::kString);
      for (auto field : object) {
        HiveType child = HiveType::Of(Kind::kStruct);
        child.children.emplace_back(std::string(field.key), TypeOf(field.value));
        out = Widen(out, child);
      }
      return out;
    }
  }
  return HiveType::Of(Kind::kString);
}

// Accumulates top-level columns over records, in first-seen order.
class RecordSchema {
 public:
  bool Add(simdjson::dom::element record) {
    simdjson::dom::object object;
    if (record.get_object().get(object)) return false;
    for (auto field : object) {
      std::string key(field.key);
      auto it = index_.find(key);
      if (it == index_.end()) {
        index_[key] = columns_.size();
        columns_.emplace_back(key, TypeOf(field.value));
      } else {
        columns_[it->second].second = Widen(columns_[it->second].second, TypeOf(field.value));
      }
    }
    return true;
  }
  const std::vector<std::pair<std::string, HiveType>>& columns() const { return columns_; }

 private:
  std::vector<std::pair<std::string, HiveType>> columns_;
  std::map<std::string, size_t> index_;
};

// A sparse local stand-in for a remote Parquet object: the right size, the leading magic, and
// the real footer at the end, which is all DuckDB reads for a schema and row counts. Crawling an
// S3 lake thus fetches two small ranges per file instead of whole files. Removed on destruction.
class FooterFile {
 public:
  FooterFile(ObjectStore& lake, const ObjectInfo& object, const fs::path& dir) {
    if (object.size < 12) Fail("too small to be Parquet ({} bytes)", object.size);
    std::string tail = lake.GetRange(object.key, object.size - 8, 8);
    if (tail.size() != 8 || tail.substr(4) != "PAR1") Fail("No magic bytes found at end of file");
    uint32_t length = 0;
    for (int i = 3; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(tail[i]);
    if (uint64_t{length} + 12 > object.size) Fail("corrupt Parquet footer length {}", length);
    std::string footer = lake.GetRange(object.key, object.size - 8 - length, length + 8);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) Fail("cannot create {}: {}", dir.string(), ec.message());
    path_ = TempPathBeside(dir / "footer.parquet");
    path_.replace_filename(path_.filename().string() + ".parquet");
    int fd = ::open(path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0) Fail("cannot create {}: {}", path_.string(), ErrnoMessage());
    bool ok = ::ftruncate(fd, static_cast<off_t>(object.size)) == 0 &&
              ::pwrite(fd, "PAR1", 4, 0) == 4 &&
              ::pwrite(fd, footer.data(), footer.size(),
                       static_cast<off_t>(object.size - footer.size())) ==
                  static_cast<ssize_t>(footer.size());
    ::close(fd);
    if (!ok) Fail("cannot write {}: {}", path_.string(), ErrnoMessage());
  }
  FooterFile(const FooterFile&) = delete;
  FooterFile& operator=(const FooterFile&) = delete;
  ~FooterFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

FileFormat ClassifyKey(std::string_view key, bool* gzip) {
  std::string_view name =
      key.substr(key.rfind('/') == std::string_view::npos ? 0 : key.rfind('/') + 1);
  bool gz = EndsWith(name, ".gz");
  if (gz) name.remove_suffix(3);
  if (gzip) *gzip = gz;
  if (EndsWith(name, ".parquet") && !gz) return FileFormat::kParquet;
  if (EndsWith(name, ".json") || EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")) {
    return FileFormat::kJson;
  }
  if (EndsWith(name, ".csv") || EndsWith(name, ".tsv")) return FileFormat::kCsv;
  return FileFormat::kUnknown;
}

std::string FormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kParquet:
      return "parquet";
    case FileFormat::kJson:
      return "json";
    case FileFormat::kCsv:
      return "csv";
    default:
      return "unknown";
  }
}

std::vector<Column> NormalizeColumns(const std::vector<std::pair<std::string, HiveType>>& raw) {
  std::vector<Column> out;
  std::vector<HiveType> types;
  std::map<std::string, size_t> index;
  for (const auto& [source, type] : raw) {
    std::string name = source;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto it = index.find(name);
    if (it == index.end()) {
      index[name] = out.size();
      out.push_back({name, "", source});
      types.push_back(type);
    } else {
      types[it->second] = Widen(types[it->second], type);
    }
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].type = types[i].ToHive();
  return out;
}

bool InferJsonSchema(std::string_view text, size_t sample, std::vector<Column>* columns,
                     int64_t* records, std::string* error) {
  simdjson::dom::parser parser;
  RecordSchema schema;
  *records = 0;
  // First try the whole text as one document: one object (tutorial layout, maybe pretty-printed)
  // or an array of objects.
  simdjson::padded_string whole(text);
  simdjson::dom::element doc;
  if (!parser.parse(whole).get(doc)) {
    if (doc.is_object()) {
      schema.Add(doc);
      *records = 1;
    } else if (doc.is_array()) {
      simdjson::dom::array array;
      if (doc.get_array().get(array)) array = {};
      for (auto item : array) {
        if (static_cast<size_t>(*records) < sample && !schema.Add(item)) {
          *error = "array element is not a JSON object";
          return false;
        }
        ++*records;
      }
    } else {
      *error = "line 1: not a JSON object";
      return false;
    }
    *columns = NormalizeColumns(schema.columns());
    return true;
  }
  // Otherwise JSON Lines: every non-blank line must be one object.
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::element record;
    if (auto err = parser.parse(line.data(), line.size()).get(record)) {
      *error = fmt::format("line {}: invalid JSON ({})", line_no, simdjson::error_message(err));
      return false;
    }
    if (!record.is_object()) {
      *error = fmt::format("line {}: not a JSON object", line_no);
      return false;
    }
    if (static_cast<size_t>(*records) < sample) schema.Add(record);
    ++*records;
  }
  if (*records == 0) {
    *error = "no JSON records";
    return false;
  }
  *columns = NormalizeColumns(schema.columns());
  return true;
}

SchemaReader::SchemaReader(ObjectStore& lake, LakeFileResolver& resolver, size_t sample)
    : lake_(lake), resolver_(resolver), sample_(sample), conn_(db_) {}

FileSchema SchemaReader::Read(const ObjectInfo& object) {
  bool gzip = false;
  FileFormat format = ClassifyKey(object.key, &gzip);
  FileSchema out;
  try {
    switch (format) {
      case FileFormat::kParquet:
        if (resolver_.IsLocal()) {
          out = ReadParquet(resolver_.Resolve(object.key, object.etag, object.size).string());
        } else {
          FooterFile footer(lake_, object, resolver_.cache_dir() / "footers");
          out = ReadParquet(footer.path().string());
        }
        break;
      case FileFormat::kCsv:
        out = ReadCsv(resolver_.Resolve(object.key, object.etag, object.size).string());
        break;
      case FileFormat::kJson:
        if (gzip) {
          out = ReadGzipJson(resolver_.Resolve(object.key, object.etag, object.size).string());
        } else {
          std::string text = lake_.Get(object.key);
          std::string error;
          if (!InferJsonSchema(text, sample_, &out.columns, &out.record_count, &error)) {
            Fail("{}", error);
          }
        }
        break;
      case FileFormat::kUnknown:
        Fail("unrecognised file type (not Parquet, JSON or CSV)");
    }
  } catch (const Error& e) {
    // DuckDB's messages continue with the SQL and a caret; the first line says what is wrong.
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    Fail("{}: {}", lake_.UriOf(object.key), message);
  }
  if (gzip) out.compression = "gzip";
  out.format = format;
  if (out.columns.empty()) Fail("{}: no columns found", lake_.UriOf(object.key));
  return out;
}

std::map<std::string, FileSchema> SchemaReader::ReadParquetBatch(
    const std::vector<ObjectInfo>& objects) {
  std::map<std::string, FileSchema> out;
  if (!resolver_.IsLocal()) return out;
  constexpr size_t kChunk = 2000;  // keeps each SQL list literal a few hundred KB
  for (size_t begin = 0; begin < objects.size(); begin += kChunk) {
    size_t end = std::min(objects.size(), begin + kChunk);
    std::map<std::string, std::string> key_of;  // path -> key
    std::string list = "[";
    for (size_t i = begin; i < end; ++i) {
      std::string path =
          resolver_.Resolve(objects[i].key, objects[i].etag, objects[i].size).string();
      key_of[path] = objects[i].key;
      list += (i > begin ? "," : "") + duck::QuoteLiteral(path);
    }
    list += "]";
    duck::Result schema, rows, compression;
    // One unreadable file fails the whole query: leave this chunk to the per-file path.
    if (conn_.TryExecute(
            "SELECT file_name, name, duckdb_type, num_children FROM parquet_schema(" + list + ")",
            &schema) ||
        conn_.TryExecute("SELECT file_name, num_rows FROM parquet_file_metadata(" + list + ")",
                         &rows) ||
        // The codec is a table-level fact for Glue (compressionType), and parquet_metadata reads
        // every column chunk: take it from the chunk's first file.
        conn_.TryExecute("SELECT lower(first(compression)) FROM parquet_metadata(" +
                             duck::QuoteLiteral(key_of.begin()->first) + ")",
                         &compression)) {
      continue;
    }
    // Rows come file by file, in schema order: a root row (num_children = N), then its fields.
    std::map<std::string, std::vector<std::pair<std::string, HiveType>>> raw;
    std::set<std::string> nested;
    std::map<std::string, int64_t> expected;
    for (size_t r = 0; r < schema.RowCount(); ++r) {
      std::string file = *schema.GetString(0, r);
      auto children = schema.IsNull(3, r) ? 0 : schema.GetInt64(3, r);
      if (!expected.count(file)) {
        expected[file] = children;  // the root
        continue;
      }
      if (children > 0 || schema.IsNull(2, r)) nested.insert(file);  // a group: not flat
      raw[file].emplace_back(*schema.GetString(1, r), FromDuckDBType(*schema.GetString(2, r)));
    }
    std::map<std::string, int64_t> counts;
    for (size_t r = 0; r < rows.RowCount(); ++r)
      counts[*rows.GetString(0, r)] += rows.GetInt64(1, r);
    std::string codec = compression.RowCount() ? compression.GetString(0, 0).value_or("") : "";
    for (const auto& [file, columns] : raw) {
      auto key = key_of.find(file);
      if (key == key_of.end() || nested.count(file) ||
          static_cast<int64_t>(columns.size()) != expected[file]) {
        continue;
      }
      FileSchema result;
      result.format = FileFormat::kParquet;
      result.columns = NormalizeColumns(columns);
      result.record_count = counts[file];
      if (!codec.empty() && codec != "uncompressed") result.compression = codec;
      if (!result.columns.empty()) out[key->second] = std::move(result);
    }
  }
  return out;
}

FileSchema SchemaReader::ReadParquet(const std::string& path) {
  FileSchema out;
  std::string quoted = duck::QuoteLiteral(path);
  duck::Result d = conn_.Query("DESCRIBE SELECT * FROM read_parquet(" + quoted + ")");
  std::vector<std::pair<std::string, HiveType>> raw;
  for (size_t r = 0; r < d.RowCount(); ++r) {
    raw.emplace_back(*d.GetString(0, r), FromDuckDBType(*d.GetString(1, r)));
  }
  out.columns = NormalizeColumns(raw);
  duck::Result meta =
      conn_.Query("SELECT (SELECT sum(num_rows) FROM parquet_file_metadata(" + quoted +
                  ")), "
                  "(SELECT lower(compression) FROM parquet_metadata(" +
                  quoted + ") LIMIT 1)");
  out.record_count = meta.GetInt64(0, 0);
  if (auto c = meta.GetString(1, 0); c && *c != "uncompressed") out.compression = *c;
  return out;
}

FileSchema SchemaReader::ReadCsv(const std::string& path) {
  FileSchema out;
  std::string quoted = duck::QuoteLiteral(path);
  duck::Result sniff = conn_.Query("SELECT Delimiter, HasHeader FROM sniff_csv(" + quoted + ")");
  std::string delimiter = sniff.GetString(0, 0).value_or(",");
  bool header = sniff.GetString(1, 0).value_or("true") == "true";
  std::string options =
      ", delim=" + duck::QuoteLiteral(delimiter) + ", header=" + (header ? "true" : "false");
  duck::Result d = conn_.Query("DESCRIBE SELECT * FROM read_csv(" + quoted + options + ")");
  std::vector<std::pair<std::string, HiveType>> raw;
  for (size_t r = 0; r < d.RowCount(); ++r) {
    raw.emplace_back(*d.GetString(0, r), FromDuckDBType(*d.GetString(1, r)));
  }
  out.columns = NormalizeColumns(raw);
  out.record_count =
      conn_.Query("SELECT count(*) FROM read_csv(" + quoted + options + ")").GetInt64(0, 0);
  out.serde_parameters["field.delim"] = delimiter;
  if (header) out.serde_parameters["skip.header.line.count"] = "1";
  return out;
}

FileSchema SchemaReader::ReadGzipJson(const std::string& path) {
  FileSchema out;
  duck::Result rows = conn_.Query("SELECT json FROM read_json_objects(" + duck::QuoteLiteral(path) +
                                  ", format='auto')");
  std::string text;
  for (size_t r = 0; r < rows.RowCount(); ++r) {
    text += rows.GetString(0, r).value_or("null");
    text += "\n";
  }
  std::string error;
  if (!InferJsonSchema(text, sample_, &out.columns, &out.record_count, &error)) Fail("{}", error);
  return out;
}

}  // namespace ticklake::catalog
