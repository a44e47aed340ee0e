// SPDX-License-Identifier: MIT
// The CLRES V1 and V2 function tables a resource DLL hands the Resource
// Monitor from Startup. Their entries carry no context, so each reaches the
// DLL's current adapter (set by a successful Startup) and answers
// ERROR_INVALID_STATE (Open: NULL with that last error) before one exists.
// Arbitrate and Release are NULL unless the type is quorum-capable: a
// resource with them is taken for one (the monitor's default
// CLUSCTL_RESOURCE_GET_CHARACTERISTICS then reports CLUS_CHAR_QUORUM).
#pragma once

#include <pendop/win32/resapi.hpp>

namespace pendop::win32 {
class resource_dll;
}  // namespace pendop::win32

namespace pendop::win32::detail {

/// The adapter the table entries call from now on.
void set_current(resource_dll* dll) noexcept;

/// Forgets `dll` if it is the current adapter (it is being destroyed).
void clear_current(resource_dll* dll) noexcept;

/// The tables (with Arbitrate and Release for a quorum-capable type):
/// immutable, alive for the whole process.
[[nodiscard]] CLRES_FUNCTION_TABLE* v1_table(bool quorum) noexcept;
[[nodiscard]] CLRES_FUNCTION_TABLE* v2_table(bool quorum) noexcept;

}  // namespace pendop::win32::detail
