// SPDX-License-Identifier: MIT
// Fuzz target: `pendop run` scenario files. Any input parses or yields
// problems that each name a JSON path; nothing throws or crashes.
#include "../../tools/pendop/scenario.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto r = pendop_cli::parse_scenario(text);
  for (const auto& p : r.problems) {
    if (p.path.empty() || p.path[0] != '$' || p.message.empty()) std::abort();
  }
  return 0;
}
