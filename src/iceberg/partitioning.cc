#include "iceberg/partitioning.h"

#include <fmt/format.h>

#include <chrono>

#include "common/error.h"
#include "common/hive_path.h"
#include "common/strings.h"

namespace ticklake::iceberg {
namespace {

constexpr int64_t kMicrosPerHour = 3'600'000'000LL;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// Division rounding toward negative infinity: 1969-12-31T23:00 is hour -1 and day -1.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::chrono::year_month_day CivilOfDays(int64_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

bool IsTimeType(TypeId type) {
  return type == TypeId::kDate || type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string DateText(int64_t days) {
  auto ymd = CivilOfDays(days);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// The human form Java's Transform.toHumanString gives a partition value.
std::string HumanValue(Transform transform, TypeId source_type, const Literal& value) {
  if (std::holds_alternative<std::monostate>(value)) return "null";
  auto as_int = [&]() -> int64_t {
    if (auto* i = std::get_if<int32_t>(&value)) return *i;
    if (auto* l = std::get_if<int64_t>(&value)) return *l;
    Fail("iceberg: partition value of {} is not an integer", TransformName(transform));
  };
  switch (transform) {
    case Transform::kYear:
      return fmt::format("{:04}", 1970 + as_int());
    case Transform::kMonth: {
      int64_t m = as_int();
      return fmt::format("{:04}-{:02}", 1970 + FloorDiv(m, 12), m - FloorDiv(m, 12) * 12 + 1);
    }
    case Transform::kDay:
      return DateText(as_int());
    case Transform::kHour: {
      int64_t h = as_int();
      return fmt::format("{}-{:02}", DateText(FloorDiv(h, 24)), h - FloorDiv(h, 24) * 24);
    }
    case Transform::kIdentity:
      break;
  }
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, int32_t>) {
          return source_type == TypeId::kDate ? DateText(v) : std::to_string(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (source_type == TypeId::kTimestamp || source_type == TypeId::kTimestampTz) {
            int64_t days = FloorDiv(v, kMicrosPerDay);
            int64_t rem = v - days * kMicrosPerDay;
            return fmt::format("{}T{:02}:{:02}:{:02}.{:06}{}", DateText(days), rem / kMicrosPerHour,
                               rem / 60'000'000 % 60, rem / 1'000'000 % 60, rem % 1'000'000,
                               source_type == TypeId::kTimestampTz ? "Z" : "");
          }
          return std::to_string(v);
        } else {
          return fmt::format("{}", v);
        }
      },
      value);
}

}  // namespace

std::string_view TransformName(Transform transform) {
  switch (transform) {
    case Transform::kIdentity:
      return "identity";
    case Transform::kYear:
      return "year";
    case Transform::kMonth:
      return "month";
    case Transform::kDay:
      return "day";
    case Transform::kHour:
      return "hour";
  }
  return "identity";
}

Transform ParseTransform(std::string_view name) {
  std::string lower = AsciiLower(name);
  for (Transform t : {Transform::kIdentity, Transform::kYear, Transform::kMonth, Transform::kDay,
                      Transform::kHour}) {
    if (lower == TransformName(t)) return t;
  }
  // The spec's plural forms are accepted when reading partition specs written by others.
  if (lower == "years") return Transform::kYear;
  if (lower == "months") return Transform::kMonth;
  if (lower == "days") return Transform::kDay;
  if (lower == "hours") return Transform::kHour;
  Fail("iceberg: unsupported partition transform '{}' (identity, year, month, day, hour)", name);
}

Literal ApplyTransform(Transform transform, TypeId source_type, const Literal& value) {
  if (transform == Transform::kIdentity || std::holds_alternative<std::monostate>(value)) {
    return value;
  }
  int64_t micros;
  if (source_type == TypeId::kDate) {
    auto* days = std::get_if<int32_t>(&value);
    if (!days) Fail("iceberg: a date partition source must be an int32 day count");
    if (transform == Transform::kHour) Fail("iceberg: hour() does not apply to a date");
    micros = int64_t{*days} * kMicrosPerDay;
  } else if (source_type == TypeId::kTimestamp || source_type == TypeId::kTimestampTz) {
    auto* us = std::get_if<int64_t>(&value);
    if (!us) Fail("iceberg: a timestamp partition source must be int64 microseconds");
    micros = *us;
  } else {
    Fail("iceberg: {}() applies to date and timestamp columns, not {}", TransformName(transform),
         TypeName(source_type));
  }
  int64_t days = FloorDiv(micros, kMicrosPerDay);
  switch (transform) {
    case Transform::kHour:
      return static_cast<int32_t>(FloorDiv(micros, kMicrosPerHour));
    case Transform::kDay:
      return static_cast<int32_t>(days);
    case Transform::kMonth: {
      auto ymd = CivilOfDays(days);
      return static_cast<int32_t>((static_cast<int>(ymd.year()) - 1970) * 12 +
                                  static_cast<int>(static_cast<unsigned>(ymd.month())) - 1);
    }
    case Transform::kYear:
      return static_cast<int32_t>(static_cast<int>(CivilOfDays(days).year()) - 1970);
    case Transform::kIdentity:
      break;
  }
  return value;
}

TypeId TransformResultType(Transform transform, TypeId source_type) {
  switch (transform) {
    case Transform::kIdentity:
      return source_type;
    case Transform::kDay:
      return TypeId::kDate;
    default:
      return TypeId::kInt;
  }
}

std::string PartitionPath(const PartitionSpec& spec, const Schema& schema,
                          const std::vector<Literal>& values) {
  if (values.size() != spec.fields.size()) {
    Fail("iceberg: {} partition values for a spec of {} fields", values.size(), spec.fields.size());
  }
  std::string path;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    const PartitionField& field = spec.fields[i];
    const NestedField* source = schema.FindById(field.source_id);
    TypeId source_type = source ? source->type : TypeId::kString;
    if (!path.empty()) path += '/';
    path += EscapeHivePathComponent(field.name);
    path += '=';
    path += EscapeHivePathComponent(HumanValue(field.transform, source_type, values[i]));
  }
  return path;
}

std::vector<PartitionRequest> ParseIcebergPartitionBy(std::string_view text) {
  std::vector<PartitionRequest> requests;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) {
      if (text.empty()) break;
      Fail("--partition-by '{}': empty item", text);
    }
    PartitionRequest request;
    std::string expr = item;
    if (size_t eq = item.find('='); eq != std::string::npos) {
      request.name = Trim(std::string_view(item).substr(0, eq));
      expr = Trim(std::string_view(item).substr(eq + 1));
      if (request.name.empty()) Fail("--partition-by item '{}': empty partition name", item);
    }
    if (size_t open = expr.find('('); open != std::string::npos) {
      if (expr.back() != ')') Fail("--partition-by item '{}': expected UNIT(FIELD)", item);
      try {
        request.transform = ParseTransform(Trim(std::string_view(expr).substr(0, open)));
      } catch (const Error& e) {
        Fail("--partition-by item '{}': {}", item, e.what());
      }
      request.source = Trim(std::string_view(expr).substr(open + 1, expr.size() - open - 2));
    } else {
      request.source = expr;
    }
    if (request.source.empty()) Fail("--partition-by item '{}': no field", item);
    if (request.source.find_first_of("() =") != std::string::npos) {
      Fail("--partition-by item '{}': bad field name '{}'", item, request.source);
    }
    if (request.source == "kafka") request.source = "kafka_timestamp";
    requests.push_back(std::move(request));
  }
  return requests;
}

PartitionSpec BindPartitionSpec(const std::vector<PartitionRequest>& requests, const Schema& schema,
                                int32_t spec_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int32_t next_id = 1000;
  for (const auto& request : requests) {
    const NestedField* source = schema.FindByName(request.source);
    if (!source) Fail("partition by '{}': the schema has no such field", request.source);
    if (request.transform != Transform::kIdentity && !IsTimeType(source->type)) {
      Fail("partition by {}({}): the field is {}, not a date or timestamp",
           TransformName(request.transform), source->name, TypeName(source->type));
    }
    if (request.transform == Transform::kHour && source->type == TypeId::kDate) {
      Fail("partition by hour({}): the field is a date", source->name);
    }
    PartitionField field;
    field.source_id = source->id;
    field.field_id = next_id++;
    field.transform = request.transform;
    field.name = !request.name.empty() ? request.name
                 : request.transform == Transform::kIdentity
                     ? source->name
                     : fmt::format("{}_{}", source->name, TransformName(request.transform));
    for (const auto& other : spec.fields) {
      if (other.name == field.name)
        Fail("partition by: two partition fields named '{}'", field.name);
    }
    spec.fields.push_back(std::move(field));
  }
  return spec;
}

}  // namespace ticklake::iceberg
