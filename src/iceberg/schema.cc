#include "iceberg/schema.h"

#include <bit>
#include <cstring>

#include "common/error.h"
#include "common/strings.h"

namespace ticklake::iceberg {
namespace {

constexpr std::pair<TypeId, std::string_view> kTypeNames[] = {
    {TypeId::kBoolean, "boolean"},     {TypeId::kInt, "int"},
    {TypeId::kLong, "long"},           {TypeId::kFloat, "float"},
    {TypeId::kDouble, "double"},       {TypeId::kDate, "date"},
    {TypeId::kTimestamp, "timestamp"}, {TypeId::kTimestampTz, "timestamptz"},
    {TypeId::kString, "string"},       {TypeId::kBinary, "binary"},
};

// Little-endian bytes of a fixed-width value (the spec's single-value serialization).
template <typename T>
std::string LittleEndian(T value) {
  static_assert(std::endian::native == std::endian::little, "big-endian hosts are not supported");
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

template <typename T>
T FromLittleEndian(TypeId type, std::string_view bytes) {
  if (bytes.size() != sizeof(T)) {
    Fail("iceberg: a {} bound must have {} bytes, not {}", TypeName(type), sizeof(T), bytes.size());
  }
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

std::string LiteralKind(const Literal& value) {
  static constexpr const char* kNames[] = {"null",  "bool",   "int32", "int64",
                                           "float", "double", "string"};
  return kNames[value.index()];
}

}  // namespace

std::string_view TypeName(TypeId type) {
  for (const auto& [id, name] : kTypeNames)
    if (id == type) return name;
  return "unknown";
}

std::optional<TypeId> ParseTypeName(std::string_view name) {
  for (const auto& [id, type_name] : kTypeNames)
    if (type_name == name) return id;
  return std::nullopt;
}

bool CanPromote(TypeId from, TypeId to) {
  return from == to || (from == TypeId::kInt && to == TypeId::kLong) ||
         (from == TypeId::kFloat && to == TypeId::kDouble);
}

const NestedField* Schema::FindByName(std::string_view name) const {
  for (const auto& field : fields)
    if (field.name == name) return &field;
  for (const auto& field : fields)
    if (EqualsIgnoreAsciiCase(field.name, name)) return &field;
  return nullptr;
}

const NestedField* Schema::FindById(int32_t id) const {
  for (const auto& field : fields)
    if (field.id == id) return &field;
  return nullptr;
}

int32_t Schema::HighestFieldId() const {
  int32_t highest = 0;
  for (const auto& field : fields) highest = std::max(highest, field.id);
  return highest;
}

std::string SerializeBound(TypeId type, const Literal& value) {
  auto mismatch = [&]() -> std::string {
    Fail("iceberg: a {} literal cannot be serialized as {}", LiteralKind(value), TypeName(type));
  };
  switch (type) {
    case TypeId::kBoolean:
      if (auto* b = std::get_if<bool>(&value)) return std::string(1, *b ? '\1' : '\0');
      return mismatch();
    case TypeId::kInt:
    case TypeId::kDate:
      if (auto* i = std::get_if<int32_t>(&value)) return LittleEndian(*i);
      return mismatch();
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      if (auto* l = std::get_if<int64_t>(&value)) return LittleEndian(*l);
      if (auto* i = std::get_if<int32_t>(&value)) return LittleEndian(int64_t{*i});
      return mismatch();
    case TypeId::kFloat:
      if (auto* f = std::get_if<float>(&value)) return LittleEndian(*f);
      return mismatch();
    case TypeId::kDouble:
      if (auto* d = std::get_if<double>(&value)) return LittleEndian(*d);
      if (auto* f = std::get_if<float>(&value)) return LittleEndian(double{*f});
      return mismatch();
    case TypeId::kString:
    case TypeId::kBinary:
      if (auto* s = std::get_if<std::string>(&value)) return *s;
      return mismatch();
  }
  return mismatch();
}

Literal DeserializeBound(TypeId type, std::string_view bytes) {
  switch (type) {
    case TypeId::kBoolean:
      return FromLittleEndian<uint8_t>(type, bytes) != 0;
    case TypeId::kInt:
    case TypeId::kDate:
      return FromLittleEndian<int32_t>(type, bytes);
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      // A bound written before an int -> long promotion still has 4 bytes (spec).
      if (bytes.size() == 4) return int64_t{FromLittleEndian<int32_t>(type, bytes)};
      return FromLittleEndian<int64_t>(type, bytes);
    case TypeId::kFloat:
      return FromLittleEndian<float>(type, bytes);
    case TypeId::kDouble:
      if (bytes.size() == 4) return double{FromLittleEndian<float>(type, bytes)};
      return FromLittleEndian<double>(type, bytes);
    case TypeId::kString:
    case TypeId::kBinary:
      return std::string(bytes);
  }
  Fail("iceberg: unknown type");
}

}  // namespace ticklake::iceberg
