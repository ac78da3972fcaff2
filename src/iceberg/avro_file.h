// Avro object container files in memory, through Avro C (libavro 1.11): the format of Iceberg
// manifests and manifest lists. AvroWriter appends records of one schema and returns the file's
// bytes; AvroReader iterates over the records of a file. Field access goes through avro_value_t
// with the helpers below, which throw Error naming the file and the field.
//
// Iceberg needs two things Avro C does not do by itself: the schema stored in the file must keep
// Iceberg's "field-id" attributes (Avro C re-serializes a parsed schema without them), and the
// header carries Iceberg's own metadata keys (schema, partition-spec, format-version, ...), which
// Avro C's writer has no API for. So the writer replaces the header's metadata map — encoded with
// Avro C's map encoder, not by hand — with the caller's schema text and keys; the data blocks and
// the sync marker stay as Avro C wrote them.
// Not thread-safe: one writer or reader per thread.
#pragma once

#include <avro.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ticklake::iceberg {

class AvroWriter {
 public:
  // `schema_json` must be an Avro record schema; it is stored in the file as given.
  AvroWriter(std::string schema_json, std::map<std::string, std::string> metadata,
             std::string where);
  AvroWriter(const AvroWriter&) = delete;
  AvroWriter& operator=(const AvroWriter&) = delete;
  ~AvroWriter();

  // A cleared record to fill in, then Append() it.
  avro_value_t& NewRecord();
  void Append();
  // Closes the container and returns the file's bytes (call once).
  std::string Finish();

 private:
  void Close();

  std::string schema_json_;
  std::map<std::string, std::string> metadata_;
  std::string where_;
  avro_schema_t schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t record_{};
  bool have_record_ = false;
  char* buffer_ = nullptr;  // open_memstream's buffer
  size_t size_ = 0;
  FILE* file_ = nullptr;
  avro_file_writer_t writer_ = nullptr;
};

class AvroReader {
 public:
  // Throws Error naming `where` when the bytes are not an Avro container file.
  AvroReader(std::string bytes, std::string where);
  AvroReader(const AvroReader&) = delete;
  AvroReader& operator=(const AvroReader&) = delete;
  ~AvroReader();

  // The next record, or nullptr at the end. Valid until the next call.
  avro_value_t* Next();
  // The header's metadata keys (avro.schema, avro.codec, and the writer's own).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& where() const { return where_; }

 private:
  void Close();

  std::string bytes_;
  std::string where_;
  std::map<std::string, std::string> metadata_;
  FILE* file_ = nullptr;
  avro_file_reader_t reader_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t record_{};
  bool have_record_ = false;
};

// Reads the metadata map of an Avro container file's header.
std::map<std::string, std::string> ReadAvroMetadata(std::string_view bytes,
                                                    const std::string& where);

// Field access. Each throws Error("<where>: <field>: ...") on a missing field or a wrong type.
namespace avro {
avro_value_t Field(const avro_value_t& record, const char* name, const std::string& where);
// For ["null", T] unions (and plain T): nullopt when null or when the record has no such field.
std::optional<avro_value_t> Optional(const avro_value_t& record, const char* name,
                                     const std::string& where);
int32_t Int(avro_value_t value, const std::string& where);
int64_t Long(avro_value_t value, const std::string& where);
bool Bool(avro_value_t value, const std::string& where);
std::string Bytes(avro_value_t value, const std::string& where);  // string or bytes

void SetInt(avro_value_t& record, const char* name, int32_t value);
void SetLong(avro_value_t& record, const char* name, int64_t value);
void SetString(avro_value_t& record, const char* name, const std::string& value);
// Selects the non-null branch of a ["null", T] union field and returns it.
avro_value_t SetBranch(avro_value_t& record, const char* name);
void SetNull(avro_value_t& record, const char* name);
}  // namespace avro

}  // namespace ticklake::iceberg
