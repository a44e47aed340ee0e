// SPDX-License-Identifier: MIT
// `parameter_store`: where one resource's private properties live. With a
// ResourceKey (a real cluster) that is the key's "Parameters" subkey, read
// and written through the cluster registry API, one registry value per
// declared parameter (REG_DWORD, REG_QWORD, REG_SZ, REG_EXPAND_SZ,
// REG_MULTI_SZ, REG_BINARY by its type); a value that is not stored reads as
// its declared default. Without a key (test hosts) the values live in memory
// and start from the defaults.
#pragma once

#include <pendop/parameter.hpp>
#include <pendop/result.hpp>
#include <pendop/win32/cluster_registry_api.hpp>

#include <memory>
#include <mutex>
#include <span>

namespace pendop::win32::detail {

class parameter_store {
 public:
  /// Opens (creating when absent) "Parameters" under `resource_key`, or an
  /// in-memory store for a null key. Errors carry the registry's code.
  static result<parameter_store> open(const cluster_registry_api& api, HKEY resource_key,
                                      const parameter_values& defaults);

  /// How `read` treats a stored value its declaration refuses.
  enum class bad_value { fail, use_default };

  /// The stored values, defaults for the ones not stored. A stored value of
  /// the wrong registry type, or one its declaration refuses, is an error
  /// naming the property, or (`use_default`, for a SET that repairs it)
  /// reads as its default.
  [[nodiscard]] result<parameter_values> read(bad_value bad = bad_value::fail) const;

  /// Stores the values of `which` (declarations of `values`).
  result<void> write(const parameter_values& values, std::span<const parameter* const> which);

 private:
  struct key_closer {
    cluster_registry_api api;
    void operator()(HKEY k) const noexcept {
      if (k && api.close_key) api.close_key(k);
    }
  };
  using unique_key = std::unique_ptr<std::remove_pointer_t<HKEY>, key_closer>;

  parameter_store(cluster_registry_api api, unique_key key, parameter_values memory)
      : api_(api), key_(std::move(key)), memory_(std::move(memory)) {}

  cluster_registry_api api_;
  unique_key key_;          // null: in memory only
  parameter_values memory_; // the defaults (with a key), or the values (without)
  mutable std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
};

}  // namespace pendop::win32::detail
