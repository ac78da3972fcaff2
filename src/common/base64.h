// Standard base64 (RFC 4648, with padding), for carrying binary payloads inside JSON.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace ticklake {

std::string Base64Encode(std::string_view data);

}  // namespace ticklake
