// SPDX-License-Identifier: MIT
// The time vocabulary of pendop. The core never reads a clock: every timing
// rule takes `time_point`s as arguments, so it can be driven by a virtual
// clock in tests and by std::chrono::steady_clock in production.
#pragma once

#include <chrono>

namespace pendop {

/// Monotonic time. The epoch is whatever the driving clock says.
using time_point = std::chrono::steady_clock::time_point;
/// Span of time at the precision of `time_point`.
using duration = std::chrono::steady_clock::duration;
/// ResApi properties are DWORD milliseconds.
using milliseconds = std::chrono::milliseconds;

}  // namespace pendop
