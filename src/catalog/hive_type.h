// HiveType: a column type as the Glue Data Catalog and Athena spell it (int, bigint, double,
// string, date, timestamp, array<T>, struct<name:T,...>, map<K,V>, decimal(p,s) ...). The
// catalog stores these strings; the crawler infers them (from JSON values, or from DuckDB's types
// for Parquet and CSV) and widens them across files; the query engine turns them back into DuckDB
// types when it builds a table's view.
//
// Widening (Widen) is the crawler's rule for merging two files' types for one column:
//   null + T -> T; tinyint < smallint < int < bigint < double (float/decimal join as double);
//   date + timestamp -> timestamp; struct + struct -> union of fields, each widened;
//   array<A> + array<B> -> array<Widen(A,B)>; anything else mixed -> string.
// It is commutative and associative, so the order files are read in does not change a schema.
//
// Thread-safety: values; all functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ticklake::catalog {

struct HiveType {
  enum class Kind {
    kNull,  // only JSON nulls seen so far; becomes string in a finished schema
    kBoolean,
    kTinyInt,
    kSmallInt,
    kInt,
    kBigInt,
    kFloat,
    kDouble,
    kDecimal,
    kString,
    kDate,
    kTimestamp,
    kBinary,
    kArray,   // children[0] is the element type
    kMap,     // children[0] key, children[1] value
    kStruct,  // children are the fields, in order
  };

  Kind kind = Kind::kNull;
  int precision = 0, scale = 0;  // kDecimal
  std::vector<std::pair<std::string, HiveType>> children;

  static HiveType Of(Kind kind) {
    HiveType t;
    t.kind = kind;
    return t;
  }
  bool operator==(const HiveType& other) const;

  // "struct<a:int,b:array<string>>"; kNull prints as "void" (Hive's type of NULL), so a file
  // whose column held only nulls does not force string onto the table: see Finished().
  std::string ToHive() const;
  // The DuckDB type for casts and read_json columns: STRUCT("a" INTEGER, ...), VARCHAR[], ...
  std::string ToDuckDB() const;
};

// Parses a Hive/Glue type string; throws Error naming the text on a malformed one.
HiveType ParseHiveType(std::string_view text);
// Parses a DuckDB type as DESCRIBE prints it (BIGINT, STRUCT(a BIGINT, "b c" VARCHAR[]),
// MAP(VARCHAR, INTEGER), DECIMAL(18,3), TIMESTAMP WITH TIME ZONE ...) into the Hive type that
// represents it; types Hive lacks (TIME, UUID, INTERVAL, ENUM, UNION, JSON) become string.
HiveType FromDuckDBType(std::string_view text);

HiveType Widen(const HiveType& a, const HiveType& b);
// The type a table column gets: kNull (only nulls seen, anywhere inside) becomes string.
HiveType Finished(const HiveType& type);
// Convenience over type strings: Widen(ParseHiveType(a), ParseHiveType(b)).ToHive().
std::string WidenTypes(std::string_view a, std::string_view b);

// True for "YYYY-MM-DD" and for ISO-8601 timestamps "YYYY-MM-DD[T ]HH:MM[:SS[.f+]][Z|±HH[:MM]]",
// the string shapes the crawler types as date and timestamp.
bool LooksLikeDate(std::string_view s);
bool LooksLikeTimestamp(std::string_view s);

}  // namespace ticklake::catalog
