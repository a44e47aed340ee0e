// SPDX-License-Identifier: MIT
#include <pendop/win32/cluster_registry_api.hpp>

// The real exports, declared as clusapi.h declares them.
extern "C" {
__declspec(dllimport) LONG WINAPI ClusterRegOpenKey(HKEY, LPCWSTR, REGSAM, PHKEY);
__declspec(dllimport) LONG WINAPI ClusterRegCreateKey(HKEY, LPCWSTR, DWORD, REGSAM,
                                                      LPSECURITY_ATTRIBUTES, PHKEY, LPDWORD);
__declspec(dllimport) LONG WINAPI ClusterRegCloseKey(HKEY);
__declspec(dllimport) LONG WINAPI ClusterRegQueryValue(HKEY, LPCWSTR, LPDWORD, LPBYTE, LPDWORD);
__declspec(dllimport) DWORD WINAPI ClusterRegSetValue(HKEY, LPCWSTR, DWORD, const BYTE*, DWORD);
}

namespace pendop::win32 {

cluster_registry_api clusapi_registry_api() noexcept {
  cluster_registry_api api;
  api.open_key = &ClusterRegOpenKey;
  api.create_key = &ClusterRegCreateKey;
  api.close_key = &ClusterRegCloseKey;
  api.query_value = &ClusterRegQueryValue;
  api.set_value = &ClusterRegSetValue;
  return api;
}

}  // namespace pendop::win32
