// SPDX-License-Identifier: MIT
// The control codes a resource DLL answers (docs/resapi.md, "Control
// codes"): the bytes each answer carries, and the one rule for output
// buffers: a buffer too small (or none) gets ERROR_MORE_DATA with
// *BytesReturned set to the size needed.
#pragma once

#include <pendop/parameter.hpp>
#include <pendop/win32/resapi.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pendop::win32::detail {

/// Copies `bytes` to `out` when it fits: ERROR_SUCCESS, else ERROR_MORE_DATA;
/// `*returned` is the size of the answer either way.
DWORD answer(std::span<const std::uint8_t> bytes, PVOID out, DWORD out_size,
             LPDWORD returned) noexcept;

/// ENUM_PRIVATE_PROPERTIES: the names as a MULTI_SZ (each name and its null,
/// then one more null).
[[nodiscard]] std::vector<std::uint8_t> property_names(const std::vector<parameter>& declared);

/// GET_PRIVATE_PROPERTY_FMTS: a property list giving each property's
/// CLUSPROP_FORMAT_* as a LIST_VALUE_WORD.
[[nodiscard]] std::vector<std::uint8_t> property_formats(const std::vector<parameter>& declared);

/// GET_REQUIRED_DEPENDENCIES: a value list of CLUSPROP_SYNTAX_NAME resource
/// type names, then an end mark.
[[nodiscard]] std::vector<std::uint8_t> dependency_list(const std::vector<std::wstring>& types);

/// A DWORD answer (GET_CHARACTERISTICS).
[[nodiscard]] std::vector<std::uint8_t> dword_bytes(DWORD value);

/// The Win32 error for a refused property list: ERROR_INVALID_DATA for a
/// malformed list, ERROR_INVALID_PARAMETER for an unknown name, a wrong
/// type or a value out of range, the registry's own code for a failed read.
[[nodiscard]] DWORD property_error(const error& e) noexcept;

}  // namespace pendop::win32::detail
