// SPDX-License-Identifier: MIT
// The one place pendop's errors become Win32 error codes (for the values an
// exported entry point returns) and Win32 codes become std::error_code.
#pragma once

#include <pendop/error.hpp>

#include <windows.h>

#include <string>
#include <string_view>
#include <system_error>

namespace pendop::win32 {

/// The Win32 error code an entry point returns for `e`. pendop codes map to
/// their nearest ResApi meaning (invalid_state and operation_pending ->
/// ERROR_INVALID_STATE, invalid_argument -> ERROR_INVALID_PARAMETER, ...);
/// system_category codes pass through.
[[nodiscard]] DWORD to_win32_error(const std::error_code& e) noexcept;

/// A Win32 error code as a std::error_code (system_category).
[[nodiscard]] std::error_code from_win32_error(DWORD code) noexcept;

/// UTF-8 to UTF-16 (invalid sequences become U+FFFD).
[[nodiscard]] std::wstring widen(std::string_view utf8);

/// UTF-16 to UTF-8.
[[nodiscard]] std::string narrow(std::wstring_view utf16);

}  // namespace pendop::win32
