#include "store/aws_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/file_util.h"

namespace ticklake {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

class AwsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(home_.path() / ".aws");
    std::ofstream(home_.path() / ".aws" / "credentials")
        << "[default]\naws_access_key_id = AKIADEFAULT1234\naws_secret_access_key = defaultsecret\n"
           "[dev]\naws_access_key_id=AKIADEV\naws_secret_access_key=devsecret\naws_session_token="
           "tok\n";
    std::ofstream(home_.path() / ".aws" / "config")
        << "[default]\nregion = eu-west-1\n[profile dev]\nregion=ap-south-1\nendpoint_url = "
           "http://minio:9000/\n"
           "s3 =\n  addressing_style = path\n";
  }
  TempDir home_;
};

TEST_F(AwsConfigTest, ReadsTheDefaultProfile) {
  AwsConfig c = LoadAwsConfig(FakeEnv({}), home_.path());
  EXPECT_EQ(c.access_key_id, "AKIADEFAULT1234");
  EXPECT_EQ(c.secret_access_key, "defaultsecret");
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.endpoint, "");
}

TEST_F(AwsConfigTest, NamedProfileWithEndpoint) {
  AwsConfig c = LoadAwsConfig(FakeEnv({{"AWS_PROFILE", "dev"}}), home_.path());
  EXPECT_EQ(c.access_key_id, "AKIADEV");
  EXPECT_EQ(c.session_token, "tok");
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.endpoint, "http://minio:9000");
}

TEST_F(AwsConfigTest, EnvironmentWins) {
  AwsConfig c = LoadAwsConfig(FakeEnv({{"AWS_PROFILE", "dev"},
                                       {"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                       {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                       {"AWS_DEFAULT_REGION", "us-west-2"},
                                       {"AWS_ENDPOINT_URL", "http://generic"},
                                       {"AWS_ENDPOINT_URL_S3", "http://s3only"}}),
                              home_.path());
  EXPECT_EQ(c.access_key_id, "AKIAENV");
  EXPECT_EQ(c.secret_access_key, "envsecret");
  EXPECT_EQ(c.session_token, "");  // the profile's token does not go with the environment's keys
  EXPECT_EQ(c.region, "us-west-2");
  EXPECT_EQ(c.endpoint, "http://s3only");
}

TEST_F(AwsConfigTest, DescribeNeverShowsSecrets) {
  AwsConfig c = LoadAwsConfig(FakeEnv({}), home_.path());
  std::string text = c.Describe();
  EXPECT_EQ(text.find("defaultsecret"), std::string::npos);
  EXPECT_EQ(text.find("AKIADEFAULT1234"), std::string::npos);
  EXPECT_NE(text.find("1234"), std::string::npos);
}

}  // namespace
}  // namespace ticklake
