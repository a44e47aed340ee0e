// SPDX-License-Identifier: MIT
// `cluster_registry_api`: the seam between pendop's resource-DLL adapter and
// the cluster database functions of clusapi.dll (ClusterRegOpenKey and
// friends), through which a resource's private properties are read from and
// stored under its cluster key. Production binds the real exports
// (`clusapi_registry_api`); tests bind a double over an in-memory cluster
// database. Signatures are clusapi.h's.
#pragma once

#include <pendop/win32/resapi.hpp>

namespace pendop::win32 {

/// The cluster registry functions pendop calls.
struct cluster_registry_api {
  LONG(WINAPI* open_key)(HKEY key, LPCWSTR sub_key, REGSAM access, PHKEY result) = nullptr;
  LONG(WINAPI* create_key)(HKEY key, LPCWSTR sub_key, DWORD options, REGSAM access,
                           LPSECURITY_ATTRIBUTES security, PHKEY result,
                           LPDWORD disposition) = nullptr;
  LONG(WINAPI* close_key)(HKEY key) = nullptr;
  LONG(WINAPI* query_value)(HKEY key, LPCWSTR name, LPDWORD type, LPBYTE data,
                            LPDWORD size) = nullptr;
  DWORD(WINAPI* set_value)(HKEY key, LPCWSTR name, DWORD type, const BYTE* data,
                           DWORD size) = nullptr;
};

/// ClusterRegOpenKey, ClusterRegCreateKey, ClusterRegCloseKey,
/// ClusterRegQueryValue and ClusterRegSetValue, imported from clusapi.dll.
[[nodiscard]] cluster_registry_api clusapi_registry_api() noexcept;

}  // namespace pendop::win32
