// SPDX-License-Identifier: MIT
// Fuzz target: CLUSPROP property lists, as a resource DLL receives them in
// CLUSCTL_RESOURCE_SET/VALIDATE_PRIVATE_PROPERTIES. Any bytes give a clear
// error or a list that encodes back to exactly the same bytes (when the input
// was canonical: zero padding) and decodes again to the same list.
#include <pendop/host/property_list.hpp>

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  auto list = pendop::decode_property_list(in);
  if (!list) {
    if (list.error().message.empty()) std::abort();
    return 0;
  }
  const auto bytes = pendop::encode_property_list(*list);
  auto again = pendop::decode_property_list(bytes);
  if (!again || !(*again == *list)) std::abort();
  if (pendop::encode_property_list(*again) != bytes) std::abort();
  return 0;
}
