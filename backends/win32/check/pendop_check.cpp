// SPDX-License-Identifier: MIT
// pendop_check: checks any resource DLL (built with pendop or not) against
// ResApi's rules, as docs/resapi.md gives them, in V2 (StartupEx) and V1
// (Startup) modes. Each scenario runs in a process of its own with a
// deadline, so a DLL that crashes or hangs is a finding, not a crash or a
// hang of the checker.
//
//   pendop_check DLL --type NAME [--json] [--mode v2|v1|both]
//                [--budget-scale X] [--pending-timeout MS] [--scenario NAME]
//
// Exit codes: 0 every rule passed (or was skipped), 1 findings, 2 the DLL
// cannot be loaded or started, or a bad command line.
#include "check_rules.hpp"
#include "child_process.hpp"

#include <pendop/win32/win32_error.hpp>

#include <fmt/format.h>

#include <shellapi.h>

#include <algorithm>
#include <cstdio>
#include <cwchar>
#include <sstream>
#include <string>
#include <vector>

using pendop::win32::check_options;
using pendop::win32::finding;
using pendop::win32::narrow;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr,
               "pendop_check: %s\n"
               "usage: pendop_check DLL --type NAME [--json] [--mode v2|v1|both]\n"
               "                    [--budget-scale X] [--pending-timeout MS] [--scenario NAME]\n",
               why.c_str());
  return 2;
}

bool parse_double(const std::wstring& text, double& out) {
  wchar_t* end = nullptr;
  out = std::wcstod(text.c_str(), &end);
  return !text.empty() && end && *end == L'\0';
}

std::wstring self_path() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n < path.size()) {
      path.resize(n);
      return path;
    }
    path.resize(path.size() * 2);
  }
}

// Runs `scenario` in a child process and returns its findings; a child
// that crashes or runs past its deadline fails each rule it did not report.
std::vector<finding> run_isolated(const std::string& scenario, const check_options& o,
                                  const std::wstring& passed_on) {
  using pendop::win32::quote_argument;
  const std::wstring line = quote_argument(self_path()) + L" " + quote_argument(o.dll) +
                            L" --type " + quote_argument(o.type) + passed_on + L" --child " +
                            pendop::win32::widen(scenario) + (o.v1 ? L" --v1" : L"");
  const auto deadline =
      2 * o.pending_timeout +
      pendop::milliseconds(static_cast<long long>(20'000 * o.budget_scale));
  const auto r = pendop::win32::run_child(line, deadline);
  const std::string mode = o.v1 ? "V1" : "V2";
  std::vector<finding> out;
  if (!r.started) {
    out.push_back({"load", mode, "fail", "could not start the checker's child: " + r.error});
    return out;
  }
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) {
    finding f;
    if (finding::from_json(l, f)) out.push_back(std::move(f));
  }
  if (!r.timed_out && r.exit_code == 0) return out;
  const std::string why =
      r.timed_out
          ? fmt::format("the DLL hung: scenario \"{}\" did not end within {} s and was killed",
                        scenario, deadline.count() / 1000)
          : fmt::format("the DLL crashed: scenario \"{}\" ended with {:#x}", scenario,
                        r.exit_code);
  for (const auto& rule : pendop::win32::scenario_rules(scenario)) {
    bool reported = false;
    for (const auto& f : out) reported |= f.rule == rule;
    if (!reported) out.push_back({rule, mode, "fail", why});
  }
  return out;
}

}  // namespace

int main() {
  int argc = 0;
  LPWSTR* argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (!argv || argc < 2) return usage("expected a DLL");
  std::vector<std::wstring> args(argv + 1, argv + argc);
  LocalFree(argv);

  check_options o;
  o.dll = args[0];
  bool json = false;
  bool type_given = false;
  std::wstring mode = L"both";
  std::string child;
  std::vector<std::string> only;
  std::wstring passed_on;  // the options a child needs too
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::wstring& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == L"--json") {
      json = true;
    } else if (a == L"--v1") {
      o.v1 = true;
    } else if (!has_value && (a == L"--type" || a == L"--mode" || a == L"--budget-scale" ||
                              a == L"--pending-timeout" || a == L"--scenario" || a == L"--child")) {
      return usage(narrow(a) + " needs a value");
    } else if (a == L"--type") {
      o.type = args[++i];
      type_given = true;
    } else if (a == L"--mode") {
      mode = args[++i];
      if (mode != L"v1" && mode != L"v2" && mode != L"both") {
        return usage("--mode is v1, v2 or both, not \"" + narrow(mode) + "\"");
      }
    } else if (a == L"--budget-scale") {
      if (!parse_double(args[++i], o.budget_scale) || o.budget_scale < 0.1 ||
          o.budget_scale > 100) {
        return usage("--budget-scale takes a number from 0.1 to 100");
      }
      passed_on += L" --budget-scale " + args[i];
    } else if (a == L"--pending-timeout") {
      double ms = 0;
      if (!parse_double(args[++i], ms) || ms < 10 || ms > 3'600'000) {
        return usage("--pending-timeout takes milliseconds from 10 to 3600000");
      }
      o.pending_timeout = pendop::milliseconds(static_cast<long long>(ms));
      passed_on += L" --pending-timeout " + args[i];
    } else if (a == L"--scenario") {
      only.push_back(narrow(args[++i]));
    } else if (a == L"--child") {
      child = narrow(args[++i]);
    } else {
      return usage("unknown argument \"" + narrow(a) + "\"");
    }
  }
  if (!type_given || o.type.empty()) return usage("--type NAME is required (the resource type)");
  const auto& names = pendop::win32::scenario_names();
  for (const auto& s : only) {
    if (std::find(names.begin(), names.end(), s) == names.end()) {
      return usage("unknown scenario \"" + s + "\"");
    }
  }

  if (!child.empty()) {  // one scenario, in this process
    // A DLL that crashes ends this process at once with the exception's
    // code: no error dialog, no debugger (Wine's winedbg), nothing to wait for.
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter([](EXCEPTION_POINTERS* e) -> LONG {
      TerminateProcess(GetCurrentProcess(), e->ExceptionRecord->ExceptionCode);
      return EXCEPTION_EXECUTE_HANDLER;
    });
    pendop::win32::run_scenario(child, o, [](const finding& f) {
      std::printf("%s\n", f.to_json().c_str());
      std::fflush(stdout);
    });
    return 0;
  }

  if (GetFileAttributesW(o.dll.c_str()) == INVALID_FILE_ATTRIBUTES) {
    std::fprintf(stderr, "pendop_check: %s: %s\n", narrow(o.dll).c_str(),
                 pendop::win32::from_win32_error(GetLastError()).message().c_str());
    return 2;
  }
  std::size_t passed = 0, failed = 0, skipped = 0;
  bool unloadable = false;
  for (const bool v1 : {false, true}) {
    if ((v1 && mode == L"v2") || (!v1 && mode == L"v1")) continue;
    o.v1 = v1;
    for (const auto& scenario : names) {
      if (!only.empty() && std::find(only.begin(), only.end(), scenario) == only.end()) continue;
      for (const auto& f : run_isolated(scenario, o, passed_on)) {
        if (f.rule == "load") unloadable = true;
        (f.result == "pass" ? passed : f.result == "fail" ? failed : skipped) += 1;
        if (json) {
          std::printf("%s\n", f.to_json().c_str());
        } else {
          std::printf("%-4s %s %-26s %s\n",
                      f.result == "pass" ? "PASS" : f.result == "fail" ? "FAIL" : "SKIP",
                      f.mode.c_str(), f.rule.c_str(), f.message.c_str());
        }
        std::fflush(stdout);
      }
      if (unloadable) break;
    }
    if (unloadable) break;
  }
  if (!json) {
    std::printf("pendop_check: %zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
  }
  return unloadable ? 2 : failed > 0 ? 1 : 0;
}
