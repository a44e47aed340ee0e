// SPDX-License-Identifier: MIT
// pendop_test_host: plays the Resource Monitor for a resource DLL, so it can
// be tested without a cluster. Prints every callback and result as a JSON line.
//
//   pendop_test_host DLL TYPE [--startup] [--pending-timeout MS]
//                    [--answer-terminate-from N] COMMAND...
//
// Commands act on the resource opened last:
//   open:NAME  online  offline  await  terminate  cancel  close
//   looks_alive  is_alive  sleep:MS
// `await` waits for a final state, calling Terminate when no report arrives
// within the PendingTimeout (default 180000 ms).
//
// Exit codes: 0 done, 2 bad command line, 3 the DLL did not load or start,
// 4 Open failed.
#include <pendop/win32/dll_host.hpp>
#include <pendop/win32/win32_error.hpp>

#include <shellapi.h>

#include <cstdio>
#include <cwchar>
#include <string>
#include <thread>
#include <vector>

using pendop::win32::dll_host;
using pendop::win32::narrow;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr,
               "pendop_test_host: %s\n"
               "usage: pendop_test_host DLL TYPE [--startup] [--pending-timeout MS]\n"
               "                        [--answer-terminate-from N] COMMAND...\n"
               "commands: open:NAME online offline await terminate cancel close looks_alive\n"
               "          is_alive sleep:MS\n",
               why.c_str());
  return 2;
}

bool to_number(const std::wstring& text, unsigned long& out) {
  if (text.empty()) return false;
  wchar_t* end = nullptr;
  out = std::wcstoul(text.c_str(), &end, 10);
  return end && *end == L'\0';
}

}  // namespace

int main() {
  int argc = 0;
  LPWSTR* argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (!argv || argc < 3) return usage("expected DLL and TYPE");
  std::vector<std::wstring> args(argv + 1, argv + argc);
  LocalFree(argv);

  dll_host::options o;
  o.dll = args[0];
  o.type = args[1];
  o.on_event = [](const pendop::win32::host_event& e) {
    std::printf("%s\n", e.to_json().c_str());
    std::fflush(stdout);
  };
  unsigned long pending_timeout = 180'000;
  unsigned long answer_from = 0;
  std::vector<std::wstring> commands;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::wstring& a = args[i];
    if (a == L"--startup") {
      o.startup_ex = false;
    } else if (a == L"--pending-timeout" || a == L"--answer-terminate-from") {
      unsigned long v = 0;
      if (i + 1 >= args.size() || !to_number(args[i + 1], v)) {
        return usage(narrow(a) + " needs a number");
      }
      (a == L"--pending-timeout" ? pending_timeout : answer_from) = v;
      ++i;
    } else if (a.rfind(L"--", 0) == 0) {
      return usage("unknown option " + narrow(a));
    } else {
      commands.push_back(a);
    }
  }

  auto host = dll_host::load(std::move(o));
  if (!host) {
    std::fprintf(stderr, "pendop_test_host: %s\n", host.error().message.c_str());
    return 3;
  }
  dll_host& h = **host;
  pendop::win32::RESID id = nullptr;
  for (const std::wstring& c : commands) {
    if (c.rfind(L"open:", 0) == 0) {
      id = h.open(c.substr(5));
      if (!id) return 4;
      if (answer_from) h.answer_terminate_from(id, answer_from);
    } else if (c.rfind(L"sleep:", 0) == 0) {
      unsigned long ms = 0;
      if (!to_number(c.substr(6), ms)) return usage("sleep needs milliseconds");
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    } else if (!id) {
      return usage("\"" + narrow(c) + "\" needs an open resource (open:NAME first)");
    } else if (c == L"online") {
      (void)h.online(id);
    } else if (c == L"offline") {
      (void)h.offline(id);
    } else if (c == L"await") {
      (void)h.await(id, pendop::milliseconds(pending_timeout));
    } else if (c == L"terminate") {
      h.terminate(id);
    } else if (c == L"cancel") {
      (void)h.cancel(id);
    } else if (c == L"close") {
      h.close(id);
      id = nullptr;
    } else if (c == L"looks_alive") {
      (void)h.looks_alive(id);
    } else if (c == L"is_alive") {
      (void)h.is_alive(id);
    } else {
      return usage("unknown command \"" + narrow(c) + "\"");
    }
  }
  return 0;
}
