// SPDX-License-Identifier: MIT
// `operation_kind`: which entry point a pending operation runs.
#pragma once

#include <string_view>

namespace pendop {

/// The entry point a pending operation runs.
enum class operation_kind {
  online,   ///< resource::online()
  offline,  ///< resource::offline()
};

/// "Online" or "Offline", the ResApi entry-point names.
[[nodiscard]] constexpr std::string_view to_string(operation_kind k) noexcept {
  return k == operation_kind::online ? "Online" : "Offline";
}

}  // namespace pendop
