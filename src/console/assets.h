// The web console's static files (src/console/web/ and uPlot from npm), compiled into the binary
// by cmake/embed_assets.cmake, so the console needs nothing beside it and fetches nothing from the
// internet at run time.
// Thread-safety: immutable after first use.
#pragma once

#include <string_view>
#include <vector>

namespace ticklake::console {

struct Asset {
  std::string_view name;  // file name: "index.html", "uPlot.iife.min.js"
  std::string_view content_type;
  std::string_view body;
};

const std::vector<Asset>& Assets();

}  // namespace ticklake::console
