#include "market/csv_reader.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake::market {
namespace {

struct Parsed {
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;      // well-formed
  std::vector<std::string> errors;  // "line N: reason"
};

Parsed Parse(std::string_view text) {
  CsvReader reader(text, "t.csv");
  Parsed p{reader.header(), {}, {}};
  CsvRecord r;
  while (reader.Next(r)) {
    if (r.ok()) {
      p.rows.push_back(r);
    } else {
      p.errors.push_back("line " + std::to_string(r.line) + ": " + r.error);
    }
  }
  return p;
}

std::string Json(std::string_view text) {
  CsvReader reader(text, "t.csv");
  std::string out;
  CsvRecord r;
  while (reader.Next(r)) {
    if (!r.ok()) {
      out += "ERR(" + std::to_string(r.line) + ":" + r.error + ")\n";
      continue;
    }
    AppendRecordJson(out, reader.header(), r.fields);
    out += "\n";
  }
  return out;
}

TEST(CsvReader, QuotesEmbeddedCommasQuotesAndNewlines) {
  auto p = Parse("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,2,3\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].fields[0].value, "x,y");
  EXPECT_EQ(p.rows[0].fields[1].value, "say \"hi\"");
  EXPECT_EQ(p.rows[0].fields[2].value, "two\nlines");
  EXPECT_EQ(p.rows[0].line, 2);
  EXPECT_EQ(p.rows[1].line, 4);  // the record after a quoted newline starts on line 4
  EXPECT_TRUE(p.errors.empty());
}

TEST(CsvReader, CrlfBomBlankLinesAndMissingFinalNewline) {
  auto p = Parse("\xEF\xBB\xBFIndex,Close\r\nNYA,1.5\r\n\r\n\"HSI\",2\r\nN225,3");
  EXPECT_EQ(p.header, (std::vector<std::string>{"Index", "Close"}));  // no BOM in the name
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0].fields[1].value, "1.5");  // no stray \r
  EXPECT_EQ(p.rows[1].fields[0].value, "HSI");
  EXPECT_EQ(p.rows[1].line, 4);
  EXPECT_EQ(p.rows[2].fields[1].value, "3");
}

TEST(CsvReader, TypesNumbersStringsAndNulls) {
  EXPECT_EQ(Json("a,b,c,d,e,f,g,h,i,j,k,l\n"
                 "42,-0.5,1e5,007,NaN,,\"\",\"42\",+5,.5,true,1.5E-3\n"),
            "{\"a\":42,\"b\":-0.5,\"c\":1e5,\"d\":\"007\",\"e\":\"NaN\",\"f\":null,\"g\":\"\","
            "\"h\":\"42\",\"i\":\"+5\",\"j\":\".5\",\"k\":\"true\",\"l\":1.5E-3}\n");
  EXPECT_TRUE(IsJsonNumber("0"));
  EXPECT_TRUE(IsJsonNumber("-0.0e+10"));
  for (const char* s : {"", "-", "01", "1.", "1e", "1e+", "0x10", "inf", " 1", "1 "}) {
    EXPECT_FALSE(IsJsonNumber(s)) << s;
  }
}

TEST(CsvReader, KeepsColumnNamesAndEscapesJson) {
  EXPECT_EQ(Json("Adj Close,\"we\"\"ird\"\n\"tab\there\",\"back\\slash\"\n"),
            "{\"Adj Close\":\"tab\\there\",\"we\\\"ird\":\"back\\\\slash\"}\n");
}

TEST(CsvReader, VeryLongLines) {
  std::string big(5'000'000, 'x');
  auto p = Parse("a,b\n" + big + ",\"" + big + "\"\n1,2\n");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].fields[0].value.size(), big.size());
  EXPECT_EQ(p.rows[0].fields[1].value.size(), big.size());
}

TEST(CsvReader, MalformedRowsAreReportedWithLineNumbersAndSkipped) {
  auto p = Parse(
      "a,b,c\n"
      "1,2,3\n"
      "1,2\n"           // line 3: too few
      "1,2,3,4\n"       // line 4: too many
      "\"x\"y,2,3\n"    // line 5: text after closing quote
      "\xff\xfe,2,3\n"  // line 6: invalid UTF-8
      "\xC0\xAF,2,3\n"  // line 7: overlong encoding
      "é,2,3\n"         // line 8: valid UTF-8
      "\"open,2,3\n"    // line 9: unterminated quote (to end of file)
      "4,5,6\n");       // line 10: still delivered
  EXPECT_EQ(p.errors, (std::vector<std::string>{
                          "line 3: expected 3 fields, got 2",
                          "line 4: expected 3 fields, got 4",
                          "line 5: unexpected character after closing quote in field 1",
                          "line 6: invalid UTF-8",
                          "line 7: invalid UTF-8",
                          "line 9: unterminated quoted field",
                      }));
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_EQ(p.rows[0].line, 2);
  EXPECT_EQ(p.rows[1].line, 8);
  EXPECT_EQ(p.rows[2].line, 10);
  EXPECT_EQ(p.rows[2].fields[0].value, "4");
}

TEST(CsvReader, QuotedNewlineThenWrongCountReportsTheStartLine) {
  auto p = Parse("a,b\n\"multi\nline\"\n1,2\n");
  EXPECT_EQ(p.errors, (std::vector<std::string>{"line 2: expected 2 fields, got 1"}));
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].line, 4);
}

TEST(CsvReader, BadHeaderThrows) {
  EXPECT_THROW(CsvReader("", "t.csv"), Error);
  EXPECT_THROW(CsvReader("\"a,b\n", "t.csv"), Error);
  EXPECT_THROW(CsvReader("\xff,b\n", "t.csv"), Error);
}

TEST(CsvReader, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC \xF0\x9F\x93\x88"));  // € and 📈
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));                  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));              // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));                      // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));                          // lone continuation
}

TEST(CsvReader, RandomInputNeverCrashesAndAlwaysAdvances) {
  // Inputs made of the characters that matter to the parser, plus invalid UTF-8 bytes.
  const char alphabet[] = {'a', '1', ',', '"', '\n', '\r', ' ', '\xff', '\xc3', '\xa9'};
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text = "h1,h2\n";
    size_t length = next() % 64;
    for (size_t i = 0; i < length; ++i) text += alphabet[next() % sizeof(alphabet)];
    CsvReader reader(text, "fuzz.csv");
    CsvRecord record;
    int64_t last_line = 1;
    size_t records = 0;
    while (reader.Next(record)) {
      ASSERT_GT(record.line, last_line) << "no progress on input: " << text;
      last_line = record.line;
      ASSERT_LE(++records, text.size()) << text;
      if (record.ok()) {
        ASSERT_EQ(record.fields.size(), 2u);
      }
    }
  }
}

}  // namespace
}  // namespace ticklake::market
