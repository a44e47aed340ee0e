// SPDX-License-Identifier: MIT
// `invoke_operation`: runs a resource's online() or offline() for a host, the
// same way on every backend: the entry point named by `op.kind()`, with any
// exception or error turned into an `error` whose message says what failed
// ("Online threw: disk gone", "Offline failed: port in use").
#pragma once

#include <pendop/operation.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>

namespace pendop {

/// Calls `res.online(op)` or `res.offline(op)` (per `op.kind()`). Never
/// throws: an exception becomes `errc::worker_threw` with its text, a
/// returned error keeps its code and gets the entry point's name in front.
[[nodiscard]] result<void> invoke_operation(resource& res, operation& op) noexcept;

}  // namespace pendop
