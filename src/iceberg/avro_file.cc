#include "iceberg/avro_file.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/error.h"

namespace ticklake::iceberg {
namespace {

constexpr char kMagic[4] = {'O', 'b', 'j', '\1'};
constexpr size_t kSyncSize = 16;
constexpr const char* kMetadataSchema = R"({"type": "map", "values": "bytes"})";

[[noreturn]] void AvroFail(const std::string& where, std::string_view what) {
  Fail("avro {}: {}: {}", where, what, avro_strerror());
}

// A generic value of a schema, decref'd with its class.
struct GenericValue {
  avro_schema_t schema = nullptr;
  avro_value_iface_t* iface = nullptr;
  avro_value_t value{};
  bool valid = false;

  GenericValue(const char* json, const std::string& where) {
    if (avro_schema_from_json_length(json, std::strlen(json), &schema) != 0) {
      AvroFail(where, "bad schema");
    }
    iface = avro_generic_class_from_schema(schema);
    if (!iface || avro_generic_value_new(iface, &value) != 0) {
      Release();
      AvroFail(where, "cannot make a value");
    }
    valid = true;
  }
  GenericValue(const GenericValue&) = delete;
  GenericValue& operator=(const GenericValue&) = delete;
  ~GenericValue() { Release(); }
  void Release() {
    if (valid) avro_value_decref(&value);
    if (iface) avro_value_iface_decref(iface);
    if (schema) avro_schema_decref(schema);
    valid = false;
    iface = nullptr;
    schema = nullptr;
  }
};

struct MemoryReader {
  avro_reader_t reader;
  MemoryReader(const char* data, size_t size)
      : reader(avro_reader_memory(data, static_cast<int64_t>(size))) {}
  ~MemoryReader() { avro_reader_free(reader); }
};

// The header: magic, metadata map, sync marker. Returns the metadata and the header's size.
std::map<std::string, std::string> ParseHeader(std::string_view bytes, const std::string& where,
                                               size_t* header_size) {
  if (bytes.size() < sizeof(kMagic) + 1 + kSyncSize ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    Fail("avro {}: not an Avro object container file", where);
  }
  GenericValue map(kMetadataSchema, where);
  MemoryReader reader(bytes.data() + sizeof(kMagic), bytes.size() - sizeof(kMagic));
  if (avro_value_read(reader.reader, &map.value) != 0) AvroFail(where, "bad header");
  size_t map_size = 0;
  avro_value_sizeof(&map.value, &map_size);
  *header_size = sizeof(kMagic) + map_size + kSyncSize;
  if (*header_size > bytes.size()) Fail("avro {}: truncated header", where);
  std::map<std::string, std::string> out;
  size_t count = 0;
  avro_value_get_size(&map.value, &count);
  for (size_t i = 0; i < count; ++i) {
    avro_value_t element;
    const char* key = nullptr;
    avro_value_get_by_index(&map.value, i, &element, &key);
    const void* data = nullptr;
    size_t size = 0;
    avro_value_get_bytes(&element, &data, &size);
    out[key] = std::string(static_cast<const char*>(data), size);
  }
  return out;
}

std::string EncodeMetadata(const std::map<std::string, std::string>& metadata,
                           const std::string& where) {
  GenericValue map(kMetadataSchema, where);
  for (const auto& [key, value] : metadata) {
    avro_value_t element;
    if (avro_value_add(&map.value, key.c_str(), &element, nullptr, nullptr) != 0 ||
        avro_value_set_bytes(&element, const_cast<char*>(value.data()), value.size()) != 0) {
      AvroFail(where, "cannot encode header metadata");
    }
  }
  size_t size = 0;
  avro_value_sizeof(&map.value, &size);
  std::string out(size, '\0');
  avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(size));
  int rc = avro_value_write(writer, &map.value);
  avro_writer_free(writer);
  if (rc != 0) AvroFail(where, "cannot encode header metadata");
  return out;
}

}  // namespace

std::map<std::string, std::string> ReadAvroMetadata(std::string_view bytes,
                                                    const std::string& where) {
  size_t header_size = 0;
  return ParseHeader(bytes, where, &header_size);
}

AvroWriter::AvroWriter(std::string schema_json, std::map<std::string, std::string> metadata,
                       std::string where)
    : schema_json_(std::move(schema_json)),
      metadata_(std::move(metadata)),
      where_(std::move(where)) {
  try {
    if (avro_schema_from_json_length(schema_json_.data(), schema_json_.size(), &schema_) != 0) {
      schema_ = nullptr;
      AvroFail(where_, "bad schema");
    }
    iface_ = avro_generic_class_from_schema(schema_);
    if (!iface_) AvroFail(where_, "cannot make a record class");
    file_ = open_memstream(&buffer_, &size_);
    if (!file_) Fail("avro {}: open_memstream failed", where_);
    // Deflate, as Java and pyiceberg write manifests.
    if (avro_file_writer_create_with_codec_fp(file_, where_.c_str(), 0, schema_, &writer_,
                                              "deflate", 0) != 0) {
      writer_ = nullptr;
      AvroFail(where_, "cannot start the container");
    }
  } catch (...) {
    Close();  // the destructor does not run for a constructor that throws
    throw;
  }
}

AvroWriter::~AvroWriter() { Close(); }

void AvroWriter::Close() {
  if (have_record_) avro_value_decref(&record_);
  if (writer_) avro_file_writer_close(writer_);
  if (file_) fclose(file_);
  free(buffer_);
  if (iface_) avro_value_iface_decref(iface_);
  if (schema_) avro_schema_decref(schema_);
  have_record_ = false;
  writer_ = nullptr;
  file_ = nullptr;
  buffer_ = nullptr;
  iface_ = nullptr;
  schema_ = nullptr;
}

avro_value_t& AvroWriter::NewRecord() {
  if (!have_record_) {
    if (avro_generic_value_new(iface_, &record_) != 0) AvroFail(where_, "cannot make a record");
    have_record_ = true;
  } else {
    avro_value_reset(&record_);
  }
  return record_;
}

void AvroWriter::Append() {
  if (avro_file_writer_append_value(writer_, &record_) != 0) AvroFail(where_, "cannot append");
}

std::string AvroWriter::Finish() {
  int rc = avro_file_writer_close(writer_);
  writer_ = nullptr;
  if (rc != 0) AvroFail(where_, "cannot close the container");
  fclose(file_);
  file_ = nullptr;
  std::string_view written(buffer_, size_);
  size_t header_size = 0;
  std::map<std::string, std::string> header = ParseHeader(written, where_, &header_size);
  header["avro.schema"] = schema_json_;  // with Iceberg's field-id attributes
  for (const auto& [key, value] : metadata_) header[key] = value;
  std::string out(kMagic, sizeof(kMagic));
  out += EncodeMetadata(header, where_);
  out.append(written.substr(header_size - kSyncSize));  // sync marker and data blocks
  return out;
}

AvroReader::AvroReader(std::string bytes, std::string where)
    : bytes_(std::move(bytes)), where_(std::move(where)) {
  metadata_ = ReadAvroMetadata(bytes_, where_);
  try {
    file_ = fmemopen(bytes_.data(), bytes_.size(), "rb");
    if (!file_) Fail("avro {}: fmemopen failed", where_);
    if (avro_file_reader_fp(file_, where_.c_str(), 0, &reader_) != 0) {
      reader_ = nullptr;
      AvroFail(where_, "not a readable Avro container file");
    }
    // The reader hands out a new reference to the writer's schema; the class keeps its own.
    avro_schema_t writer_schema = avro_file_reader_get_writer_schema(reader_);
    iface_ = avro_generic_class_from_schema(writer_schema);
    avro_schema_decref(writer_schema);
    if (!iface_ || avro_generic_value_new(iface_, &record_) != 0) {
      AvroFail(where_, "cannot make a record for the file's schema");
    }
    have_record_ = true;
  } catch (...) {
    Close();  // the destructor does not run for a constructor that throws
    throw;
  }
}

AvroReader::~AvroReader() { Close(); }

void AvroReader::Close() {
  if (have_record_) avro_value_decref(&record_);
  if (iface_) avro_value_iface_decref(iface_);
  if (reader_) avro_file_reader_close(reader_);
  if (file_) fclose(file_);
  have_record_ = false;
  iface_ = nullptr;
  reader_ = nullptr;
  file_ = nullptr;
}

avro_value_t* AvroReader::Next() {
  avro_value_reset(&record_);
  int rc = avro_file_reader_read_value(reader_, &record_);
  if (rc == EOF) return nullptr;
  if (rc != 0) AvroFail(where_, "corrupt record");
  return &record_;
}

namespace avro {

avro_value_t Field(const avro_value_t& record, const char* name, const std::string& where) {
  avro_value_t out;
  if (avro_value_get_by_name(const_cast<avro_value_t*>(&record), name, &out, nullptr) != 0) {
    Fail("avro {}: no field '{}'", where, name);
  }
  return out;
}

std::optional<avro_value_t> Optional(const avro_value_t& record, const char* name,
                                     const std::string& where) {
  avro_value_t out;
  if (avro_value_get_by_name(const_cast<avro_value_t*>(&record), name, &out, nullptr) != 0) {
    return std::nullopt;
  }
  if (avro_value_get_type(&out) == AVRO_UNION) {
    avro_value_t branch;
    if (avro_value_get_current_branch(&out, &branch) != 0) {
      Fail("avro {}: field '{}': union without a branch", where, name);
    }
    out = branch;
  }
  if (avro_value_get_type(&out) == AVRO_NULL) return std::nullopt;
  return out;
}

int32_t Int(avro_value_t value, const std::string& where) {
  int32_t v;
  if (avro_value_get_int(&value, &v) != 0) Fail("avro {}: expected an int", where);
  return v;
}

int64_t Long(avro_value_t value, const std::string& where) {
  int64_t v;
  if (avro_value_get_type(&value) == AVRO_INT32) return Int(value, where);
  if (avro_value_get_long(&value, &v) != 0) Fail("avro {}: expected a long", where);
  return v;
}

bool Bool(avro_value_t value, const std::string& where) {
  int v;
  if (avro_value_get_boolean(&value, &v) != 0) Fail("avro {}: expected a boolean", where);
  return v != 0;
}

std::string Bytes(avro_value_t value, const std::string& where) {
  if (avro_value_get_type(&value) == AVRO_STRING) {
    const char* s = nullptr;
    size_t size = 0;  // includes the terminating NUL
    if (avro_value_get_string(&value, &s, &size) != 0) Fail("avro {}: expected a string", where);
    return std::string(s, size > 0 ? size - 1 : 0);
  }
  const void* data = nullptr;
  size_t size = 0;
  if (avro_value_get_bytes(&value, &data, &size) != 0) Fail("avro {}: expected bytes", where);
  return std::string(static_cast<const char*>(data), size);
}

void SetInt(avro_value_t& record, const char* name, int32_t value) {
  avro_value_t field = Field(record, name, "writer");
  avro_value_set_int(&field, value);
}

void SetLong(avro_value_t& record, const char* name, int64_t value) {
  avro_value_t field = Field(record, name, "writer");
  avro_value_set_long(&field, value);
}

void SetString(avro_value_t& record, const char* name, const std::string& value) {
  avro_value_t field = Field(record, name, "writer");
  avro_value_set_string_len(&field, value.c_str(), value.size() + 1);
}

avro_value_t SetBranch(avro_value_t& record, const char* name) {
  avro_value_t field = Field(record, name, "writer");
  avro_value_t branch;
  if (avro_value_set_branch(&field, 1, &branch) != 0) {
    Fail("avro writer: field '{}' is not a [\"null\", T] union", name);
  }
  return branch;
}

void SetNull(avro_value_t& record, const char* name) {
  avro_value_t field = Field(record, name, "writer");
  avro_value_t branch;
  avro_value_set_branch(&field, 0, &branch);
  avro_value_set_null(&branch);
}

}  // namespace avro
}  // namespace ticklake::iceberg
