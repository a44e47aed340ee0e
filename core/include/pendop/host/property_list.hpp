// SPDX-License-Identifier: MIT
// `property_list`: the CLUSPROP property lists that resource DLLs exchange
// with the cluster through control codes (CLUSCTL_RESOURCE_GET_PRIVATE_
// PROPERTIES and friends), encoded and decoded byte for byte as documented
// (MS-CMRP 2.2.3.10 "PROPERTY_LIST", "Property Lists" in the Failover
// Cluster docs), on any platform, little-endian:
//
//   DWORD  propertyCount
//   for each property:
//     DWORD  CLUSPROP_SYNTAX_NAME (0x00040003)
//     DWORD  length in bytes of the UTF-16 name and its terminating null
//     WCHAR  name[], then 0 or 2 bytes of padding to a DWORD boundary
//     one to three values, each:
//       DWORD  syntax (CLUSPROP_SYNTAX_LIST_VALUE_*)
//       DWORD  length in bytes of the data (padding not counted)
//       BYTE   data[], then padding to a DWORD boundary
//     DWORD  CLUSPROP_SYNTAX_ENDMARK (0)
//
// Decoding trusts nothing: every length is checked against the buffer, the
// count against what follows, strings for their terminators, and an error
// names the byte offset and what is wrong.
#pragma once

#include <pendop/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pendop {

/// CLUSTER_PROPERTY_SYNTAX values pendop reads and writes.
enum class property_syntax : std::uint32_t {
  endmark = 0x00000000,
  name = 0x00040003,
  binary = 0x00010001,          ///< CLUSPROP_SYNTAX_LIST_VALUE_BINARY
  dword = 0x00010002,           ///< CLUSPROP_SYNTAX_LIST_VALUE_DWORD
  sz = 0x00010003,              ///< CLUSPROP_SYNTAX_LIST_VALUE_SZ
  expand_sz = 0x00010004,       ///< CLUSPROP_SYNTAX_LIST_VALUE_EXPAND_SZ
  multi_sz = 0x00010005,        ///< CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ
  ularge_integer = 0x00010006,  ///< CLUSPROP_SYNTAX_LIST_VALUE_ULARGE_INTEGER
  expanded_sz = 0x00010008,     ///< CLUSPROP_SYNTAX_LIST_VALUE_EXPANDED_SZ
  word = 0x0001000B,            ///< CLUSPROP_SYNTAX_LIST_VALUE_WORD (property formats)
};

/// "DWORD", "SZ", "MULTI_SZ", ... (the documentation's names), or "0x..." for others.
[[nodiscard]] std::string to_string(property_syntax s);

/// One value of a property. Which member holds it follows `syntax`.
struct property_value {
  property_syntax syntax = property_syntax::dword;
  std::uint64_t number = 0;           ///< dword, ularge_integer, word
  std::u16string text{};                ///< sz, expand_sz, expanded_sz
  std::vector<std::u16string> texts{};  ///< multi_sz
  std::vector<std::uint8_t> bytes{};    ///< binary

  friend bool operator==(const property_value&, const property_value&) = default;
};

/// One property: its name and one to three values.
struct property_entry {
  std::u16string name{};
  std::vector<property_value> values{};

  friend bool operator==(const property_entry&, const property_entry&) = default;
};

/// The bytes of a property list.
[[nodiscard]] std::vector<std::uint8_t> encode_property_list(std::span<const property_entry> list);

/// Parses a property list. Errors (`invalid_argument`) give the byte offset
/// and what is wrong ("property list: byte 12: a name must end with a null
/// character"). Syntaxes pendop does not know are an error too.
[[nodiscard]] result<std::vector<property_entry>> decode_property_list(
    std::span<const std::uint8_t> bytes);

/// UTF-8 <-> UTF-16 for property names and strings (ill-formed input becomes
/// U+FFFD).
[[nodiscard]] std::u16string to_utf16(std::string_view utf8);
[[nodiscard]] std::string to_utf8(std::u16string_view utf16);

}  // namespace pendop
