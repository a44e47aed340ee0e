// SPDX-License-Identifier: MIT
// `exec_args`: a list of strings as execve and posix_spawn take an argv or
// an envp: pointers to each, then a null pointer. The strings must outlive it.
#pragma once

#include <string>
#include <vector>

namespace pendop_cli {

[[nodiscard]] inline std::vector<char*> exec_args(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace pendop_cli
