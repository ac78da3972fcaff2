#include "market/csv_source.h"

#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "common/file_util.h"

namespace ticklake::market {
namespace {

class CsvSourceTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    auto path = dir_.path() / ("f" + std::to_string(files_++) + ".csv");
    WriteFileAtomically(path, text);
    return path.string();
  }
  CsvSourceOptions Options(const std::string& text, ReplayOrder order = ReplayOrder::kFile) {
    CsvSourceOptions o;
    o.path = Write(text);
    o.order = order;
    o.seed = 5;
    o.report = [this](const std::string& line) { reports_.push_back(line); };
    return o;
  }
  TempDir dir_{"csv-source-test"};
  int files_ = 0;
  std::vector<std::string> reports_;
};

const char kIndexCsv[] =
    "Index,Date,Open,High,Low,Close,Adj Close,Volume,CloseUSD\n"
    "HSI,1986-12-31,2568.300049,2568.300049,2568.300049,2568.300049,2568.300049,0,333.87900637\n"
    "NYA,1965-12-31,528.690002,528.690002,528.690002,528.690002,528.690002,0,528.690002\n"
    "NYA,1966-01-03,527.210022,527.210022,527.210022,527.210022,527.210022,,527.210022\n";

TEST_F(CsvSourceTest, FileOrderKeysByIndexAndKeepsTypes) {
  CsvSource source(Options(kIndexCsv));
  EXPECT_EQ(source.key_index(), 0);
  const CsvRow* row = source.Next();
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->key, "HSI");
  EXPECT_EQ(row->json,
            "{\"Index\":\"HSI\",\"Date\":\"1986-12-31\",\"Open\":2568.300049,\"High\":2568.300049,"
            "\"Low\":2568.300049,\"Close\":2568.300049,\"Adj Close\":2568.300049,\"Volume\":0,"
            "\"CloseUSD\":333.87900637}");
  EXPECT_EQ(source.Next()->key, "NYA");
  EXPECT_NE(source.Next()->json.find("\"Volume\":null"), std::string::npos);
  EXPECT_EQ(source.Next(), nullptr);  // no loop: done
}

TEST_F(CsvSourceTest, LoopStartsAgain) {
  auto o = Options(kIndexCsv);
  o.loop = true;
  CsvSource source(o);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(source.Next()->key);
  EXPECT_EQ(keys, (std::vector<std::string>{"HSI", "NYA", "NYA", "HSI", "NYA", "NYA", "HSI"}));
}

TEST_F(CsvSourceTest, RandomOrderSamplesWithReplacementReproducibly) {
  std::string csv = "k,v\n";
  for (int i = 0; i < 10; ++i) csv += "k" + std::to_string(i) + "," + std::to_string(i) + "\n";
  auto o = Options(csv, ReplayOrder::kRandom);
  o.key_column = "k";
  CsvSource a(o), b(o);
  std::map<std::string, int> counts;
  for (int i = 0; i < 20000; ++i) {
    const CsvRow* row = a.Next();
    ASSERT_NE(row, nullptr);             // never exhausted
    ASSERT_EQ(row->key, b.Next()->key);  // same seed, same sample
    ++counts[row->key];
  }
  ASSERT_EQ(counts.size(), 10u);
  for (auto& [k, n] : counts) EXPECT_NEAR(n, 2000, 200) << k;
}

TEST_F(CsvSourceTest, TimeOrderSortsAndGivesOffsets) {
  auto o = Options(
      "ts,v\n"
      "2026-01-01T00:00:02Z,c\n"
      "2026-01-01T00:00:00.5Z,a\n"
      "2026-01-01 00:00:01+00:00,b\n"
      "yesterday,bad\n",
      ReplayOrder::kTime);
  o.loop = true;
  CsvSource source(o);
  EXPECT_EQ(source.key_index(), -1);  // no Index column: no key
  std::vector<std::pair<std::string, int64_t>> got;
  for (int i = 0; i < 4; ++i) {
    int64_t due = -1;
    const CsvRow* row = source.Next(&due);
    EXPECT_FALSE(row->has_key);
    got.emplace_back(row->json.substr(row->json.size() - 3, 1), due);
  }
  // Sorted by time; the second pass starts one average spacing (0.75 s) after the last row.
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int64_t>>{
                     {"a", 0}, {"b", 500000}, {"c", 1500000}, {"a", 2250000}}));
  EXPECT_EQ(source.malformed_rows(), 1);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_NE(reports_[0].find("line 5: cannot parse time 'yesterday' in column 'ts'"),
            std::string::npos)
      << reports_[0];
}

TEST_F(CsvSourceTest, MalformedRowsReportedAndSkippedOrFatalWhenStrict) {
  std::string csv = "Index,Close\nNYA,1\nNYA\nHSI,\"2\nIXIC,3\n";
  CsvSource source(Options(csv));
  EXPECT_EQ(source.row_count(), 2u);
  EXPECT_EQ(source.malformed_rows(), 2);
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_NE(reports_[0].find("line 3: expected 2 fields, got 1"), std::string::npos);
  EXPECT_NE(reports_[1].find("line 4: unterminated quoted field"), std::string::npos);
  auto strict = Options(csv);
  strict.strict = true;
  try {
    CsvSource s(strict);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3: expected 2 fields, got 1"), std::string::npos);
  }
}

TEST_F(CsvSourceTest, MissingColumnsAndFilesAreErrors) {
  auto o = Options("a,b\n1,2\n");
  o.key_column = "nope";
  EXPECT_THROW(CsvSource{o}, Error);
  EXPECT_THROW(CsvSource{Options("a,b\n1,2\n", ReplayOrder::kTime)}, Error);  // no time column
  auto missing = Options("a\n");
  missing.path = (dir_.path() / "missing.csv").string();
  EXPECT_THROW(CsvSource{missing}, Error);
}

TEST(ParseTimeMicros, Formats) {
  EXPECT_EQ(ParseTimeMicros("1970-01-01"), 0);
  EXPECT_EQ(ParseTimeMicros("2026-11-27T15:07:00.123456Z"), 1795792020123456);
  EXPECT_EQ(ParseTimeMicros("2026-11-27 16:07:00.123456+01:00"), 1795792020123456);
  EXPECT_EQ(ParseTimeMicros("2026-11-27T15:07"), 1795792020000000);
  EXPECT_EQ(ParseTimeMicros("1795792020"), 1795792020000000);        // seconds
  EXPECT_EQ(ParseTimeMicros("1795792020123"), 1795792020123000);     // milliseconds
  EXPECT_EQ(ParseTimeMicros("1795792020123456"), 1795792020123456);  // microseconds
  for (const char* bad : {"", "2026-13-01", "2026-1-1", "2026/11/27", "2026-11-27T25:00", "noon"}) {
    EXPECT_FALSE(ParseTimeMicros(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace ticklake::market
