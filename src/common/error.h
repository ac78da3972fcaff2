// Error: the one exception type ticklake throws. Its message says what failed and where (file,
// key, URL, offset), so a caller can print it as the one line a user sees on stderr.
//
// Convention (docs/architecture.md): failures that stop an operation throw Error; outcomes a
// caller is expected to handle per item (a bad record, a malformed CSV row) are returned as values.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ticklake {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

template <typename... Args>
[[noreturn]] void Fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

// Returns strerror(errno) for the current errno, for messages about system calls.
std::string ErrnoMessage();

}  // namespace ticklake
