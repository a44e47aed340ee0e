// SPDX-License-Identifier: MIT
// `started_operation`: what starting an Online or Offline gives back: the
// operation's id (the `operation` of every report it makes, and what a host
// waits on) and the state it is in right away (pending, or settled at once
// when there was nothing to do).
#pragma once

#include <pendop/states.hpp>
#include <pendop/status_report.hpp>

#include <cstdint>
#include <functional>

namespace pendop {

struct started_operation {
  std::uint64_t id = 0;
  resource_state state = resource_state::unknown;

  /// Code that only needs the state reads it as before.
  operator resource_state() const noexcept { return state; }  // NOLINT(google-explicit-constructor)
};

/// Called once with an operation's final report, after the host's own sink
/// or channel got it (or at once, when it had already ended).
using completion = std::function<void(const status_report&)>;

}  // namespace pendop
