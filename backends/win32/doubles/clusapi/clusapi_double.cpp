// SPDX-License-Identifier: MIT
// A test double of clusapi.dll's cluster registry functions over an
// in-memory cluster database, with the documented semantics of
// ClusterRegOpenKey, ClusterRegCreateKey, ClusterRegCloseKey,
// ClusterRegQueryValue and ClusterRegSetValue (the RegOpenKeyEx family's:
// key and value names ignore case; a query with a buffer too small answers
// ERROR_MORE_DATA and the size needed; a NULL buffer asks for the size).
// Wine's clusapi.dll is all stubs; tests load this one in its place (native
// override). It never ships.
//
// Tests reach the database through three exports of their own:
//   PendopTestClusterKey(path)  an open key for "Resources\<id>" and the like
//                               (created as needed), as the cluster hands a
//                               resource DLL its ResourceKey
//   PendopTestClusterClear()    forget every key and value
//   PendopTestOpenKeys()        handles not closed yet (leak checks)
#include <windows.h>

#include <cstring>
#include <cwctype>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace {

std::wstring folded(const wchar_t* s) {
  std::wstring out;
  for (; s && *s; ++s) out.push_back(static_cast<wchar_t>(std::towlower(*s)));
  return out;
}

struct stored_value {
  DWORD type = REG_NONE;
  std::vector<BYTE> data;
};

struct key_node {
  std::map<std::wstring, std::unique_ptr<key_node>> keys;
  std::map<std::wstring, stored_value> values;
};

struct handle {
  key_node* node;
};

struct database {
  std::mutex mu;
  key_node root;
  long open_handles = 0;
};

database& db() {
  static database d;  // the double's one cluster database, as a cluster has one
  return d;
}

// The node at `path` ("A\B\C") under `from`; created when `create`.
key_node* walk(key_node* from, const wchar_t* path, bool create) {
  std::wstring p = path ? path : L"";
  std::size_t start = 0;
  while (from && start <= p.size()) {
    const std::size_t end = p.find(L'\\', start);
    const std::wstring part = folded(p.substr(start, end - start).c_str());
    if (!part.empty()) {
      auto it = from->keys.find(part);
      if (it == from->keys.end()) {
        if (!create) return nullptr;
        it = from->keys.emplace(part, std::make_unique<key_node>()).first;
      }
      from = it->second.get();
    }
    if (end == std::wstring::npos) break;
    start = end + 1;
  }
  return from;
}

HKEY open_handle(key_node* n) {
  auto* h = new (std::nothrow) handle{n};
  if (h) ++db().open_handles;
  return reinterpret_cast<HKEY>(h);
}

key_node* node_of(HKEY k) { return k ? reinterpret_cast<handle*>(k)->node : nullptr; }

}  // namespace

extern "C" {

__declspec(dllexport) LONG WINAPI ClusterRegOpenKey(HKEY key, LPCWSTR sub_key, REGSAM,
                                                    PHKEY result) {
  if (!key || !result) return ERROR_INVALID_PARAMETER;
  std::lock_guard lk(db().mu);
  key_node* n = walk(node_of(key), sub_key, false);
  if (!n) return ERROR_FILE_NOT_FOUND;
  *result = open_handle(n);
  return *result ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

__declspec(dllexport) LONG WINAPI ClusterRegCreateKey(HKEY key, LPCWSTR sub_key, DWORD, REGSAM,
                                                      LPSECURITY_ATTRIBUTES, PHKEY result,
                                                      LPDWORD disposition) {
  if (!key || !result) return ERROR_INVALID_PARAMETER;
  std::lock_guard lk(db().mu);
  const bool existed = walk(node_of(key), sub_key, false) != nullptr;
  key_node* n = walk(node_of(key), sub_key, true);
  if (disposition) *disposition = existed ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
  *result = open_handle(n);
  return *result ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

__declspec(dllexport) LONG WINAPI ClusterRegCloseKey(HKEY key) {
  if (!key) return ERROR_INVALID_HANDLE;
  std::lock_guard lk(db().mu);
  delete reinterpret_cast<handle*>(key);
  --db().open_handles;
  return ERROR_SUCCESS;
}

__declspec(dllexport) LONG WINAPI ClusterRegQueryValue(HKEY key, LPCWSTR name, LPDWORD type,
                                                       LPBYTE data, LPDWORD size) {
  if (!key || (data && !size)) return ERROR_INVALID_PARAMETER;
  std::lock_guard lk(db().mu);
  const auto& values = node_of(key)->values;
  const auto it = values.find(folded(name));
  if (it == values.end()) return ERROR_FILE_NOT_FOUND;
  if (type) *type = it->second.type;
  const auto needed = static_cast<DWORD>(it->second.data.size());
  if (!size) return ERROR_SUCCESS;
  const DWORD room = *size;
  *size = needed;
  if (!data) return ERROR_SUCCESS;
  if (room < needed) return ERROR_MORE_DATA;
  if (needed) std::memcpy(data, it->second.data.data(), needed);
  return ERROR_SUCCESS;
}

__declspec(dllexport) DWORD WINAPI ClusterRegSetValue(HKEY key, LPCWSTR name, DWORD type,
                                                      const BYTE* data, DWORD size) {
  if (!key || (!data && size)) return ERROR_INVALID_PARAMETER;
  std::lock_guard lk(db().mu);
  node_of(key)->values[folded(name)] = stored_value{type, std::vector<BYTE>(data, data + size)};
  return ERROR_SUCCESS;
}

__declspec(dllexport) HKEY WINAPI PendopTestClusterKey(LPCWSTR path) {
  std::lock_guard lk(db().mu);
  return open_handle(walk(&db().root, path, true));
}

__declspec(dllexport) void WINAPI PendopTestClusterClear() {
  std::lock_guard lk(db().mu);
  db().root = key_node{};
}

__declspec(dllexport) long WINAPI PendopTestOpenKeys() {
  std::lock_guard lk(db().mu);
  return db().open_handles;
}

}  // extern "C"
