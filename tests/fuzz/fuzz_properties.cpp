// SPDX-License-Identifier: MIT
// Fuzz target: property JSON. Any input gives a clear error or a valid value
// that survives a round trip; nothing throws or crashes.
#include <pendop/properties.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto p = pendop::parse_properties(text);
  if (p) {
    if (!pendop::validate(*p)) std::abort();
    auto again = pendop::parse_properties(pendop::to_json(*p));
    if (!again || !(*again == *p)) std::abort();
  } else if (p.error().message.empty()) {
    std::abort();
  }
  return 0;
}
