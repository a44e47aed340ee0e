// SPDX-License-Identifier: MIT
// `invoke_operation` and friends: how every host calls resource code, the
// same way on every backend: online()/offline() by `op.kind()`, the health
// checks and terminate(), with any exception or error turned into a value
// whose text says what failed ("Online threw: disk gone", "Offline failed:
// port in use", "IsAlive threw: ...").
#pragma once

#include <pendop/operation.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>

#include <string>

namespace pendop {

/// Calls `res.online(op)` or `res.offline(op)` (per `op.kind()`). Never
/// throws: an exception becomes `errc::worker_threw` with its text, a
/// returned error keeps its code and gets the entry point's name in front.
[[nodiscard]] result<void> invoke_operation(resource& res, operation& op) noexcept;

/// Calls `res.looks_alive()`; an exception counts as not alive, and `why`
/// (when given) gets "LooksAlive threw: <text>".
[[nodiscard]] bool invoke_looks_alive(resource& res, std::string* why = nullptr) noexcept;

/// Calls `res.is_alive()`, as `invoke_looks_alive` does ("IsAlive threw: ...").
[[nodiscard]] bool invoke_is_alive(resource& res, std::string* why = nullptr) noexcept;

/// Calls `res.terminate()`; an exception is caught, and `why` (when given)
/// gets "Terminate threw: <text>". Returns false when it threw.
bool invoke_terminate(resource& res, std::string* why = nullptr) noexcept;

}  // namespace pendop
