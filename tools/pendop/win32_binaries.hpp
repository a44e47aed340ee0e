// SPDX-License-Identifier: MIT
// The Windows programs `pendop` runs under Wine (pendop_check.exe,
// pendop_test_host.exe and the doubles of resutils.dll and clusapi.dll that
// sit beside them): where they are, and the environment Wine runs them in.
// They are looked for in the directory given (--checker, a scenario's
// host_dir), else in $PENDOP_WIN32_DIR, else in <prefix>/lib/pendop/win32
// beside this pendop (<prefix>/bin/pendop).
#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace pendop_cli {

/// A directory with every file asked for, or why there is none.
struct win32_dir {
  std::string dir;
  std::string problem;  ///< empty when `dir` holds them all
};

/// Finds the directory holding `needs`. `given` is what the user named
/// (empty: look in the usual places); `how_to_name` says how they name one
/// in a message ("--checker DIR").
[[nodiscard]] win32_dir find_win32_dir(const std::string& given, std::string_view how_to_name,
                                       std::initializer_list<const char*> needs);

/// A Unix path as Wine's Z: drive names it.
[[nodiscard]] std::string wine_path(const std::filesystem::path& p);

/// True when `wine` is on PATH.
[[nodiscard]] bool wine_installed();

/// This process's environment as Wine should get it: WINEDEBUG=-all unless
/// set, and the doubles beside the program preferred to Wine's own
/// resutils.dll and clusapi.dll (WINEDLLOVERRIDES).
[[nodiscard]] std::vector<std::string> wine_environment();

}  // namespace pendop_cli
