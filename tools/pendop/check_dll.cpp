// SPDX-License-Identifier: MIT
#include "check_dll.hpp"

#include "exec_args.hpp"
#include "win32_binaries.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

namespace pendop_cli {

const char* const k_check_dll_help =
    "usage: pendop check-dll DLL --type NAME [--json] [--mode v2|v1|both]\n"
    "                        [--budget-scale X] [--pending-timeout MS] [--scenario NAME]\n"
    "                        [--checker DIR]\n"
    "Checks a Windows cluster resource DLL (built with pendop or not) against ResApi's rules,\n"
    "under Wine: Startup and StartupEx, 300 ms entry-point budgets, pending Online and\n"
    "Offline, Terminate while either is pending, Close, Cancel, LooksAlive and IsAlive after\n"
    "Online, private properties and characteristics. Each scenario runs in a process of its\n"
    "own, so a DLL that crashes or hangs is a finding. docs/windows-dll.md lists the rules.\n"
    "\n"
    "  --type NAME          the resource type the DLL implements (required)\n"
    "  --json               one JSON object per rule and mode: rule, mode, result, message\n"
    "  --mode               StartupEx (v2), Startup (v1) or both (default)\n"
    "  --budget-scale X     multiplies every time budget (0.1 to 100; slow machines)\n"
    "  --pending-timeout MS the PendingTimeout enforced (default 10000)\n"
    "  --scenario NAME      only this scenario (repeatable)\n"
    "  --checker DIR        where pendop_check.exe and its doubles are (default:\n"
    "                       $PENDOP_WIN32_DIR, the bin/ of a MinGW build of pendop, else\n"
    "                       PREFIX/lib/pendop/win32 beside this pendop)\n"
    "\n"
    "exit codes: 0 every rule passed or was skipped, 1 findings, 2 bad command line, no\n"
    "checker or Wine, or a DLL that cannot be loaded or started\n";

namespace {

constexpr int k_usage = 2;

int fail(const std::string& why) {
  std::fprintf(stderr, "pendop check-dll: %s\n", why.c_str());
  return k_usage;
}

}  // namespace

int check_dll(const check_dll_options& o) {
  const std::string& dll = o.dll;
  if (dll.empty()) return fail("which DLL? (see pendop check-dll --help)");
  if (o.type.empty()) return fail("--type NAME is required: the resource type the DLL implements");
  std::vector<std::string> passed = {"--type", o.type};  // to pendop_check.exe, after the DLL
  if (o.json) passed.emplace_back("--json");
  for (const auto& [flag, value] : {std::pair<const char*, const std::string&>{"--mode", o.mode},
                                    {"--budget-scale", o.budget_scale},
                                    {"--pending-timeout", o.pending_timeout}}) {
    if (value.empty()) continue;
    passed.emplace_back(flag);
    passed.push_back(value);
  }
  for (const auto& scenario : o.scenarios) {
    passed.emplace_back("--scenario");
    passed.push_back(scenario);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dll, ec)) {
    return fail("cannot read " + dll + ": " +
                (std::filesystem::exists(dll, ec) ? "not a file" : "No such file or directory"));
  }
  const auto found = find_win32_dir(o.checker_dir, "--checker DIR",
                                    {"pendop_check.exe", "resutils.dll", "clusapi.dll"});
  if (!found.problem.empty()) return fail(found.problem);
  if (!wine_installed()) return fail("Wine is not installed (apt-get install wine wine64)");

  const std::filesystem::path checker = std::filesystem::path(found.dir) / "pendop_check.exe";
  std::vector<std::string> argv_s = {"wine", checker.string(), wine_path(dll)};
  argv_s.insert(argv_s.end(), passed.begin(), passed.end());
  const auto env_s = wine_environment();
  const auto argv = exec_args(argv_s);
  const auto envp = exec_args(env_s);
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::execvpe("wine", argv.data(), envp.data());
    std::fprintf(stderr, "pendop check-dll: cannot run wine: %s\n", std::strerror(errno));
    ::_exit(k_usage);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return fail("wine ended by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace pendop_cli
