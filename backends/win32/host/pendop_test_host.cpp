// SPDX-License-Identifier: MIT
// pendop_test_host: plays the Resource Monitor for a resource DLL, so it can
// be tested without a cluster. Prints every callback and result as a JSON line.
//
//   pendop_test_host DLL TYPE [--startup] [--pending-timeout MS]
//                    [--answer-terminate-from N] COMMAND...
//   pendop_test_host DLL TYPE [--startup] --serve
//
// Commands act on the resource opened last:
//   open:NAME  online  offline  await  terminate  cancel  close
//   looks_alive  is_alive  sleep:MS
//   get  enum  formats  characteristics  dependencies
//   set:NAME=VALUE,...  validate:NAME=VALUE,...
// `await` waits for a final state, calling Terminate when no report arrives
// within the PendingTimeout (default 180000 ms). The property commands send
// CLUSCTL_RESOURCE_GET/ENUM_PRIVATE_PROPERTIES, GET_PRIVATE_PROPERTY_FMTS,
// GET_CHARACTERISTICS, GET_REQUIRED_DEPENDENCIES, SET/VALIDATE_PRIVATE_
// PROPERTIES; `set` and `validate` write each value with the syntax the
// DLL's property formats give (multi-strings separated by '|', binary in
// hex; a name the DLL does not declare goes as a DWORD when it is a number,
// else as a string, for the DLL to refuse).
//
// --serve: the commands come from standard input, one per line (UTF-8), and
// the host stays until standard input ends; this is how `pendop run` hosts a
// DLL (docs/windows-dll.md, "The host's channel"). Each command ends with a
// {"event":"served","text":COMMAND,"rc":R} line (R: 0 done, 2 refused, 4 Open
// failed). A crash ends the host with a {"event":"crash"} line. `terminate`
// does not wait its turn: it runs at once on a thread of its own, as a
// Resource Monitor calls Terminate while Online or Offline may still run.
//
// Exit codes: 0 done, 2 bad command line, 3 the DLL did not load or start,
// 4 Open failed.
#include <pendop/win32/dll_host.hpp>
#include <pendop/win32/win32_error.hpp>

#include <shellapi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using pendop::win32::dll_host;
using pendop::win32::narrow;
using pendop::win32::widen;

namespace {

int usage(const std::string& why) {
  std::fprintf(stderr,
               "pendop_test_host: %s\n"
               "usage: pendop_test_host DLL TYPE [--startup] [--pending-timeout MS]\n"
               "                        [--answer-terminate-from N] COMMAND...\n"
               "       pendop_test_host DLL TYPE [--startup] --serve   (commands on stdin)\n"
               "commands: open:NAME online offline await terminate cancel close looks_alive\n"
               "          is_alive sleep:MS get enum formats characteristics dependencies\n"
               "          set:NAME=VALUE,... validate:NAME=VALUE,...\n",
               why.c_str());
  return 2;
}

bool to_number(const std::wstring& text, unsigned long& out) {
  if (text.empty()) return false;
  wchar_t* end = nullptr;
  out = std::wcstoul(text.c_str(), &end, 10);
  return end && *end == L'\0';
}

// The property list for "NAME=VALUE,...", each value in the syntax `formats`
// (the DLL's GET_PRIVATE_PROPERTY_FMTS answer) gives its name.
pendop::result<std::vector<std::uint8_t>> property_list_of(
    const std::wstring& text, const std::vector<pendop::property_entry>& formats) {
  using pendop::property_syntax;
  std::vector<pendop::property_entry> list;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(L',', start);
    const std::wstring item = text.substr(start, comma == std::wstring::npos ? comma : comma - start);
    start = comma == std::wstring::npos ? text.size() : comma + 1;
    const std::size_t eq = item.find(L'=');
    if (eq == std::wstring::npos) {
      return pendop::make_error(pendop::errc::invalid_argument,
                                "\"" + narrow(item) + "\" is not NAME=VALUE");
    }
    const std::string name = narrow(item.substr(0, eq));
    const std::string value = narrow(item.substr(eq + 1));
    unsigned long number = 0;
    const bool numeric = to_number(item.substr(eq + 1), number);
    std::uint64_t format = numeric ? 2 : 3;  // undeclared: DWORD or SZ
    for (const auto& f : formats) {
      if (pendop::to_utf8(f.name) == name && !f.values.empty()) format = f.values.front().number;
    }
    pendop::property_value v;
    switch (format) {
      case 1:  // binary, in hex
        v.syntax = property_syntax::binary;
        for (std::size_t i = 0; i + 1 < value.size(); i += 2) {
          v.bytes.push_back(static_cast<std::uint8_t>(std::stoul(value.substr(i, 2), nullptr, 16)));
        }
        break;
      case 2:
      case 6:
        v.syntax = format == 2 ? property_syntax::dword : property_syntax::ularge_integer;
        v.number = std::strtoull(value.c_str(), nullptr, 10);
        break;
      case 5: {  // multi-string, '|' between the strings
        v.syntax = property_syntax::multi_sz;
        std::size_t at = 0;
        while (at <= value.size() && !value.empty()) {
          const auto bar = value.find('|', at);
          v.texts.push_back(pendop::to_utf16(value.substr(at, bar == std::string::npos ? bar : bar - at)));
          if (bar == std::string::npos) break;
          at = bar + 1;
        }
        break;
      }
      default:
        v.syntax = format == 4 ? property_syntax::expand_sz : property_syntax::sz;
        v.text = pendop::to_utf16(value);
        break;
    }
    list.push_back({pendop::to_utf16(name), {v}});
  }
  return pendop::encode_property_list(list);
}

// What a command did: 0 done, 2 refused (the text says why), 4 Open failed.
struct command_result {
  int rc = 0;
  std::string why{};
};

// The host's resource, as the commands act on it: the one opened last.
struct session {
  dll_host& host;
  std::atomic<pendop::win32::RESID> id{nullptr};
  unsigned long pending_timeout = 180'000;
  unsigned long answer_from = 0;
};

command_result run_command(session& s, const std::wstring& c) {
  dll_host& h = s.host;
  if (c.rfind(L"open:", 0) == 0) {
    const auto opened = h.open(c.substr(5));
    if (!opened) return {4, "Open returned NULL"};
    s.id = opened;
    if (s.answer_from) h.answer_terminate_from(opened, s.answer_from);
    return {};
  }
  if (c.rfind(L"sleep:", 0) == 0) {
    unsigned long ms = 0;
    if (!to_number(c.substr(6), ms)) return {2, "sleep needs milliseconds"};
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return {};
  }
  const pendop::win32::RESID id = s.id;
  if (!id) return {2, "\"" + narrow(c) + "\" needs an open resource (open:NAME first)"};
  if (c == L"online") {
    (void)h.online(id);
  } else if (c == L"offline") {
    (void)h.offline(id);
  } else if (c == L"await") {
    (void)h.await(id, pendop::milliseconds(s.pending_timeout));
  } else if (c == L"terminate") {
    h.terminate(id);
  } else if (c == L"cancel") {
    (void)h.cancel(id);
  } else if (c == L"close") {
    h.close(id);
    s.id = nullptr;
  } else if (c == L"looks_alive") {
    (void)h.looks_alive(id);
  } else if (c == L"is_alive") {
    (void)h.is_alive(id);
  } else if (c == L"get") {
    (void)h.control(id, pendop::win32::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  } else if (c == L"enum") {
    (void)h.control(id, pendop::win32::CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES);
  } else if (c == L"formats") {
    (void)h.control(id, pendop::win32::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS);
  } else if (c == L"characteristics") {
    (void)h.control(id, pendop::win32::CLUSCTL_RESOURCE_GET_CHARACTERISTICS);
  } else if (c == L"dependencies") {
    (void)h.control(id, pendop::win32::CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES);
  } else if (c.rfind(L"set:", 0) == 0 || c.rfind(L"validate:", 0) == 0) {
    const bool set = c.rfind(L"set:", 0) == 0;
    const auto fmts = h.control(id, pendop::win32::CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS);
    std::vector<pendop::property_entry> formats;
    if (auto decoded = pendop::decode_property_list(fmts.out)) formats = std::move(*decoded);
    auto list = property_list_of(c.substr(set ? 4 : 9), formats);
    if (!list) return {2, list.error().message};
    (void)h.control(id,
                    set ? pendop::win32::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES
                        : pendop::win32::CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES,
                    *list);
  } else {
    return {2, "unknown command \"" + narrow(c) + "\""};
  }
  return {};
}

// One JSON line; stdio keeps a line whole against the DLL's threads' lines.
void print_event(const pendop::win32::host_event& e) {
  std::printf("%s\n", e.to_json().c_str());
  std::fflush(stdout);
}

// {"event":"served","rc":R,"text":COMMAND}: a reply, not something the host
// saw, so it carries no time.
void print_served(const std::wstring& command, const command_result& r) {
  pendop::win32::host_event e;
  e.event = "served";
  e.text = narrow(command);
  e.rc = static_cast<DWORD>(r.rc);
  if (!r.why.empty()) e.text += ": " + r.why;
  std::string line = e.to_json();
  const std::string_view time = "\"t_ms\":0.0,";
  if (line.compare(1, time.size(), time) == 0) line.erase(1, time.size());
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// A DLL that crashes the host ends it at once, saying so on the channel:
// no error dialog, no debugger (Wine's winedbg), nothing to wait for.
LONG WINAPI on_crash(EXCEPTION_POINTERS* e) {
  char line[160];
  const int n = std::snprintf(line, sizeof line,
                              "{\"event\":\"crash\",\"rc\":%lu,\"text\":\"exception 0x%08lx at %p\"}\n",
                              static_cast<unsigned long>(e->ExceptionRecord->ExceptionCode),
                              static_cast<unsigned long>(e->ExceptionRecord->ExceptionCode),
                              e->ExceptionRecord->ExceptionAddress);
  DWORD written = 0;
  if (n > 0) WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), line, static_cast<DWORD>(n), &written, nullptr);
  TerminateProcess(GetCurrentProcess(), e->ExceptionRecord->ExceptionCode);
  return EXCEPTION_EXECUTE_HANDLER;
}

// One line of standard input without its line end; false at its end. A
// line longer than `limit` is read to its end and returned cut short, with
// `too_long` set.
bool read_line(std::string& line, std::size_t limit, bool& too_long) {
  line.clear();
  too_long = false;
  int ch = 0;
  bool any = false;
  while ((ch = std::fgetc(stdin)) != EOF) {
    any = true;
    if (ch == '\n') break;
    if (line.size() < limit) {
      line.push_back(static_cast<char>(ch));
    } else {
      too_long = true;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return any;
}

// --serve: commands from standard input, in order on one thread, except
// `terminate`, which runs at once on a thread of its own.
int serve(session& s) {
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
  SetUnhandledExceptionFilter(on_crash);
  constexpr std::size_t k_max_line = 64 * 1024;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::wstring> queue;
  bool ended = false;
  std::thread executor([&] {
    while (true) {
      std::wstring c;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return ended || !queue.empty(); });
        if (queue.empty()) return;
        c = std::move(queue.front());
        queue.pop_front();
      }
      print_served(c, run_command(s, c));
    }
  });
  std::vector<std::thread> terminators;
  std::string line;
  bool too_long = false;
  while (read_line(line, k_max_line, too_long)) {
    if (line.empty()) continue;
    if (too_long) {
      print_served(widen(line.substr(0, 40)), {2, "longer than 65536 bytes"});
      continue;
    }
    std::wstring c = widen(line);
    if (c == L"terminate") {
      terminators.emplace_back([&s, c] { print_served(c, run_command(s, c)); });
      continue;
    }
    std::lock_guard lk(mu);
    queue.push_back(std::move(c));
    cv.notify_one();
  }
  {
    std::lock_guard lk(mu);
    ended = true;
  }
  cv.notify_one();
  executor.join();
  for (auto& t : terminators) t.join();
  return 0;
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
  o.on_event = print_event;
  unsigned long pending_timeout = 180'000;
  unsigned long answer_from = 0;
  bool serving = false;
  std::vector<std::wstring> commands;
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::wstring& a = args[i];
    if (a == L"--startup") {
      o.startup_ex = false;
    } else if (a == L"--serve") {
      serving = true;
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
  if (serving && !commands.empty()) return usage("--serve takes its commands from standard input");

  auto host = dll_host::load(std::move(o));
  if (!host) {
    std::fprintf(stderr, "pendop_test_host: %s\n", host.error().message.c_str());
    return 3;
  }
  session s{**host};
  s.pending_timeout = pending_timeout;
  s.answer_from = answer_from;
  if (serving) return serve(s);
  for (const std::wstring& c : commands) {
    const command_result r = run_command(s, c);
    if (r.rc == 2) return usage(r.why);
    if (r.rc != 0) return r.rc;
  }
  return 0;
}
