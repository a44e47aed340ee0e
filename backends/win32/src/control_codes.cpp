// SPDX-License-Identifier: MIT
#include "control_codes.hpp"

#include <pendop/host/property_list.hpp>

#include <cstring>
#include <system_error>

namespace pendop::win32::detail {

namespace {

// CLUSPROP_FORMAT values (clusapi.h).
std::uint16_t format_of(parameter_type t) noexcept {
  switch (t) {
    case parameter_type::binary: return 1;
    case parameter_type::dword: return 2;
    case parameter_type::string: return 3;
    case parameter_type::expand_string: return 4;
    case parameter_type::multi_string: return 5;
    case parameter_type::ularge: return 6;
  }
  return 0;
}

void put_dword(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_utf16(std::vector<std::uint8_t>& out, std::u16string_view s) {
  for (char16_t c : s) {
    out.push_back(static_cast<std::uint8_t>(c & 0xFF));
    out.push_back(static_cast<std::uint8_t>(c >> 8));
  }
  out.push_back(0);
  out.push_back(0);
}

}  // namespace

DWORD answer(std::span<const std::uint8_t> bytes, PVOID out, DWORD out_size,
             LPDWORD returned) noexcept {
  const auto size = static_cast<DWORD>(bytes.size());
  if (returned) *returned = size;
  if (!out || out_size < size) return PD_ERROR_MORE_DATA;
  if (size) std::memcpy(out, bytes.data(), size);
  return PD_ERROR_SUCCESS;
}

std::vector<std::uint8_t> property_names(const std::vector<parameter>& declared) {
  std::vector<std::uint8_t> out;
  for (const auto& p : declared) put_utf16(out, to_utf16(p.name));
  out.push_back(0);
  out.push_back(0);
  return out;
}

std::vector<std::uint8_t> property_formats(const std::vector<parameter>& declared) {
  std::vector<property_entry> list;
  for (const auto& p : declared) {
    property_value format;
    format.syntax = property_syntax::word;
    format.number = format_of(p.type);
    list.push_back({to_utf16(p.name), {format}});
  }
  return encode_property_list(list);
}

std::vector<std::uint8_t> dependency_list(const std::vector<std::wstring>& types) {
  std::vector<std::uint8_t> out;
  for (const auto& t : types) {
    const std::u16string name(t.begin(), t.end());
    put_dword(out, static_cast<std::uint32_t>(property_syntax::name));
    put_dword(out, static_cast<std::uint32_t>((name.size() + 1) * 2));
    put_utf16(out, name);
    out.resize((out.size() + 3) & ~std::size_t{3}, 0);
  }
  put_dword(out, static_cast<std::uint32_t>(property_syntax::endmark));
  return out;
}

std::vector<std::uint8_t> dword_bytes(DWORD value) {
  std::vector<std::uint8_t> out;
  put_dword(out, value);
  return out;
}

DWORD property_error(const error& e) noexcept {
  if (e.code.category() == std::system_category()) return static_cast<DWORD>(e.code.value());
  return e.code == make_error_code(errc::invalid_argument) ? PD_ERROR_INVALID_DATA
                                                           : PD_ERROR_INVALID_PARAMETER;
}

}  // namespace pendop::win32::detail
