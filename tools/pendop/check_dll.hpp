// SPDX-License-Identifier: MIT
// `pendop check-dll`: runs pendop_check.exe, the resource-DLL checker, under
// Wine on Linux, with the doubles of resutils.dll and clusapi.dll that sit
// beside it preferred over Wine's stubs. The checker's directory is
// --checker DIR, else found as win32_binaries.hpp says. Its exit code is the
// checker's.
#pragma once

#include <string>
#include <vector>

namespace pendop_cli {

/// The help text of `pendop check-dll`.
extern const char* const k_check_dll_help;

/// Runs `pendop check-dll ARGS...` (ARGS without the command's name).
/// Returns 0 clean, 1 findings, 2 a bad command line or a DLL that cannot
/// be loaded or started; the checker's own output goes to stdout.
int check_dll(const std::vector<std::string>& args);

}  // namespace pendop_cli
