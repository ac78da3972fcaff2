#include "common/error.h"

#include <cerrno>
#include <cstring>

namespace ticklake {

std::string ErrnoMessage() { return std::strerror(errno); }

}  // namespace ticklake
