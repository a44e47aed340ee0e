// SPDX-License-Identifier: MIT
// `progress`: what a worker says about a pending operation each time it
// reports. ResApi's RESOURCE_STATUS carries only a checkpoint; pendop adds a
// stage name, an optional percentage and free text for diagnostics.
#pragma once

#include <pendop/time.hpp>

#include <optional>
#include <string>

namespace pendop {

/// One progress report from a worker.
struct progress {
  std::string stage{};              ///< short machine-friendly step name ("mount", "start")
  std::optional<int> percent{};     ///< 0..100 when known; clamped on report
  std::string text{};               ///< free text for people
  milliseconds wait_hint{0};        ///< RESOURCE_STATUS.WaitHint (unused by the RM, kept for parity)
};

}  // namespace pendop
