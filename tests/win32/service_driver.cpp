// SPDX-License-Identifier: MIT
// Drives the example Windows service through the Service Control Manager,
// as an administrator's tools would: CreateService, StartService with
// arguments, QueryServiceStatusEx until RUNNING, ControlService(STOP),
// QueryServiceStatusEx until STOPPED, DeleteService. Checks each status it
// saw (START_PENDING and STOP_PENDING with rising checkpoints, nothing but
// STOPPED after them, the exit code) and, from the service's log, that
// every resource came Online before RUNNING and was down before STOPPED.
//
//   pendop_test_service_driver SERVICE_EXE LOG_FILE [EXPECT...] [-- SERVICE_ARGS...]
//
// EXPECT: --exit N (the service-specific exit code; 0: none, the default),
// --terminated NAME (a resource its Offline could not take down in time),
// --not-stopped NAME (one still running when the stop budget ran out),
// --no-start (the service stops without reaching RUNNING).
// Prints one line per check and "service_driver: N passed, M failed".
#include <nlohmann/json.hpp>

#include <windows.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct tally {
  int passed = 0;
  int failed = 0;
  void operator()(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    std::fflush(stdout);
    (ok ? passed : failed)++;
  }
};

const char* state_name(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    case SERVICE_CONTINUE_PENDING: return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING: return "PAUSE_PENDING";
    case SERVICE_PAUSED: return "PAUSED";
    default: return "?";
  }
}

struct sample {
  DWORD state;
  DWORD checkpoint;
  DWORD wait_hint;
  DWORD process;  // the service's process id while it runs, else 0
  friend bool operator==(const sample&, const sample&) = default;
};

std::wstring full_path(const wchar_t* path) {
  wchar_t buffer[MAX_PATH];
  const DWORD n = ::GetFullPathNameW(path, MAX_PATH, buffer, nullptr);
  return n > 0 && n < MAX_PATH ? std::wstring(buffer, n) : std::wstring(path);
}

std::string narrow(const std::wstring& w) {
  std::string out;
  for (const wchar_t c : w) out += c < 128 ? static_cast<char>(c) : '?';
  return out;
}

// Polls the service's status until `until` says stop or `limit` passes;
// every distinct status seen is appended to `seen`.
template <typename Until>
bool poll(SC_HANDLE service, std::vector<sample>& seen, Until until,
          std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    SERVICE_STATUS_PROCESS s{};
    DWORD needed = 0;
    if (!::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&s),
                                sizeof s, &needed)) {
      std::printf("QueryServiceStatusEx failed: error %lu\n", ::GetLastError());
      return false;
    }
    const sample now{s.dwCurrentState, s.dwCheckPoint, s.dwWaitHint, s.dwProcessId};
    if (seen.empty() || !(seen.back() == now)) {
      seen.push_back(now);
      std::printf("  status %s checkpoint %lu wait_hint %lu\n", state_name(now.state),
                  now.checkpoint, now.wait_hint);
    }
    if (until(s)) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// Checkpoints of `state` in `seen` rise from 1 with no step back.
bool checkpoints_rise(const std::vector<sample>& seen, DWORD state, std::size_t& distinct) {
  DWORD last = 0;
  distinct = 0;
  for (const auto& s : seen) {
    if (s.state != state) continue;
    if (s.checkpoint < 1 || s.checkpoint < last) return false;
    if (s.checkpoint > last) ++distinct;
    last = s.checkpoint;
  }
  return distinct > 0;
}

// The log's lines, parsed; lines that are not JSON are reported and skipped.
std::vector<nlohmann::json> read_log(const std::wstring& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in{std::filesystem::path(path)};
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      std::printf("  log: not JSON: %s\n", line.c_str());
      continue;
    }
    lines.push_back(std::move(j));
  }
  return lines;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (argc < 3) {
    std::fputs("usage: pendop_test_service_driver SERVICE_EXE LOG_FILE [--exit N] "
               "[--terminated NAME]... [--not-stopped NAME]... [--no-start] "
               "[-- SERVICE_ARGS...]\n",
               stderr);
    return 2;
  }
  tally check;
  const std::wstring exe = full_path(argv[1]);
  const std::wstring log = full_path(argv[2]);
  DWORD expect_exit = 0;
  std::set<std::string> expect_terminated;
  std::set<std::string> expect_not_stopped;
  bool expect_start = true;
  std::vector<const wchar_t*> args;  // StartService's: ServiceMain gets them after its name
  for (int i = 3; i < argc; ++i) {
    const std::wstring_view arg = argv[i];
    if (arg == L"--") {
      for (++i; i < argc; ++i) args.push_back(argv[i]);
    } else if (arg == L"--exit" && i + 1 < argc) {
      expect_exit = static_cast<DWORD>(std::wcstoul(argv[++i], nullptr, 10));
    } else if (arg == L"--terminated" && i + 1 < argc) {
      expect_terminated.insert(narrow(argv[++i]));
    } else if (arg == L"--not-stopped" && i + 1 < argc) {
      expect_not_stopped.insert(narrow(argv[++i]));
    } else if (arg == L"--no-start") {
      expect_start = false;
    } else {
      std::fprintf(stderr, "pendop_test_service_driver: unknown argument \"%s\"\n",
                   narrow(std::wstring(arg)).c_str());
      return 2;
    }
  }
  ::DeleteFileW(log.c_str());
  // A name of its own: runs beside each other, or beside a leftover, do not meet.
  const std::wstring name = L"pendop-test-" + std::to_wstring(::GetCurrentProcessId());

  SC_HANDLE scm = ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS);
  check(scm != nullptr, "OpenSCManager");
  if (scm == nullptr) return 1;
  const std::wstring bin_path = L"\"" + exe + L"\" --log \"" + log + L"\"";
  const std::wstring display = L"pendop example service " + name;  // unique too
  SC_HANDLE service = ::CreateServiceW(scm, name.c_str(), display.c_str(),
                                       SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                                       SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL,
                                       bin_path.c_str(), nullptr, nullptr, nullptr, nullptr,
                                       nullptr);
  check(service != nullptr, "CreateService " + narrow(name) + " (error " +
                                std::to_string(service ? 0 : ::GetLastError()) + ")");
  if (service == nullptr) return 1;

  const BOOL started = ::StartServiceW(service, static_cast<DWORD>(args.size()),
                                       args.empty() ? nullptr : args.data());
  check(started != FALSE,
        "StartService (error " + std::to_string(started ? 0 : ::GetLastError()) + ")");

  std::vector<sample> seen;
  const bool settled = started && poll(service, seen, [](const SERVICE_STATUS_PROCESS& s) {
    return s.dwCurrentState == SERVICE_RUNNING || s.dwCurrentState == SERVICE_STOPPED;
  }, 60s);
  const bool running = settled && seen.back().state == SERVICE_RUNNING;
  check(running == expect_start,
        expect_start ? "the service reached RUNNING" : "the service stopped without RUNNING");
  std::size_t start_steps = 0;
  const bool start_rose = checkpoints_rise(seen, SERVICE_START_PENDING, start_steps);
  if (expect_start) {
    check(start_rose && !seen.empty() && seen.front().state == SERVICE_START_PENDING,
          "START_PENDING came first, its checkpoints rising from 1 (" +
              std::to_string(start_steps) + " seen)");
  } else {
    // A start refused at once may be over before the first query.
    check(start_rose || (!seen.empty() && seen.front().state == SERVICE_STOPPED),
          "START_PENDING, if seen, came first with rising checkpoints (" +
              std::to_string(start_steps) + " seen)");
  }

  std::vector<sample> stop_seen;
  if (running) {
    SERVICE_STATUS after_stop{};
    const BOOL stopping = ::ControlService(service, SERVICE_CONTROL_STOP, &after_stop);
    check(stopping != FALSE && after_stop.dwCurrentState == SERVICE_STOP_PENDING,
          "ControlService(SERVICE_CONTROL_STOP) answered " +
              std::string(state_name(after_stop.dwCurrentState)) + " (error " +
              std::to_string(stopping ? 0 : ::GetLastError()) + ")");
    const auto asked = std::chrono::steady_clock::now();
    const bool stopped = poll(service, stop_seen, [](const SERVICE_STATUS_PROCESS& s) {
      return s.dwCurrentState == SERVICE_STOPPED;
    }, 60s);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - asked);
    check(stopped, "the service reached STOPPED, " + std::to_string(took.count()) +
                       " ms after the STOP");
    std::size_t stop_steps = 0;
    const bool stop_rose = checkpoints_rise(stop_seen, SERVICE_STOP_PENDING, stop_steps);
    check(stop_rose && stop_steps >= 2,
          "STOP_PENDING with rising checkpoints (" + std::to_string(stop_steps) + " seen)");
    bool only_stop_states = true;
    for (const auto& st : stop_seen) {
      only_stop_states &= st.state == SERVICE_STOP_PENDING || st.state == SERVICE_STOPPED;
    }
    check(only_stop_states, "after STOP: only STOP_PENDING, then STOPPED");
  } else if (settled) {
    // A start that failed: the service went through STOP_PENDING to STOPPED itself.
    check(seen.back().state == SERVICE_STOPPED, "the failed start ended in STOPPED");
  }
  SERVICE_STATUS_PROCESS last{};
  DWORD needed = 0;
  ::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&last),
                         sizeof last, &needed);
  const DWORD expect_win32 = expect_exit == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
  check(last.dwWin32ExitCode == expect_win32 &&
            (expect_exit == 0 || last.dwServiceSpecificExitCode == expect_exit),
        "exit code: win32 " + std::to_string(last.dwWin32ExitCode) + ", service-specific " +
            std::to_string(last.dwServiceSpecificExitCode) + " (expected " +
            std::to_string(expect_win32) + ", " + std::to_string(expect_exit) + ")");

  // The service's process ends after its last report: nothing it started is
  // left behind, not even a thread that ignored Terminate.
  DWORD process = 0;
  for (const auto* samples : {&seen, &stop_seen}) {
    for (const auto& st : *samples) process = st.process != 0 ? st.process : process;
  }
  if (process != 0) {
    HANDLE h = ::OpenProcess(SYNCHRONIZE, FALSE, process);
    // No such process any more: ERROR_INVALID_PARAMETER.
    const bool ended = h == nullptr ? ::GetLastError() == ERROR_INVALID_PARAMETER
                                    : ::WaitForSingleObject(h, 10000) == WAIT_OBJECT_0;
    if (h != nullptr) ::CloseHandle(h);
    check(ended, "the service's process " + std::to_string(process) + " ended");
  }

  const BOOL deleted = ::DeleteService(service);
  check(deleted != FALSE, "DeleteService (error " + std::to_string(deleted ? 0 : ::GetLastError()) + ")");
  ::CloseServiceHandle(service);
  // Deleted once its last handle is closed and it has stopped: both are so.
  DWORD open_error = 0;
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < give_up) {
    SC_HANDLE still = ::OpenServiceW(scm, name.c_str(), SERVICE_QUERY_STATUS);
    open_error = still == nullptr ? ::GetLastError() : 0;
    if (still == nullptr) break;
    ::CloseServiceHandle(still);
    std::this_thread::sleep_for(20ms);
  }
  check(open_error == ERROR_SERVICE_DOES_NOT_EXIST,
        "the service is gone from the SCM (OpenService: error " + std::to_string(open_error) +
            ")");
  ::CloseServiceHandle(scm);

  // The log: each resource Online before "running", down before "stopped"
  // (unless expected to outlive the budget), nothing after "stopped".
  const auto lines = read_log(log);
  std::map<std::string, std::string> state;
  std::map<std::string, std::string> state_at_running;
  std::map<std::string, std::string> state_at_stopped;
  bool saw_running = false;
  bool after_stopped = false;
  const nlohmann::json* stopped_line = nullptr;
  const nlohmann::json* shutdown_line = nullptr;
  for (const auto& j : lines) {
    if (stopped_line != nullptr) after_stopped = true;
    if (j.value("service", "") == "shutdown") shutdown_line = &j;
    if (j.contains("resource") && j.value("event", "") == "status") {
      state[j["resource"].get<std::string>()] = j.value("to", "");
    }
    if (j.value("service", "") == "running") {
      saw_running = true;
      state_at_running = state;
    }
    if (j.value("service", "") == "stopped") {
      state_at_stopped = state;
      stopped_line = &j;
    }
    if (j.value("service", "") == "error") std::printf("  log: %s\n", j.dump().c_str());
  }
  if (expect_start) {
    check(!state.empty(), "the log has the resources' events (" + std::to_string(lines.size()) +
                              " lines, " + std::to_string(state.size()) + " resources)");
    bool all_online = saw_running && state_at_running.size() == state.size();
    for (const auto& [resource, st] : state_at_running) all_online &= st == "Online";
    check(all_online, "every resource was Online before the service said running");
  }
  bool all_down = stopped_line != nullptr;
  for (const auto& [resource, st] : state_at_stopped) {
    all_down &= st == "Offline" || expect_not_stopped.count(resource) > 0;
  }
  check(all_down, "every resource was down before the service said stopped");
  check(stopped_line != nullptr && !after_stopped,
        "nothing was logged after the service said stopped");
  check(stopped_line != nullptr && (*stopped_line)["exit"] == expect_exit,
        "the log's last line is the service's exit: " +
            (stopped_line != nullptr ? stopped_line->dump() : std::string("none")));
  check((shutdown_line != nullptr) == expect_start,
        expect_start ? "the monitor was shut down" : "no resource was ever started");
  if (shutdown_line != nullptr) {
    const auto names = [&](const char* key) {
      std::set<std::string> out;
      for (const auto& n : (*shutdown_line)[key]) out.insert(n.get<std::string>());
      return out;
    };
    std::set<std::string> offline_expected;
    if (expect_start) {
      for (const auto& [resource, st] : state) {
        if (!expect_terminated.count(resource) && !expect_not_stopped.count(resource)) {
          offline_expected.insert(resource);
        }
      }
    }
    check(names("taken_offline") == offline_expected &&
              names("terminated") == expect_terminated &&
              names("not_stopped") == expect_not_stopped,
          "the shutdown's report: " + shutdown_line->dump());
  }

  std::printf("service_driver: %d passed, %d failed\n", check.passed, check.failed);
  return check.failed == 0 ? 0 : 1;
}
