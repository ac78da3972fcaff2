// S3Store against a real S3 API server that checks SigV4 signatures (@20minutes/s3rver), with
// awscli as an independent client, and the sink landing a topic in an s3:// lake.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/duckdb.h"
#include "common/error.h"
#include "common/file_util.h"
#include "store/s3_store.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {
namespace fs = std::filesystem;

class S3Test : public ::testing::Test {
 protected:
  S3Options Options(std::string secret = "S3RVER") {
    S3Options options;
    options.aws.access_key_id = "S3RVER";
    options.aws.secret_access_key = std::move(secret);
    options.aws.endpoint = server_.endpoint();
    options.part_size = 5 << 20;
    options.max_attempts = 3;
    return options;
  }
  std::unique_ptr<ObjectStore> Store(std::string uri = "s3://lake/prefix",
                                     std::string secret = "S3RVER") {
    return std::make_unique<S3Store>(uri, Options(std::move(secret)));
  }

  TempDir dir_{"ticklake-s3-test"};
  S3ServerProcess server_{dir_.path(), {"lake"}};
};

TEST_F(S3Test, RoundTripsSmallAndMultipartObjects) {
  auto store = Store();
  store->Put("small.txt", "hello s3");
  EXPECT_EQ(store->Get("small.txt"), "hello s3");
  EXPECT_EQ(store->GetRange("small.txt", 6, 2), "s3");
  auto info = store->Head("small.txt");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 8u);
  EXPECT_FALSE(info->etag.empty());
  EXPECT_GT(info->modified_ms, 0);

  std::string big(21 << 20, '\0');
  std::mt19937_64 random(7);
  for (auto& c : big) c = static_cast<char>(random());
  fs::path src = dir_.path() / "big.bin";
  WriteFileAtomically(src, big);
  store->PutFile("big/file.bin", src);  // 5 parts of 5 MiB
  fs::path dst = dir_.path() / "big.out";
  store->GetToFile("big/file.bin", dst);
  EXPECT_EQ(ReadWholeFile(dst), big);
  EXPECT_EQ(store->Head("big/file.bin")->size, big.size());
  store->Put("big/mem.bin", big);  // multipart from memory
  EXPECT_EQ(store->Get("big/mem.bin"), big);
}

TEST_F(S3Test, ListsAcrossPagesWithPrefixAndDelimiter) {
  auto store = Store();
  for (int i = 0; i < 1100; ++i)
    store->Put("t/index=" + std::to_string(i % 3) + "/f" + std::to_string(i), "x");
  store->Put("t/top", "x");
  store->Put("other", "x");
  EXPECT_EQ(store->List("t/").objects.size(), 1101u);
  auto rolled = store->List("t/", "/");
  EXPECT_EQ(rolled.common_prefixes,
            (std::vector<std::string>{"t/index=0/", "t/index=1/", "t/index=2/"}));
  ASSERT_EQ(rolled.objects.size(), 1u);
  EXPECT_EQ(rolled.objects[0].key, "t/top");
}

TEST_F(S3Test, KeysWithSpecialCharacters) {
  auto store = Store();
  // No apostrophe or ampersand: s3rver escapes XML twice in listings ("&amp;#x27;"; awscli
  // sees the same), which real S3 does not.
  std::vector<std::string> keys = {"t/name=a b/x.json", "t/eq=1+2%3D3/y", "t/ünïcödé=東京/z",
                                   "t/q=(ok)~$@,;!/w"};
  for (const auto& key : keys) store->Put(key, key);
  for (const auto& key : keys) EXPECT_EQ(store->Get(key), key) << key;
  std::vector<std::string> listed;
  for (auto& o : store->List("t/").objects) listed.push_back(o.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(listed, keys);
  store->Move(keys[0], "t/moved here");
  EXPECT_FALSE(store->Head(keys[0]));
  EXPECT_EQ(store->Get("t/moved here"), keys[0]);
  store->Delete("t/moved here");
  EXPECT_FALSE(store->Head("t/moved here"));
}

TEST_F(S3Test, ClearErrors) {
  std::string wrong = ErrorMessageOf([&] { Store("s3://lake/p", "not-the-secret")->Put("k", "v"); });
  EXPECT_NE(wrong.find("PUT s3://lake/p/k: 403 SignatureDoesNotMatch"), std::string::npos) << wrong;
  EXPECT_EQ(wrong.find("not-the-secret"), std::string::npos) << wrong;
  std::string missing = ErrorMessageOf([&] { Store("s3://no-such-bucket")->Put("k", "v"); });
  EXPECT_NE(missing.find("404 NoSuchBucket"), std::string::npos) << missing;
  std::string nokey = ErrorMessageOf([&] { Store()->Get("absent"); });
  EXPECT_NE(nokey.find("GET s3://lake/prefix/absent: 404 NoSuchKey"), std::string::npos) << nokey;
  S3Options down = Options();
  down.aws.endpoint = "http://127.0.0.1:1";
  std::string refused = ErrorMessageOf([&] { S3Store("s3://lake", down).Get("k"); });
  EXPECT_NE(refused.find("gave up after 3 attempts"), std::string::npos) << refused;
}

TEST_F(S3Test, AwsCliReadsWhatWeWriteAndWeReadWhatItWrites) {
  auto store = Store("s3://lake");
  store->Put("from-us/a=1/data.json", "{\"x\":1}\n");
  std::vector<std::string> env = server_.Env();
  auto cat = RunCommand({"/usr/bin/aws", "--endpoint-url", server_.endpoint(), "s3", "cp",
                         "s3://lake/from-us/a=1/data.json", "-"},
                        std::chrono::seconds(60), env);
  ASSERT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "{\"x\":1}\n");
  fs::path file = dir_.path() / "cli.txt";
  WriteFileAtomically(file, "written by awscli");
  auto put = RunCommand({"/usr/bin/aws", "--endpoint-url", server_.endpoint(), "s3", "cp",
                         file.string(), "s3://lake/from-cli/x y.txt"},
                        std::chrono::seconds(60), env);
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(store->Get("from-cli/x y.txt"), "written by awscli");
}

TEST_F(S3Test, SinkLandsATopicInAnS3Lake) {
  BrokerProcess broker(dir_.path());
  fs::path messages = dir_.path() / "m.txt";
  {
    std::ofstream out(messages);
    for (int i = 0; i < 3000; ++i)
      out << (i % 2 ? "HSI" : "N225") << "\t{\"Index\":\"" << (i % 2 ? "HSI" : "N225")
          << "\",\"seq\":" << i << "}\n";
    out << "HSI\tnot json\n";
  }
  auto produced = RunCommand({"kcat", "-b", broker.bootstrap(), "-P", "-t", "stock_market", "-K",
                              "\t", "-l", messages.string()});
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto sink = RunCommand({TicklakeBinary(), "sink", "-b", broker.bootstrap(), "--lake",
                          "s3://lake/warehouse", "-e", "--flush-records", "1000", "--json"},
                         std::chrono::seconds(120), server_.Env());
  ASSERT_EQ(sink.exit_code, 0) << sink.err;
  EXPECT_NE(sink.out.find("\"records_written\":3000"), std::string::npos) << sink.out;

  auto store = Store("s3://lake/warehouse");
  fs::path local = dir_.path() / "download";
  int files = 0;
  for (const auto& object : store->List("stock_market/").objects) {
    fs::path target = local / object.key;
    fs::create_directories(target.parent_path());
    store->GetToFile(object.key, target);
    ++files;
  }
  EXPECT_GE(files, 2);
  EXPECT_TRUE(store->List("_ticklake/staging/").objects.empty());
  EXPECT_EQ(store->List("_errors/").objects.size(), 1u);
  duck::Database db;
  duck::Connection conn(db);
  auto r =
      conn.Query("SELECT count(*), count(DISTINCT seq) FROM read_parquet(" +
                 duck::QuoteLiteral((local / "stock_market" / "*" / "*.parquet").string()) + ")");
  EXPECT_EQ(r.GetInt64(0, 0), 3000);
  EXPECT_EQ(r.GetInt64(1, 0), 3000);
}

}  // namespace
}  // namespace ticklake::test
