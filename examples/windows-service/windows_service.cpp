// SPDX-License-Identifier: MIT
// A Windows service that embeds pendop's monitor: ResApi's pending-operation
// model one level up. The Service Control Manager (SCM) starts the service;
// the service brings its resources online through the monitor and reports
// SERVICE_START_PENDING with a checkpoint that rises with every report of
// progress, then SERVICE_RUNNING. On SERVICE_CONTROL_STOP (or SHUTDOWN) it
// reports SERVICE_STOP_PENDING the same way while the monitor takes every
// resource offline within the stop budget (terminating what does not make
// it), and reports SERVICE_STOPPED only once they are down. While it runs,
// the monitor polls their health and applies the restart policy.
//
//   pendop_windows_service.exe [--log FILE] [--stop-budget-ms N]
//                              [--resource NAME=SETTINGS]...
//
// The options come from the service's command line (its binPath) and from
// the arguments given to StartService, in that order. Each --resource adds
// an example resource (SETTINGS as "online_ms=800;offline_ms=600", see
// <pendop/example/example_resource.hpp>); without any, two: "database" and
// "web". --log writes every monitor event as a JSON line, and the service's
// own steps as {"service": ...} lines; without it they go to the debugger
// (OutputDebugString). Started from a console instead of by the SCM, it
// says how to install it and exits with 2.
#include <pendop/example/example_resource.hpp>
#include <pendop/posix/monitor.hpp>

#include <windows.h>
#include <shellapi.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr wchar_t k_service_name[] = L"pendop-example";

// ---------------------------------------------------------------- options

struct resource_spec {
  std::string name;
  std::string settings;
};

struct service_options {
  std::wstring log;
  std::chrono::milliseconds stop_budget{10000};
  std::vector<resource_spec> resources;
  std::string error;  // set when an argument is wrong
};

std::string narrow(std::wstring_view w) {
  if (w.empty()) return {};
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr,
                                         0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), out.data(), size,
                        nullptr, nullptr);
  return out;
}

void parse_options(int argc, wchar_t** argv, service_options& o) {
  for (int i = 0; i < argc; ++i) {
    const std::wstring_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == L"--log" && has_value) {
      o.log = argv[++i];
    } else if (arg == L"--stop-budget-ms" && has_value) {
      const std::wstring value = argv[++i];
      wchar_t* end = nullptr;
      const unsigned long ms = std::wcstoul(value.c_str(), &end, 10);
      if (value.empty() || *end != L'\0' || ms < 100 || ms > 600000) {
        o.error = "--stop-budget-ms: \"" + narrow(value) + "\" is not a number of 100..600000";
        return;
      }
      o.stop_budget = std::chrono::milliseconds(ms);
    } else if (arg == L"--resource" && has_value) {
      const std::string spec = narrow(argv[++i]);
      const auto eq = spec.find('=');
      if (eq == 0 || eq == std::string::npos) {
        o.error = "--resource: \"" + spec + "\" is not NAME=SETTINGS";
        return;
      }
      o.resources.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
    } else {
      o.error = "unknown argument or missing value: \"" + narrow(arg) + "\"";
      return;
    }
  }
}

// ---------------------------------------------------------------- the log

// One line per event, flushed at once: the service may be killed at any time.
class event_log {
 public:
  explicit event_log(const std::wstring& path) {
    if (!path.empty()) file_ = ::_wfopen(path.c_str(), L"a");
  }
  ~event_log() {
    if (file_ != nullptr) std::fclose(file_);
  }
  event_log(const event_log&) = delete;
  event_log& operator=(const event_log&) = delete;

  [[nodiscard]] bool failed_to_open(const std::wstring& path) const {
    return !path.empty() && file_ == nullptr;
  }

  void line(const std::string& text) {
    std::lock_guard lk(mu_);
    if (file_ == nullptr) {
      ::OutputDebugStringA((text + "\n").c_str());
      return;
    }
    std::fputs(text.c_str(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

// ------------------------------------------------- the status for the SCM

// SERVICE_STATUS as the SCM wants it: a pending state carries a checkpoint
// that rises with each sign of progress and a wait hint within which the
// next one is due; the other states carry neither.
class service_status {
 public:
  explicit service_status(SERVICE_STATUS_HANDLE handle) : handle_(handle) {
    status_.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  }

  void pending(DWORD state, std::chrono::milliseconds wait_hint) {
    std::lock_guard lk(mu_);
    status_.dwCurrentState = state;
    status_.dwControlsAccepted = 0;  // no STOP while starting or stopping
    status_.dwCheckPoint = 1;
    status_.dwWaitHint = static_cast<DWORD>(wait_hint.count());
    ::SetServiceStatus(handle_, &status_);
  }

  /// A report of progress: the checkpoint rises, while a state is pending.
  void progress() {
    std::lock_guard lk(mu_);
    if (status_.dwCurrentState != SERVICE_START_PENDING &&
        status_.dwCurrentState != SERVICE_STOP_PENDING) {
      return;
    }
    ++status_.dwCheckPoint;
    ::SetServiceStatus(handle_, &status_);
  }

  void running() {
    std::lock_guard lk(mu_);
    status_.dwCurrentState = SERVICE_RUNNING;
    status_.dwControlsAccepted = SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
    status_.dwCheckPoint = 0;
    status_.dwWaitHint = 0;
    ::SetServiceStatus(handle_, &status_);
  }

  /// The last report: the SCM may end the process once it has it.
  void stopped(DWORD service_specific_error) {
    std::lock_guard lk(mu_);
    status_.dwCurrentState = SERVICE_STOPPED;
    status_.dwControlsAccepted = 0;
    status_.dwCheckPoint = 0;
    status_.dwWaitHint = 0;
    status_.dwWin32ExitCode = service_specific_error == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    status_.dwServiceSpecificExitCode = service_specific_error;
    ::SetServiceStatus(handle_, &status_);
  }

 private:
  std::mutex mu_;
  SERVICE_STATUS_HANDLE handle_;
  SERVICE_STATUS status_{};
};

// The exit codes the service reports as its service-specific error.
constexpr DWORD bad_arguments = 1;
constexpr DWORD log_not_opened = 2;
constexpr DWORD monitor_not_created = 3;
constexpr DWORD resource_not_added = 4;
constexpr DWORD start_failed = 5;
constexpr DWORD resources_left_running = 6;

// ---------------------------------------------------------------- the service

// What the control handler shares with the service's thread.
struct stop_request {
  std::mutex mu;
  std::condition_variable cv;
  bool requested = false;
  service_status* status = nullptr;  // set before the SCM may send a STOP
  std::chrono::milliseconds budget{};
};

DWORD WINAPI control_handler(DWORD control, DWORD, void*, void* context) {
  auto& stop = *static_cast<stop_request*>(context);
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN: {
      // STOP_PENDING before the handler returns: ControlService's caller
      // sees the stop under way, never RUNNING after it asked.
      std::lock_guard lk(stop.mu);
      if (!stop.requested && stop.status != nullptr) {
        stop.status->pending(SERVICE_STOP_PENDING, stop.budget);
      }
      stop.requested = true;
      stop.cv.notify_all();
      return NO_ERROR;
    }
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string json_names(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? "," : "") + json_string(n);
  return out + "]";
}

// Brings the resources online, waits for a stop, takes them offline; returns
// the service-specific error (0: none). `status` is START_PENDING on entry.
DWORD run_service(const service_options& options, service_status& status, stop_request& stop,
                  event_log& log) {
  auto monitor = pendop::posix::monitor::create();
  if (!monitor) {
    log.line(R"({"service":"error","error":)" + json_string(monitor.error().message) + "}");
    return monitor_not_created;
  }
  const auto epoch = monitor->epoch();
  // Every event goes to the log, and while the service is pending each one
  // is progress for the SCM: the checkpoint rises as the resources report.
  auto events = monitor->subscribe([&](const pendop::monitor_event& e) {
    log.line(pendop::to_json_line(e, epoch));
    status.progress();
  });

  std::vector<resource_spec> resources = options.resources;
  if (resources.empty()) {
    resources = {{"database", "online_ms=800;offline_ms=600;report_ms=100"},
                 {"web", "online_ms=400;offline_ms=300;report_ms=100"}};
  }
  pendop::resource_properties properties;
  properties.pending_timeout = 30s;
  for (const auto& r : resources) {
    auto config = pendop::example::parse_example_config(r.settings);
    if (!config) {
      log.line(R"({"service":"error","resource":)" + json_string(r.name) + R"(,"error":)" +
               json_string(config.error().message) + "}");
      return resource_not_added;
    }
    auto res = std::make_shared<pendop::example::example_resource>(*config);
    if (auto added = monitor->add(r.name, std::move(res), properties); !added) {
      log.line(R"({"service":"error","resource":)" + json_string(r.name) + R"(,"error":)" +
               json_string(added.error().message) + "}");
      return resource_not_added;
    }
  }

  // Start: every resource's Online at once, each bounded by its
  // PendingTimeout; the service runs only once all are Online.
  bool started = true;
  for (const auto& r : resources) {
    if (auto begun = monitor->online(r.name); !begun) started = false;
  }
  for (const auto& r : resources) {
    auto settled = monitor->wait_settled(r.name, properties.pending_timeout + 5s);
    if (!settled || *settled != pendop::resource_state::online) started = false;
  }
  if (started) {
    {
      std::lock_guard lk(stop.mu);
      stop.status = &status;  // from now on the SCM may send STOP
      stop.budget = options.stop_budget;
    }
    status.running();
    log.line(R"({"service":"running"})");
    std::unique_lock lk(stop.mu);
    stop.cv.wait(lk, [&] { return stop.requested; });
  } else {
    status.pending(SERVICE_STOP_PENDING, options.stop_budget);
  }

  // Stop (or a start that failed): STOP_PENDING, the checkpoint rising with
  // each event, while the monitor takes the resources offline within the
  // budget and terminates what does not go offline in time.
  log.line(R"({"service":"stop_pending"})");
  const auto report = monitor->shutdown(options.stop_budget);
  events.reset();  // no event after this line
  log.line(R"({"service":"shutdown","taken_offline":)" + json_names(report.taken_offline) +
           R"(,"terminated":)" + json_names(report.terminated) + R"(,"not_stopped":)" +
           json_names(report.not_stopped) + R"(,"zombies":)" + std::to_string(report.zombies) +
           "}");
  if (!started) return start_failed;
  return report.complete() ? 0 : resources_left_running;
}

void WINAPI service_main(DWORD argc, wchar_t** argv) {
  stop_request stop;
  const SERVICE_STATUS_HANDLE handle =
      ::RegisterServiceCtrlHandlerExW(k_service_name, control_handler, &stop);
  if (handle == nullptr) return;  // nothing to report to
  service_status status(handle);
  status.pending(SERVICE_START_PENDING, 10s);

  // The command line's options (the service's binPath), then StartService's.
  service_options options;
  int command_argc = 0;
  wchar_t** command_argv = ::CommandLineToArgvW(::GetCommandLineW(), &command_argc);
  if (command_argv != nullptr) {
    parse_options(command_argc - 1, command_argv + 1, options);  // [0]: the program
    ::LocalFree(command_argv);
  }
  if (options.error.empty() && argc > 1) {
    parse_options(static_cast<int>(argc) - 1, argv + 1, options);  // argv[0]: the name
  }
  event_log log(options.log);
  // The log's last line, then the SCM's last report.
  const auto stopped = [&](DWORD error) {
    log.line(R"({"service":"stopped","exit":)" + std::to_string(error) + "}");
    status.stopped(error);
  };
  if (!options.error.empty()) {
    log.line(R"({"service":"error","error":)" + json_string(options.error) + "}");
    stopped(bad_arguments);
    return;
  }
  if (log.failed_to_open(options.log)) {
    status.stopped(log_not_opened);
    return;
  }
  log.line(R"({"service":"start_pending"})");
  stopped(run_service(options, status, stop, log));
}

}  // namespace

int main() {
  // SERVICE_WIN32_OWN_PROCESS: one service in the process; its name here is
  // ignored by the SCM.
  wchar_t name[] = L"pendop-example";
  const SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {nullptr, nullptr}};
  if (::StartServiceCtrlDispatcherW(table)) return 0;
  const DWORD error = ::GetLastError();
  if (error == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
    std::fputs(
        "pendop_windows_service: this program is a service; the Service Control Manager starts "
        "it.\nInstall and start it with:\n"
        "  sc create pendop-example binPath= \"C:\\path\\to\\pendop_windows_service.exe --log "
        "C:\\path\\to\\service.log\"\n"
        "  sc start pendop-example\n",
        stderr);
    return 2;
  }
  std::fprintf(stderr, "pendop_windows_service: StartServiceCtrlDispatcher failed: error %lu\n",
               static_cast<unsigned long>(error));
  return 1;
}
