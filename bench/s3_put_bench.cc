// S3Store speed against an S3 endpoint (AWS_ENDPOINT_URL_S3 etc. from the environment):
//   s3_put_bench small s3://bucket/prefix COUNT SIZE   -> many small PUTs, prints objects/s
//   s3_put_bench put   s3://bucket/key FILE             -> one large PUT, prints MB/s
//   s3_put_bench get   s3://bucket/key FILE             -> one large GET, prints MB/s
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "store/object_store.h"
#include "store/s3_url.h"

using namespace ticklake;

int main(int argc, char** argv) {
  if (argc < 4 || (std::string(argv[1]) == "small") != (argc == 5)) {
    fmt::print(stderr, "usage: s3_put_bench small URI COUNT SIZE | put URI FILE | get URI FILE\n");
    return 2;
  }
  std::string mode = argv[1], uri = argv[2];
  try {
    auto start = std::chrono::steady_clock::now();
    auto seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    if (mode == "small") {
      auto store = OpenObjectStore(uri);
      int count = std::stoi(argv[3]);
      std::string body(std::stoul(argv[4]), 'x');
      start = std::chrono::steady_clock::now();
      for (int i = 0; i < count; ++i) store->Put(fmt::format("small/obj-{:06}", i), body);
      fmt::print("{:.1f}\n", count / seconds());
    } else {
      S3Location location = ParseS3Uri(uri);
      std::string bucket_uri = "s3://" + location.bucket;
      std::string key = location.prefix.substr(0, location.prefix.size() - 1);
      auto store = OpenObjectStore(bucket_uri);
      std::filesystem::path file = argv[3];
      start = std::chrono::steady_clock::now();
      if (mode == "put") {
        store->PutFile(key, file);
      } else {
        store->GetToFile(key, file);
      }
      fmt::print("{:.1f}\n",
                 static_cast<double>(std::filesystem::file_size(file)) / 1e6 / seconds());
    }
  } catch (const Error& e) {
    fmt::print(stderr, "s3_put_bench: {}\n", e.what());
    return 1;
  }
}
