// The ObjectStore contract, checked against every implementation.
#include "store/object_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "common/error.h"
#include "common/file_util.h"
#include "store/local_store.h"
#include "store/memory_store.h"

namespace ticklake {
namespace {

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<ObjectStore>(const std::filesystem::path&)> make;
};

void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

class ObjectStoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(dir_.path() / "lake"); }
  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreContract, PutGetHeadDelete) {
  store_->Put("t/index=HSI/a.parquet", "hello");
  EXPECT_EQ(store_->Get("t/index=HSI/a.parquet"), "hello");
  EXPECT_EQ(store_->GetRange("t/index=HSI/a.parquet", 1, 3), "ell");
  EXPECT_EQ(store_->GetRange("t/index=HSI/a.parquet", 3, 100), "lo");
  auto info = store_->Head("t/index=HSI/a.parquet");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 5u);
  EXPECT_FALSE(info->etag.empty());
  EXPECT_FALSE(store_->Head("t/missing"));
  store_->Delete("t/index=HSI/a.parquet");
  EXPECT_FALSE(store_->Head("t/index=HSI/a.parquet"));
  store_->Delete("t/index=HSI/a.parquet");  // deleting a missing object is fine
  EXPECT_THROW(store_->Get("t/index=HSI/a.parquet"), Error);
}

TEST_P(ObjectStoreContract, OverwriteChangesEtag) {
  store_->Put("k", "one");
  auto first = store_->Head("k");
  store_->Put("k", "three");
  auto second = store_->Head("k");
  EXPECT_EQ(store_->Get("k"), "three");
  EXPECT_NE(first->etag, second->etag);
}

TEST_P(ObjectStoreContract, ListsSortedWithPrefixAndDelimiter) {
  for (std::string key :
       {"t/index=N225/b", "t/index=HSI/a", "t/index=HSI/c", "u/x", "t/top", "_ticklake/s"}) {
    store_->Put(key, key);
  }
  auto all = store_->List("t/");
  std::vector<std::string> keys;
  for (auto& o : all.objects) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"t/index=HSI/a", "t/index=HSI/c", "t/index=N225/b",
                                            "t/top"}));

  auto rolled = store_->List("t/", "/");
  ASSERT_EQ(rolled.objects.size(), 1u);
  EXPECT_EQ(rolled.objects[0].key, "t/top");
  EXPECT_EQ(rolled.common_prefixes, (std::vector<std::string>{"t/index=HSI/", "t/index=N225/"}));

  auto root = store_->List("", "/");
  EXPECT_EQ(root.common_prefixes, (std::vector<std::string>{"_ticklake/", "t/", "u/"}));
  EXPECT_EQ(store_->List("t/index=H").objects.size(), 2u);
  EXPECT_TRUE(store_->List("nothing/").objects.empty());
}

TEST_P(ObjectStoreContract, KeysWithSpecialCharacters) {
  std::string key = "t/name=a b+c%3D=é/part 1.json";
  store_->Put(key, "x");
  EXPECT_EQ(store_->Get(key), "x");
  ASSERT_EQ(store_->List("t/").objects.size(), 1u);
  EXPECT_EQ(store_->List("t/").objects[0].key, key);
}

TEST_P(ObjectStoreContract, RefusesUnsafeKeys) {
  for (std::string key : std::vector<std::string>{"", "/etc/passwd", "a/../../etc", "a//b", "./a",
                                                  std::string("a\0b", 3), "a\nb"}) {
    EXPECT_THROW(store_->Put(key, "x"), Error) << key;
  }
}

TEST_P(ObjectStoreContract, MoveReplacesTarget) {
  store_->Put("staging/1/a", "new");
  store_->Put("final/a", "old");
  store_->Move("staging/1/a", "final/a");
  EXPECT_EQ(store_->Get("final/a"), "new");
  EXPECT_FALSE(store_->Head("staging/1/a"));
  EXPECT_TRUE(store_->List("staging/").objects.empty());
}

TEST_P(ObjectStoreContract, FileTransfers) {
  auto src = dir_.path() / "src.bin";
  std::string data(3 << 20, 'z');
  WriteFileAtomically(src, data);
  store_->PutFile("big/file.bin", src);
  auto dst = dir_.path() / "dst.bin";
  store_->GetToFile("big/file.bin", dst);
  EXPECT_EQ(ReadWholeFile(dst), data);
}

TEST_P(ObjectStoreContract, MoveFilesInConsumesTheFiles) {
  auto a = dir_.path() / "a.bin", b = dir_.path() / "b.bin";
  WriteFileAtomically(a, "alpha");
  WriteFileAtomically(b, "beta");
  store_->MoveFilesIn({{"x/a.bin", a}, {"y/z/b.bin", b}});
  EXPECT_EQ(store_->Get("x/a.bin"), "alpha");
  EXPECT_EQ(store_->Get("y/z/b.bin"), "beta");
  EXPECT_FALSE(std::filesystem::exists(a));
  EXPECT_FALSE(std::filesystem::exists(b));
  // A failure names the object and still consumes every file.
  auto c = dir_.path() / "c.bin";
  WriteFileAtomically(c, "gamma");
  EXPECT_THROW(
      store_->MoveFilesIn({{"m/missing.bin", dir_.path() / "missing.bin"}, {"m/c.bin", c}}), Error);
  EXPECT_FALSE(std::filesystem::exists(c));
}

TEST_P(ObjectStoreContract, BatchCallsLandFewAndManyObjectsInNewFolders) {
  // LocalStore makes a few objects durable one by one and many with one file-system sync.
  for (int count : {1, 200}) {
    std::vector<ObjectStore::FileUpload> puts, moves_in;
    std::vector<ObjectStore::ObjectMove> moves;
    for (int i = 0; i < count; ++i) {
      auto file = dir_.path() / fmt::format("p{}-{}", count, i);
      WriteFileAtomically(file, std::to_string(i));
      puts.emplace_back(fmt::format("put{}/d{}/e/{}", count, i % 7, i), file);
      auto other = dir_.path() / fmt::format("m{}-{}", count, i);
      WriteFileAtomically(other, std::to_string(-i));
      moves_in.emplace_back(fmt::format("in{}/{}", count, i), other);
      moves.push_back(
          {fmt::format("in{}/{}", count, i), fmt::format("out{}/d{}/{}", count, i % 5, i)});
    }
    store_->PutFiles(puts);
    store_->MoveFilesIn(moves_in);
    store_->MoveAll(moves);
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(store_->Get(fmt::format("put{}/d{}/e/{}", count, i % 7, i)), std::to_string(i));
      EXPECT_EQ(store_->Get(fmt::format("out{}/d{}/{}", count, i % 5, i)), std::to_string(-i));
    }
    EXPECT_TRUE(store_->List(fmt::format("in{}/", count), "").objects.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, ObjectStoreContract,
    ::testing::Values(
        StoreFactory{"Memory",
                     [](const std::filesystem::path&) -> std::unique_ptr<ObjectStore> {
                       return std::make_unique<MemoryStore>();
                     }},
        StoreFactory{"Local",
                     [](const std::filesystem::path& p) -> std::unique_ptr<ObjectStore> {
                       return std::make_unique<LocalStore>(p);
                     }}),
    [](const auto& info) { return info.param.name; });

TEST_P(ObjectStoreContract, DeletePrefix) {
  store_->Put("s/1/a", "x");
  store_->Put("s/1/b/c", "x");
  store_->Put("s/10", "x");
  store_->DeletePrefix("s/1/");
  EXPECT_EQ(store_->List("s/").objects.size(), 1u);
  EXPECT_TRUE(store_->Head("s/10"));
}

TEST(LocalStore, DeletePrefixRemovesPartialTempFiles) {
  TempDir dir;
  LocalStore store(dir.path() / "lake");
  store.Put("staging/7/a", "x");
  std::ofstream(dir.path() / "lake" / "staging" / "7" / ".b.tmp.1.2") << "partial";
  store.DeletePrefix("staging/7/");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "lake" / "staging"));
}

TEST(LocalStore, LeavesNoTempFilesAndPrunesEmptyDirectories) {
  TempDir dir;
  LocalStore store(dir.path());
  store.Put("a/b/c", "1");
  store.Delete("a/b/c");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a"));
  EXPECT_TRUE(std::filesystem::exists(dir.path()));
}

TEST(OpenObjectStore, ParsesUris) {
  TempDir dir;
  EXPECT_EQ(OpenObjectStore("file://" + dir.path().string())->Uri(), dir.path().string());
  EXPECT_EQ(OpenObjectStore(dir.path().string() + "/lake/")->Uri(), dir.path().string() + "/lake");
  EXPECT_TRUE(std::filesystem::path(OpenObjectStore("relative-lake-dir")->Uri()).is_absolute());
  std::filesystem::remove_all("relative-lake-dir");
  EXPECT_EQ(OpenObjectStore("memory://")->Uri(), "memory://");
  EXPECT_THROW(OpenObjectStore(""), Error);
}

}  // namespace
}  // namespace ticklake
