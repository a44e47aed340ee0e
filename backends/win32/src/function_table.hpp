// SPDX-License-Identifier: MIT
// The CLRES V1 and V2 function tables a resource DLL hands the Resource
// Monitor from Startup. Their entries carry no context, so each reaches the
// DLL's current adapter (set by a successful Startup) and answers
// ERROR_INVALID_STATE (Open: NULL with that last error) before one exists.
// Arbitrate and Release are NULL in both: a resource with them is taken for
// quorum-capable (the monitor's default CLUSCTL_RESOURCE_GET_CHARACTERISTICS
// then reports CLUS_CHAR_QUORUM), and pendop's resources are not.
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

/// The tables: immutable, alive for the whole process.
[[nodiscard]] CLRES_FUNCTION_TABLE* v1_table() noexcept;
[[nodiscard]] CLRES_FUNCTION_TABLE* v2_table() noexcept;

}  // namespace pendop::win32::detail
