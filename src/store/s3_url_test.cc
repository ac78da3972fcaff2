#include "store/s3_url.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace ticklake {

TEST(S3Url, EncodesLikeSigV4) {
  EXPECT_EQ(UriEncode("index=HSI/a b+c%é~", true), "index%3DHSI/a%20b%2Bc%25%C3%A9~");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
}

TEST(S3Url, CanonicalQueryIsSortedAndEncoded) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "t/x=1"}, {"list-type", "2"}, {"delimiter", "/"}}),
            "delimiter=%2F&list-type=2&prefix=t%2Fx%3D1");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
}

TEST(S3Url, ParsesUris) {
  auto a = ParseS3Uri("s3://lake");
  EXPECT_EQ(a.bucket, "lake");
  EXPECT_EQ(a.prefix, "");
  auto b = ParseS3Uri("s3://lake/raw/ticks/");
  EXPECT_EQ(b.prefix, "raw/ticks/");
  EXPECT_THROW(ParseS3Uri("s3:///x"), Error);
  EXPECT_THROW(ParseS3Uri("http://x"), Error);
}

TEST(S3Url, Addressing) {
  EXPECT_EQ(S3ObjectUrl("http://127.0.0.1:9000", "us-east-1", true, "lake", "a b", {}),
            "http://127.0.0.1:9000/lake/a%20b");
  EXPECT_EQ(
      S3ObjectUrl("http://127.0.0.1:9000", "us-east-1", true, "lake", "", {{"list-type", "2"}}),
      "http://127.0.0.1:9000/lake?list-type=2");
  EXPECT_EQ(S3ObjectUrl("", "us-east-1", false, "lake", "", {}),
            "https://lake.s3.us-east-1.amazonaws.com/");
  EXPECT_EQ(S3ObjectUrl("", "eu-west-1", false, "lake", "k", {{"uploads", ""}}),
            "https://lake.s3.eu-west-1.amazonaws.com/k?uploads=");
  EXPECT_EQ(S3ObjectUrl("", "eu-west-1", true, "lake", "k", {}),
            "https://s3.eu-west-1.amazonaws.com/lake/k");
  EXPECT_EQ(S3ObjectUrl("https://storage.example", "x", false, "lake", "k", {}),
            "https://lake.storage.example/k");
}

TEST(S3Url, Sha256) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace ticklake
