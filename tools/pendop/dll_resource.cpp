// SPDX-License-Identifier: MIT
#include "dll_resource.hpp"

#include "host_process.hpp"
#include "win32_binaries.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

namespace pendop_cli {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

// How long Terminate, or an entry point still running in the DLL, may take
// before the host is killed; and how long a closed host may take to end.
constexpr std::chrono::seconds k_terminate_grace{3};
// How long a host may take to load the DLL and call Startup: the first Wine
// program in a new prefix sets the prefix up first.
constexpr std::chrono::seconds k_startup_bound{120};
// What a host that Wine never ran is said to be, first.
constexpr std::string_view k_unheard = "Wine did not run the host: ";
// How often a wait looks at the operation's stop request.
constexpr std::chrono::milliseconds k_tick{50};

constexpr unsigned k_error_io_pending = 997;

// " (ERROR_...)" for the Win32 codes a resource DLL commonly returns.
std::string win32_name(unsigned rc) {
  const char* name = nullptr;
  switch (rc) {
    case 0:
      name = "ERROR_SUCCESS";
      break;
    case 1:
      name = "ERROR_INVALID_FUNCTION";
      break;
    case 2:
      name = "ERROR_FILE_NOT_FOUND";
      break;
    case 5:
      name = "ERROR_ACCESS_DENIED";
      break;
    case 13:
      name = "ERROR_INVALID_DATA";
      break;
    case 87:
      name = "ERROR_INVALID_PARAMETER";
      break;
    case 234:
      name = "ERROR_MORE_DATA";
      break;
    case 997:
      name = "ERROR_IO_PENDING";
      break;
    case 1460:
      name = "ERROR_TIMEOUT";
      break;
    case 5023:
      name = "ERROR_INVALID_STATE";
      break;
    case 5078:
      name = "ERROR_CLUSTER_RESOURCE_TYPE_NOT_FOUND";
      break;
    case 5080:
      name = "ERROR_CLUSTER_RESNAME_NOT_FOUND";
      break;
    default:
      break;
  }
  return name ? fmt::format(" ({})", name) : std::string();
}

std::string text_of(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

unsigned rc_of(const json& e) {
  const auto it = e.find("rc");
  return it != e.end() && it->is_number_unsigned() ? it->get<unsigned>() : 0;
}

pendop::error failure(std::string text) {
  return pendop::make_error(pendop::errc::operation_failed, std::move(text));
}

bool is_stop(const pendop::error& e) { return e.code == pendop::errc::stopped; }

}  // namespace

// One host process and what it said. Lines arrive on the host's reader
// thread; one caller at a time takes them (ResApi never runs Online,
// Offline and the health checks at once), while Terminate's replies are
// counted apart, since Terminate runs beside them.
struct dll_resource::channel {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<json> events;                // guarded: not yet taken
  int terminates_served = 0;              // guarded
  std::string in_flight;                  // guarded: the command sent and not yet served
  std::optional<std::string> ended;       // guarded: how the host ended
  std::string crash;                      // guarded: its crash line
  std::string last_error;                 // guarded: the host's last complaint on stderr
  std::string killed_because;             // guarded
  bool heard = false;                     // guarded: a line of the channel came
  std::string last_stderr;                // guarded: its last line outside the channel (Wine's)
  std::unique_ptr<host_process> process;  // last: its threads stop before the rest goes

  void on_line(host_process::stream s, std::string_view line) {
    if (s == host_process::stream::err) {
      constexpr std::string_view prefix = "pendop_test_host: ";
      std::lock_guard lk(mu);
      if (line.substr(0, prefix.size()) == prefix) {
        last_error = std::string(line.substr(prefix.size()));
      } else if (!line.empty()) {
        last_stderr = std::string(line.substr(0, 200));
      }
      return;
    }
    json e = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!e.is_object()) {  // not the channel's (Wine's words): it is in the log
      std::lock_guard lk(mu);
      if (!line.empty()) last_stderr = std::string(line.substr(0, 200));
      return;
    }
    const std::string event = text_of(e, "event");
    {
      std::lock_guard lk(mu);
      heard = true;
      if (event == "crash") {
        crash = text_of(e, "text");
      } else if (event == "served" && text_of(e, "text").rfind("terminate", 0) == 0) {
        ++terminates_served;
      } else if (event != "terminate" && event != "terminate_returned") {
        if (event == "served" && !in_flight.empty() &&
            text_of(e, "text").rfind(in_flight, 0) == 0) {
          in_flight.clear();
        }
        if (events.size() >= 10'000) events.pop_front();  // nobody is listening: keep the newest
        events.push_back(std::move(e));
      }
    }
    cv.notify_all();
  }

  void on_exit(const std::string& how) {
    {
      std::lock_guard lk(mu);
      ended = how;
    }
    cv.notify_all();
  }

  [[nodiscard]] bool has_ended() {
    std::lock_guard lk(mu);
    return ended.has_value();
  }

  // Ended without a word on its output or a complaint of its own: Wine did
  // not get as far as running the host (it happens, rarely, when many Wine
  // programs start at once).
  [[nodiscard]] bool ended_unheard() {
    std::lock_guard lk(mu);
    return ended.has_value() && !heard && last_error.empty() && killed_because.empty();
  }

  // "the DLL host exited with code 5: the DLL crashed (exception 0xc0000005 at ...)".
  [[nodiscard]] std::string why_ended() {
    std::lock_guard lk(mu);
    std::string why = fmt::format("the DLL host {}", ended.value_or("is gone"));
    if (!crash.empty()) why += fmt::format(": the DLL crashed ({})", crash);
    if (!killed_because.empty()) why += fmt::format(": pendop killed it ({})", killed_because);
    if (!last_error.empty()) why += fmt::format(": {}", last_error);
    if (last_error.empty() && !heard && !last_stderr.empty())
      why += fmt::format(": {}", last_stderr);
    return why;
  }

  // The next event, waiting until `until`; nothing when none came or the host ended.
  std::optional<json> take(steady::time_point until) {
    std::unique_lock lk(mu);
    cv.wait_until(lk, until, [&] { return !events.empty() || ended.has_value(); });
    if (events.empty()) return std::nullopt;
    json e = std::move(events.front());
    events.pop_front();
    return e;
  }

  void kill(const std::string& why) {
    {
      std::lock_guard lk(mu);
      if (killed_because.empty()) killed_because = why;
    }
    process->kill(why);
  }

  // Sends `command` and gathers what the host said until it served it. With
  // `op`, gives up when the operation is stopped (errc::stopped).
  pendop::result<std::vector<json>> call(const std::string& command, pendop::operation* op) {
    {
      // What is queued belongs to earlier commands (late reports after a
      // Terminate, the reply to a call that was given up): nobody waits for it.
      std::lock_guard lk(mu);
      events.clear();
      in_flight = command;
    }
    if (!process->send(command)) return failure(why_ended());
    std::vector<json> got;
    while (true) {
      auto e = take(steady::now() + k_tick);
      if (e) {
        const bool served =
            text_of(*e, "event") == "served" && text_of(*e, "text").rfind(command, 0) == 0;
        got.push_back(std::move(*e));
        if (!served) continue;
        const unsigned rc = rc_of(got.back());
        if (rc == 4) return failure(fmt::format("Open returned NULL{}", last_log(got)));
        if (rc != 0)
          return failure(fmt::format("the DLL host refused \"{}\"", text_of(got.back(), "text")));
        return got;
      }
      if (has_ended()) return failure(fmt::format("{} (while {} ran)", why_ended(), command));
      if (op && op->stop_requested())
        return pendop::make_error(pendop::errc::stopped, command + " was stopped");
    }
  }

  // ": <the DLL's last LogEvent text>" among `got`, for an error message.
  static std::string last_log(const std::vector<json>& got) {
    for (auto it = got.rbegin(); it != got.rend(); ++it) {
      if (text_of(*it, "event") == "log")
        return fmt::format(" (the DLL logged: {})", text_of(*it, "text"));
    }
    return {};
  }
};

dll_resource::dll_resource(std::string name, dll_spec spec, std::string host_dir,
                           std::string log_path)
    : name_(std::move(name)),
      spec_(std::move(spec)),
      host_dir_(std::move(host_dir)),
      log_path_(std::move(log_path)) {}

dll_resource::~dll_resource() { close(); }

std::shared_ptr<dll_resource::channel> dll_resource::current() const {
  std::lock_guard lk(mu_);
  return ch_;
}

pendop::result<std::shared_ptr<dll_resource::channel>> dll_resource::ensure_host(
    pendop::operation& op) {
  std::shared_ptr<channel> old;
  {
    std::lock_guard lk(mu_);
    if (closed_) return failure("the run is over");
    if (ch_ && !ch_->has_ended()) return ch_;
    old = std::move(ch_);
  }
  if (old) op.log(pendop::log_level::info, old->why_ended() + "; starting a new host");
  old.reset();

  std::shared_ptr<channel> ch;
  for (int attempt = 1;; ++attempt) {
    auto started = start_host(op);
    if (started) {
      ch = std::move(*started);
      break;
    }
    if (attempt > 1 || !started.error().message.starts_with(k_unheard)) return started.error();
    op.log(pendop::log_level::warning, started.error().message + "; starting it once more");
  }
  if (auto opened = ch->call("open:" + name_, &op); !opened) return opened.error();
  if (!spec_.private_properties.empty()) {
    std::string list;
    for (const auto& [k, v] : spec_.private_properties)
      list += fmt::format("{}{}={}", list.empty() ? "" : ",", k, v);
    auto set = ch->call("set:" + list, &op);
    if (!set) return set.error();
    // The last control code of `set` is SET_PRIVATE_PROPERTIES (the first asks for the formats).
    for (auto it = set->rbegin(); it != set->rend(); ++it) {
      if (text_of(*it, "event") != "control") continue;
      if (const unsigned rc = rc_of(*it); rc != 0) {
        return failure(fmt::format("CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES of {} answered {}{}{}",
                                   list, rc, win32_name(rc), channel::last_log(*set)));
      }
      break;
    }
  }
  std::lock_guard lk(mu_);
  if (closed_) return failure("the run is over");
  ch_ = ch;
  return ch;
}

// Starts a host and waits for its Startup(Ex) to return.
pendop::result<std::shared_ptr<dll_resource::channel>> dll_resource::start_host(
    pendop::operation& op) {
  auto ch = std::make_shared<channel>();
  std::vector<std::string> argv = {
      "wine", (std::filesystem::path(host_dir_) / "pendop_test_host.exe").string(),
      wine_path(spec_.path), spec_.resource_type, "--serve"};
  if (spec_.startup) argv.emplace_back("--startup");
  channel* raw = ch.get();
  auto started = host_process::start(
      argv, wine_environment(), log_path_,
      [raw](host_process::stream s, std::string_view line) { raw->on_line(s, line); },
      [raw](const std::string& how) { raw->on_exit(how); });
  if (!started) return started.error();
  ch->process = std::move(*started);

  // Startup(Ex): the host's first event, or its end.
  const auto until = steady::now() + k_startup_bound;
  while (true) {
    auto e = ch->take(std::min(until, steady::now() + k_tick));
    if (e) {
      const std::string event = text_of(*e, "event");
      if (event != "startup_ex" && event != "startup") continue;
      if (const unsigned rc = rc_of(*e); rc != 0) {
        return failure(fmt::format("{} returned {}{}{}",
                                   event == "startup" ? "Startup" : "StartupEx", rc, win32_name(rc),
                                   channel::last_log({*e})));
      }
      break;
    }
    if (ch->has_ended()) {
      return failure(fmt::format("{}{} (before Startup returned)",
                                 ch->ended_unheard() ? k_unheard : "", ch->why_ended()));
    }
    if (op.stop_requested()) {
      ch->kill("the Online was stopped before the DLL had started");
      return pendop::make_error(pendop::errc::stopped, "stopped while the DLL host started");
    }
    if (steady::now() >= until) {
      return failure(
          fmt::format("the DLL host did not call Startup within {} s", k_startup_bound.count()));
    }
  }
  return ch;
}

pendop::result<void> dll_resource::online(pendop::operation& op) {
  auto ch = ensure_host(op);
  if (!ch) return is_stop(ch.error()) ? pendop::ok() : pendop::result<void>(ch.error());
  return pending(*ch, op, /*online=*/true);
}

pendop::result<void> dll_resource::offline(pendop::operation& op) {
  auto ch = current();
  if (!ch || ch->has_ended()) {
    op.log(pendop::log_level::info, ch ? ch->why_ended() + ": nothing to take offline"
                                       : "no DLL host runs: nothing to take offline");
    return pendop::ok();
  }
  return pending(ch, op, /*online=*/false);
}

// Calls Online or Offline and follows the DLL's reports to a final state.
pendop::result<void> dll_resource::pending(const std::shared_ptr<channel>& ch,
                                           pendop::operation& op, bool online) {
  const char* entry = online ? "Online" : "Offline";
  const std::string want = online ? "Online" : "Offline";
  const std::string pending_state = online ? "OnlinePending" : "OfflinePending";
  auto got = ch->call(online ? "online" : "offline", &op);
  if (!got) return is_stop(got.error()) ? pendop::ok() : pendop::result<void>(got.error());
  // The worker may report, even its final state, before the entry point
  // has returned ERROR_IO_PENDING: every report the command brought counts,
  // in the order the host wrote them, whichever side of the return it fell.
  std::deque<json> backlog;
  for (auto& e : *got) {
    const std::string event = text_of(e, "event");
    if (event == (online ? "online" : "offline")) {
      const unsigned rc = rc_of(e);
      if (rc == 0) return pendop::ok();  // done before it returned
      if (rc != k_error_io_pending) {
        return failure(
            fmt::format("{} returned {}{}{}", entry, rc, win32_name(rc), channel::last_log(*got)));
      }
    } else if (event != "served") {
      backlog.push_back(std::move(e));
    }
  }
  while (true) {
    std::optional<json> e;
    if (!backlog.empty()) {
      e = std::move(backlog.front());
      backlog.pop_front();
    } else {
      e = ch->take(steady::now() + k_tick);
    }
    if (!e) {
      if (ch->has_ended())
        return failure(fmt::format("{} while {} was pending", ch->why_ended(), entry));
      if (op.stop_requested()) return pendop::ok();  // stopped: the monitor reports it
      continue;
    }
    const std::string event = text_of(*e, "event");
    if (event == "log") {
      op.log(pendop::log_level::info, text_of(*e, "text"));
      continue;
    }
    if (event != "status") continue;
    const std::string state = text_of(*e, "state");
    const auto checkpoint = e->value("checkpoint", 0U);
    if (state == pending_state) {
      (void)op.report({.stage = "SetResourceStatus",
                       .text = fmt::format("{} checkpoint {}", pending_state, checkpoint)});
    } else if (state == want) {
      return pendop::ok();
    } else if (state == "Failed") {
      return failure(fmt::format("the DLL reported Failed (checkpoint {})", checkpoint));
    } else {
      return failure(fmt::format("the DLL reported {} while {} was pending", state, entry));
    }
  }
}

bool dll_resource::health(const char* command) {
  auto ch = current();
  if (!ch) throw std::runtime_error("no DLL host runs");
  if (ch->has_ended()) throw std::runtime_error(ch->why_ended());
  auto got = ch->call(command, nullptr);
  if (!got) throw std::runtime_error(got.error().message);
  for (const auto& e : *got) {
    if (text_of(e, "event") == command) return rc_of(e) != 0;
  }
  throw std::runtime_error(fmt::format("the DLL host served {} without calling it", command));
}

void dll_resource::terminate() noexcept {
  auto ch = current();
  if (!ch || ch->has_ended()) return;
  try {
    int before = 0;
    {
      std::lock_guard lk(ch->mu);
      before = ch->terminates_served;
    }
    if (!ch->process->send("terminate")) return;
    std::unique_lock lk(ch->mu);
    const bool done = ch->cv.wait_for(lk, k_terminate_grace, [&] {
      return ch->ended.has_value() || (ch->terminates_served > before && ch->in_flight.empty());
    });
    if (done || ch->ended) return;
    const std::string why =
        ch->terminates_served == before
            ? fmt::format("Terminate did not return within {} s", k_terminate_grace.count())
            : fmt::format("\"{}\" was still running in the DLL {} s after Terminate", ch->in_flight,
                          k_terminate_grace.count());
    lk.unlock();
    ch->kill(why);
  } catch (...) {  // out of memory formatting a message: the host is killed all the same
    ch->process->kill("Terminate");
  }
}

// The host stays in ch_ until it has ended, so spawned() still claims its pid.
void dll_resource::close() noexcept {
  std::shared_ptr<channel> ch;
  {
    std::lock_guard lk(mu_);
    closed_ = true;
    ch = ch_;
  }
  if (ch && !ch->has_ended()) {
    (void)ch->process->send("close");
    ch->process->close_input();
    if (!ch->process->wait_exit(k_terminate_grace)) {
      ch->kill(fmt::format("it did not end within {} s of the end of its input",
                           k_terminate_grace.count()));
      (void)ch->process->wait_exit(k_terminate_grace);
    }
  }
  std::lock_guard lk(mu_);
  ch_.reset();
}

bool dll_resource::has_processes() const {
  auto ch = current();
  return ch && !ch->has_ended();
}

bool dll_resource::spawned(pid_t pid) const {
  auto ch = current();
  return ch && ch->process && ch->process->pid() == pid;
}

}  // namespace pendop_cli
