// SPDX-License-Identifier: MIT
#include <pendop/win32/win32_error.hpp>

#include <pendop/win32/resapi.hpp>

namespace pendop::win32 {

DWORD to_win32_error(const std::error_code& e) noexcept {
  if (!e) return PD_ERROR_SUCCESS;
  if (e.category() == std::system_category()) return static_cast<DWORD>(e.value());
  if (e.category() != pendop_category()) return PD_ERROR_GEN_FAILURE;
  switch (static_cast<errc>(e.value())) {
    case errc::invalid_state:
    case errc::operation_pending:
    case errc::no_pending_operation:
      return PD_ERROR_INVALID_STATE;
    case errc::property_unknown:
    case errc::property_out_of_range:
    case errc::property_wrong_type:
    case errc::malformed_json:
    case errc::invalid_argument:
      return PD_ERROR_INVALID_PARAMETER;
    case errc::worker_start_failed:
      return PD_ERROR_NOT_ENOUGH_MEMORY;
    case errc::wait_timeout:
    case errc::deadlock:
      return PD_WAIT_TIMEOUT;
    case errc::unknown_resource:
      return PD_ERROR_RESOURCE_NOT_FOUND;
    case errc::health_check_failed:
      return PD_ERROR_RESOURCE_FAILED;
    default:
      return PD_ERROR_GEN_FAILURE;
  }
}

std::error_code from_win32_error(DWORD code) noexcept {
  return {static_cast<int>(code), std::system_category()};
}

std::wstring widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()),
                                    nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n,
                      nullptr, nullptr);
  return out;
}

}  // namespace pendop::win32
