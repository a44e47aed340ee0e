// SPDX-License-Identifier: MIT
#include "parameter_store.hpp"

#include <pendop/win32/win32_error.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace pendop::win32::detail {

namespace {

DWORD registry_type(parameter_type t) noexcept {
  switch (t) {
    case parameter_type::dword: return REG_DWORD;
    case parameter_type::ularge: return REG_QWORD;
    case parameter_type::string: return REG_SZ;
    case parameter_type::expand_string: return REG_EXPAND_SZ;
    case parameter_type::multi_string: return REG_MULTI_SZ;
    case parameter_type::binary: return REG_BINARY;
  }
  return REG_BINARY;
}

void append_utf16(std::vector<BYTE>& out, const std::string& utf8) {
  for (char16_t c : to_utf16(utf8)) {
    out.push_back(static_cast<BYTE>(c & 0xFF));
    out.push_back(static_cast<BYTE>(c >> 8));
  }
  out.push_back(0);
  out.push_back(0);
}

std::vector<BYTE> bytes_of(const parameter& p, const parameter_value& v) {
  std::vector<BYTE> out;
  switch (p.type) {
    case parameter_type::dword:
    case parameter_type::ularge: {
      const std::uint64_t n = std::get<std::uint64_t>(v);
      const int size = p.type == parameter_type::dword ? 4 : 8;
      for (int i = 0; i < size; ++i) out.push_back(static_cast<BYTE>(n >> (8 * i)));
      break;
    }
    case parameter_type::string:
    case parameter_type::expand_string:
      append_utf16(out, std::get<std::string>(v));
      break;
    case parameter_type::multi_string:
      for (const auto& s : std::get<std::vector<std::string>>(v)) append_utf16(out, s);
      out.push_back(0);
      out.push_back(0);
      break;
    case parameter_type::binary:
      out = std::get<std::vector<std::uint8_t>>(v);
      break;
  }
  return out;
}

// UTF-16 strings of `data`, split at nulls (a missing final null is tolerated,
// as RegQueryValueEx callers must).
std::vector<std::string> strings_of(const std::vector<BYTE>& data) {
  std::vector<std::string> out;
  std::u16string cur;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
    const auto c = static_cast<char16_t>(data[i] | (data[i + 1] << 8));
    if (c == u'\0') {
      out.push_back(to_utf8(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(to_utf8(cur));
  return out;
}

result<parameter_value> value_of(const parameter& p, DWORD type, const std::vector<BYTE>& data) {
  const DWORD want = registry_type(p.type);
  // A REG_DWORD may hold a ularge parameter, a REG_SZ an expandable one.
  const bool compatible = type == want || (p.type == parameter_type::ularge && type == REG_DWORD) ||
                          (p.type == parameter_type::expand_string && type == REG_SZ);
  if (!compatible) {
    return make_error(errc::property_wrong_type,
                      fmt::format("{}: the stored value has registry type {}, expected {}", p.name,
                                  type, want));
  }
  switch (p.type) {
    case parameter_type::dword:
    case parameter_type::ularge: {
      const std::size_t size = type == REG_DWORD ? 4 : 8;
      if (data.size() != size) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: the stored value has {} bytes, expected {}", p.name,
                                      data.size(), size));
      }
      std::uint64_t n = 0;
      for (std::size_t i = 0; i < size; ++i) n |= static_cast<std::uint64_t>(data[i]) << (8 * i);
      return parameter_value{n};
    }
    case parameter_type::string:
    case parameter_type::expand_string: {
      auto s = strings_of(data);
      return parameter_value{s.empty() ? std::string() : std::move(s.front())};
    }
    case parameter_type::multi_string:
      return parameter_value{strings_of(data)};
    case parameter_type::binary:
      return parameter_value{std::vector<std::uint8_t>(data.begin(), data.end())};
  }
  return make_error(errc::property_wrong_type, p.name);
}

error registry_error(DWORD code, std::string_view what) {
  return make_error(from_win32_error(code), fmt::format("{}: Win32 error {}", what, code));
}

}  // namespace

result<parameter_store> parameter_store::open(const cluster_registry_api& api, HKEY resource_key,
                                              const parameter_values& defaults) {
  if (!resource_key) return parameter_store(api, unique_key(nullptr, key_closer{api}), defaults);
  HKEY params = nullptr;
  const LONG rc = api.create_key(resource_key, L"Parameters", 0, KEY_ALL_ACCESS, nullptr, &params,
                                 nullptr);
  if (rc != ERROR_SUCCESS) {
    return registry_error(static_cast<DWORD>(rc),
                          "opening the resource's \"Parameters\" cluster key");
  }
  return parameter_store(api, unique_key(params, key_closer{api}), defaults);
}

result<parameter_values> parameter_store::read(bad_value bad) const {
  std::lock_guard lk(*mu_);
  if (!key_) return memory_;
  parameter_values out = memory_;
  for (const parameter& p : memory_.declared()) {
    const std::wstring name = widen(p.name);
    DWORD type = 0;
    DWORD size = 0;
    LONG rc = api_.query_value(key_.get(), name.c_str(), &type, nullptr, &size);
    if (rc == ERROR_FILE_NOT_FOUND) continue;  // not stored: the default
    std::vector<BYTE> data(size);
    if (rc == ERROR_SUCCESS) {
      rc = api_.query_value(key_.get(), name.c_str(), &type, data.data(), &size);
      data.resize(size);
    }
    if (rc != ERROR_SUCCESS) {
      return registry_error(static_cast<DWORD>(rc), fmt::format("reading {}", p.name));
    }
    auto v = value_of(p, type, data);
    auto set = v ? out.set(p.name, std::move(*v)) : result<void>(v.error());
    if (!set && bad == bad_value::fail) return set.error();
  }
  return out;
}

result<void> parameter_store::write(const parameter_values& values,
                                    std::span<const parameter* const> which) {
  std::lock_guard lk(*mu_);
  if (!key_) {
    for (const parameter* p : which) {
      if (auto set = memory_.set(p->name, values.get(p->name)); !set) return set.error();
    }
    return ok();
  }
  for (const parameter* p : which) {
    const std::vector<BYTE> data = bytes_of(*p, values.get(p->name));
    const DWORD rc = api_.set_value(key_.get(), widen(p->name).c_str(), registry_type(p->type),
                                    data.data(), static_cast<DWORD>(data.size()));
    if (rc != ERROR_SUCCESS) return registry_error(rc, fmt::format("storing {}", p->name));
  }
  return ok();
}

}  // namespace pendop::win32::detail
