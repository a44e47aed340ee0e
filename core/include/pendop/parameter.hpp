// SPDX-License-Identifier: MIT
// `parameter` and `parameter_values`: the settings of a resource type,
// declared once for every host: the private properties of a Windows
// resource DLL (ENUM/GET/VALIDATE/SET_PRIVATE_PROPERTIES carry them as
// CLUSPROP property lists), the parameters of an OCF agent (OCF_RESKEY_*),
// the `params` of a `pendop run` scenario.
//
//   const std::vector<pendop::parameter> declared{
//       {.name = "online_ms", .description = "time Online takes", .default_value = 1000u,
//        .max = 86'400'000},
//       {.name = "ignore_terminate", .default_value = 0u, .max = 1},
//   };
//   auto values = pendop::parameter_values::defaults(declared);   // checks the declarations too
//   values->set("online_ms", std::uint64_t{5000});                  // checked: range, type, name
//   auto changed = values->with_property_list(list);                // all or nothing
//
// Every error names the parameter and what is wrong ("online_ms: 90000000 is
// out of range, allowed 0..86400000").
#pragma once

#include <pendop/host/property_list.hpp>
#include <pendop/result.hpp>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pendop {

/// The types a parameter may have (the registry value types a cluster
/// stores private properties as).
enum class parameter_type {
  dword,          ///< REG_DWORD, CLUSPROP_SYNTAX_LIST_VALUE_DWORD
  ularge,         ///< REG_QWORD, CLUSPROP_SYNTAX_LIST_VALUE_ULARGE_INTEGER
  string,         ///< REG_SZ, CLUSPROP_SYNTAX_LIST_VALUE_SZ
  expand_string,  ///< REG_EXPAND_SZ, CLUSPROP_SYNTAX_LIST_VALUE_EXPAND_SZ
  multi_string,   ///< REG_MULTI_SZ, CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ
  binary,         ///< REG_BINARY, CLUSPROP_SYNTAX_LIST_VALUE_BINARY
};

/// "dword", "ularge", "string", "expand_string", "multi_string", "binary".
[[nodiscard]] std::string_view to_string(parameter_type t) noexcept;

/// A value: a number (dword, ularge), a string (string, expand_string), a
/// list of strings (multi_string) or bytes (binary).
using parameter_value =
    std::variant<std::uint64_t, std::string, std::vector<std::string>, std::vector<std::uint8_t>>;

/// One declared parameter.
struct parameter {
  std::string name;
  parameter_type type = parameter_type::dword;
  std::string description{};
  parameter_value default_value{std::uint64_t{0}};
  /// Numbers: the allowed range (a dword's `max` may be at most 0xFFFFFFFF).
  std::uint64_t min = 0;
  std::uint64_t max = (std::numeric_limits<std::uint32_t>::max)();  // survives windows.h's max
  /// Strings: the allowed values; empty means any.
  std::vector<std::string> allowed{};
  /// A value must be given: the default is not used.
  bool required = false;
  /// A change is taken up at the next Online, not at once.
  bool applies_at_online = false;
};

/// The current values of a set of declared parameters. Names compare
/// case-insensitively (ASCII), as a cluster's property names do.
class parameter_values {
 public:
  /// The defaults of `declared`. Errors (`invalid_argument`) for declarations
  /// that contradict themselves: an empty or duplicate name, a default of the
  /// wrong type or outside its range, min above max, a dword max above
  /// 0xFFFFFFFF.
  static result<parameter_values> defaults(std::vector<parameter> declared);

  [[nodiscard]] const std::vector<parameter>& declared() const noexcept { return declared_; }

  /// The declaration named `name` (ignoring case), or null.
  [[nodiscard]] const parameter* find(std::string_view name) const noexcept;

  /// Whether `value` is acceptable for `name`. Errors: `property_unknown`
  /// (naming the declared ones), `property_wrong_type`, `property_out_of_range`.
  [[nodiscard]] result<void> check(std::string_view name, const parameter_value& value) const;

  /// Sets one value, checked as by `check`; nothing changes on an error.
  result<void> set(std::string_view name, parameter_value value);

  /// Sets one value from text (an OCF_RESKEY_ value, a scenario's param):
  /// numbers in decimal, multi-strings separated by newlines, binary in hex.
  result<void> set_text(std::string_view name, std::string_view text);

  /// The value of `name` (a declared one).
  [[nodiscard]] const parameter_value& get(std::string_view name) const;
  [[nodiscard]] std::uint64_t number(std::string_view name) const;
  [[nodiscard]] const std::string& text(std::string_view name) const;

  /// Required parameters that were never set (empty when all were).
  [[nodiscard]] std::vector<std::string> missing() const;

  /// The declarations whose values differ between `before` and these (both
  /// of the same declarations), in declaration order.
  [[nodiscard]] std::vector<const parameter*> changed_from(const parameter_values& before) const;

  /// Every value as a property list (CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES).
  [[nodiscard]] std::vector<property_entry> to_property_list() const;

  /// These values with `list` applied, every entry checked first: an unknown
  /// name, a syntax that does not match the declared type, or a value out of
  /// range is an error naming the property, and nothing is applied
  /// (VALIDATE/SET_PRIVATE_PROPERTIES).
  [[nodiscard]] result<parameter_values> with_property_list(
      std::span<const property_entry> list) const;

  friend bool operator==(const parameter_values& a, const parameter_values& b) {
    return a.values_ == b.values_;
  }

 private:
  explicit parameter_values(std::vector<parameter> declared);
  [[nodiscard]] std::size_t index_of(std::string_view name) const;

  std::vector<parameter> declared_;
  std::vector<parameter_value> values_;  // by index in declared_
  std::vector<bool> set_;                // a value was given (not the default)
};

}  // namespace pendop
