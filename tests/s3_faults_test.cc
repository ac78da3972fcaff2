// S3Store through a fault-injecting proxy in front of a real S3 server: transient faults are
// retried until the operation succeeds; past the bound it fails clearly; no partial object is
// ever visible.
#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "store/s3_store.h"
#include "tests/fault_proxy.h"
#include "tests/test_util.h"

namespace ticklake::test {
namespace {

class S3FaultsTest : public ::testing::Test {
 protected:
  std::unique_ptr<ObjectStore> Store(std::string secret = "S3RVER") {
    S3Options options;
    options.aws.access_key_id = "S3RVER";
    options.aws.secret_access_key = std::move(secret);
    options.aws.endpoint = proxy_.endpoint();
    options.part_size = 5 << 20;
    options.max_attempts = 4;
    options.stall_timeout_s = 1;
    return std::make_unique<S3Store>("s3://lake", std::move(options));
  }

  TempDir dir_{"ticklake-s3-faults"};
  S3ServerProcess server_{dir_.path(), {"lake"}};
  FaultProxy proxy_{server_.endpoint()};
};

TEST_F(S3FaultsTest, TransientErrorsAreRetried) {
  auto store = Store();
  proxy_.Push({Fault::kInternalError, Fault::kSlowDown, Fault::kDropRequestBody});
  store->Put("a.txt", "payload");
  EXPECT_EQ(proxy_.requests(), 4);
  proxy_.Push({Fault::kDropResponseBody, Fault::kStall});
  EXPECT_EQ(store->Get("a.txt"), "payload");
  EXPECT_EQ(proxy_.requests(), 7);
}

TEST_F(S3FaultsTest, DroppedUploadsLeaveNoPartialObject) {
  auto store = Store();
  std::string data(3 << 20, 'x');
  proxy_.Push({Fault::kDropRequestBody, Fault::kDropRequestBody});
  store->Put("b.bin", data);
  EXPECT_EQ(store->Get("b.bin"), data);

  proxy_.Push(std::vector<Fault>(4, Fault::kDropRequestBody));
  std::string error = ErrorMessageOf([&] { store->Put("c.bin", data); });
  EXPECT_NE(error.find("PUT s3://lake/c.bin"), std::string::npos) << error;
  EXPECT_NE(error.find("gave up after 4 attempts"), std::string::npos) << error;
  EXPECT_FALSE(store->Head("c.bin"));
  EXPECT_TRUE(store->List("c").objects.empty());
}

TEST_F(S3FaultsTest, MultipartUploadSurvivesAFailedPart) {
  auto store = Store();
  std::string data(12 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  proxy_.Push({Fault::kPass, Fault::kPass, Fault::kInternalError, Fault::kDropRequestBody});
  store->Put("multi.bin", data);
  EXPECT_EQ(store->Get("multi.bin"), data);
}

TEST_F(S3FaultsTest, ClientErrorsAreNotRetried) {
  auto store = Store("wrong-secret");
  std::string error = ErrorMessageOf([&] { store->Put("d.txt", "x"); });
  EXPECT_NE(error.find("403 SignatureDoesNotMatch"), std::string::npos) << error;
  EXPECT_EQ(proxy_.requests(), 1);
}

TEST_F(S3FaultsTest, PersistentServerErrorsFailAfterTheBound) {
  auto store = Store();
  proxy_.Push(std::vector<Fault>(10, Fault::kSlowDown));
  std::string error = ErrorMessageOf([&] { store->Get("missing-anyway"); });
  EXPECT_NE(error.find("503 SlowDown"), std::string::npos) << error;
  EXPECT_NE(error.find("gave up after 4 attempts"), std::string::npos) << error;
  EXPECT_EQ(proxy_.requests(), 4);
}

}  // namespace
}  // namespace ticklake::test
