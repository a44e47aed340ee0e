// SPDX-License-Identifier: MIT
#include "check_dll.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

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
    "                       $PENDOP_WIN32_DIR, the bin/ of a MinGW build of pendop)\n"
    "\n"
    "exit codes: 0 every rule passed or was skipped, 1 findings, 2 bad command line, no\n"
    "checker or Wine, or a DLL that cannot be loaded or started\n";

namespace {

constexpr int k_usage = 2;

int fail(const std::string& why) {
  std::fprintf(stderr, "pendop check-dll: %s\n", why.c_str());
  return k_usage;
}

// A Unix path as Wine's Z: drive names it.
std::string wine_path(const std::filesystem::path& p) {
  std::string s = "Z:" + std::filesystem::absolute(p).lexically_normal().string();
  for (char& c : s) c = c == '/' ? '\\' : c;
  return s;
}

bool on_path(const char* program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string dirs = path;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? colon : colon - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

}  // namespace

int check_dll(const std::vector<std::string>& args) {
  std::string dll;
  std::string checker_dir;
  std::vector<std::string> passed;  // to pendop_check.exe, after the DLL
  bool type_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(k_check_dll_help, stdout);
      return 0;
    }
    const bool valued = a == "--type" || a == "--mode" || a == "--budget-scale" ||
                        a == "--pending-timeout" || a == "--scenario" || a == "--checker";
    if (valued && i + 1 >= args.size()) return fail(a + " needs a value (see --help)");
    if (a == "--checker") {
      checker_dir = args[++i];
    } else if (valued) {
      type_given |= a == "--type";
      passed.push_back(a);
      passed.push_back(args[++i]);
    } else if (a == "--json") {
      passed.push_back(a);
    } else if (a.rfind("-", 0) == 0 || !dll.empty()) {
      return fail("unexpected argument \"" + a + "\" (see pendop check-dll --help)");
    } else {
      dll = a;
    }
  }
  if (dll.empty()) return fail("which DLL? (see pendop check-dll --help)");
  if (!type_given) return fail("--type NAME is required: the resource type the DLL implements");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dll, ec)) {
    return fail("cannot read " + dll + ": " +
                (std::filesystem::exists(dll, ec) ? "not a file" : "No such file or directory"));
  }
  if (checker_dir.empty()) {
    const char* env = std::getenv("PENDOP_WIN32_DIR");
    if (!env || !*env) {
      return fail("where is pendop_check.exe? Pass --checker DIR or set PENDOP_WIN32_DIR to "
                  "the bin/ of a MinGW build of pendop (docs/windows-dll.md, \"Testing your "
                  "DLL\")");
    }
    checker_dir = env;
  }
  const std::filesystem::path checker = std::filesystem::path(checker_dir) / "pendop_check.exe";
  for (const char* part : {"pendop_check.exe", "resutils.dll", "clusapi.dll"}) {
    if (!std::filesystem::is_regular_file(std::filesystem::path(checker_dir) / part, ec)) {
      return fail(std::string("no ") + part + " in " + checker_dir +
                  " (it needs pendop_check.exe and the doubles resutils.dll and clusapi.dll)");
    }
  }
  if (!on_path("wine")) return fail("Wine is not installed (apt-get install wine wine64)");

  std::vector<std::string> argv_s = {"wine", checker.string(), wine_path(dll)};
  argv_s.insert(argv_s.end(), passed.begin(), passed.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    if (!std::getenv("WINEDEBUG")) ::setenv("WINEDEBUG", "-all", 1);
    const char* overrides = std::getenv("WINEDLLOVERRIDES");
    std::string o = "resutils,clusapi=n,b";
    if (overrides && *overrides) o += std::string(";") + overrides;
    ::setenv("WINEDLLOVERRIDES", o.c_str(), 1);
    ::execvp("wine", argv.data());
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
