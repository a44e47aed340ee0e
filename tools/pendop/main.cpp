// SPDX-License-Identifier: MIT
// pendop: see the pending-operation model at work, and test it.
//
//   pendop demo                      built-in resources, the whole model in ~15 s
//   pendop run FILE.json             resources and a timed script from a file;
//                                    non-zero when an `expect` block does not hold
//   pendop validate FILE.json        every error, with its JSON path
//   pendop check-dll DLL --type NAME a Windows resource DLL against ResApi's
//                                    rules, under Wine (check_dll.hpp)
//   pendop COMMAND --help
//
// Exit codes: 0 done (and every expectation held), 1 an expectation or a
// script step failed, 2 bad command line, missing file or invalid scenario,
// 3 the run itself or its outputs failed, 128+N stopped by signal N.
#include "check_dll.hpp"
#include "command_line.hpp"
#include "demo_scenario.hpp"
#include "dll_resource.hpp"
#include "exec_resource.hpp"
#include "outputs.hpp"
#include "process_sweep.hpp"
#include "run_control.hpp"
#include "scenario.hpp"
#include "simulated_resource.hpp"

#include <pendop/posix/monitor.hpp>

#include <fmt/format.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using namespace pendop_cli;
using clock_type = std::chrono::steady_clock;

constexpr int k_ok = 0, k_expectation = 1, k_usage = 2, k_runtime = 3;

// Control characters never reach a terminal or a file as they are.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

// The latest status of each resource, and the run's errors, for the live table.
struct live_state {
  std::mutex mu;
  std::map<std::string, pendop::monitor_event> last;
  std::map<std::string, pendop::resource_state> shown;  // states in the previous frame
  std::vector<std::string> errors;
};

std::string event_line(const pendop::monitor_event& e, pendop::time_point epoch) {
  const double t = std::chrono::duration<double>(e.at - epoch).count();
  std::string line = fmt::format("+{:7.3f}s {:<12} {:<18}", t, e.resource, pendop::to_string(e.kind));
  if (e.kind == pendop::event_kind::status) {
    line += fmt::format(" {} -> {} cp={}", pendop::to_string(e.from), pendop::to_string(e.to),
                        e.checkpoint);
    if (!e.progress.stage.empty()) {
      line += e.progress.percent ? fmt::format(" [{} {}%]", e.progress.stage, *e.progress.percent)
                                 : fmt::format(" [{}]", e.progress.stage);
    }
    if (!e.progress.text.empty()) line += " " + e.progress.text;
  }
  if (e.reason != pendop::stop_reason::none) line += fmt::format(" reason={}", pendop::to_string(e.reason));
  if (!e.detail.empty() && e.kind != pendop::event_kind::added) line += "  " + e.detail;
  return printable(line);
}

std::size_t terminal_rows() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  return 24;
}

// One frame, at most `max_lines` lines: every resource when they fit, else a
// count by state and the resources that are pending, failed or changed.
std::string live_table(pendop::posix::monitor& m, live_state& live,
                       const std::vector<std::string>& names, pendop::time_point epoch,
                       std::size_t max_lines) {
  const auto now = clock_type::now();
  std::lock_guard lk(live.mu);
  const std::size_t error_lines = std::min<std::size_t>(live.errors.size(), 3);
  std::string out = fmt::format("pendop  t={:6.1f}s{}\n",
                                std::chrono::duration<double>(now - epoch).count(),
                                live.errors.empty() ? std::string()
                                                    : fmt::format("  errors: {}", live.errors.size()));
  out += fmt::format("{:<14} {:<15} {:>4}  {:<18} {:>10} {:>8}\n", "resource", "state", "cp",
                     "stage", "time left", "restarts");
  const std::size_t room = max_lines > 4 + error_lines ? max_lines - 3 - error_lines : 1;
  std::vector<pendop::posix::resource_diagnostics> rows;
  std::map<pendop::resource_state, std::size_t> by_state;
  for (const auto& n : names) {
    auto d = m.diagnostics(n);
    if (!d) continue;
    ++by_state[d->state];
    rows.push_back(*d);
  }
  const bool fits = rows.size() <= room;
  if (!fits) {
    std::string counts;
    for (const auto& [st, count] : by_state) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, pendop::to_string(st));
    }
    out += fmt::format("{} resources: {} (showing pending, failed and changed)\n", rows.size(),
                       counts);
  }
  std::size_t shown = 0, hidden = 0;
  for (const auto& d : rows) {
    const auto before = live.shown.find(d.name);
    const bool changed = before == live.shown.end() || before->second != d.state;
    live.shown[d.name] = d.state;
    const bool notable = pendop::is_pending(d.state) || d.state == pendop::resource_state::failed;
    if (!fits && !(notable || changed)) continue;
    if (!fits && shown + 1 >= room) {
      ++hidden;
      continue;
    }
    std::string stage, cp = "-";
    if (auto it = live.last.find(d.name); it != live.last.end()) {
      cp = std::to_string(it->second.checkpoint);
      const auto& p = it->second.progress;
      if (!p.stage.empty()) stage = p.percent ? fmt::format("{} {}%", p.stage, *p.percent) : p.stage;
    }
    std::string left = "-";
    if (d.pending_deadline) {
      left = fmt::format("{:.1f}s", std::max(0.0, std::chrono::duration<double>(*d.pending_deadline - now).count()));
    }
    out += fmt::format("{:<14} {:<15} {:>4}  {:<18} {:>10} {:>8}\n", d.name, pendop::to_string(d.state),
                       cp, printable(stage), left, d.restarts);
    ++shown;
  }
  if (hidden) out += fmt::format("... and {} more\n", hidden);
  for (std::size_t i = live.errors.size() - error_lines; i < live.errors.size(); ++i) {
    out += "! " + live.errors[i] + "\n";
  }
  return out;
}

// Reads at most k_max_scenario_bytes + 1 bytes: a scenario is untrusted
// (a device or a huge file must not fill memory).
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(k_max_scenario_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return std::nullopt;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// The resources with processes of their own: exec resources and DLL hosts.
struct external_resources {
  std::map<std::string, std::shared_ptr<exec_resource>> execs;
  std::map<std::string, std::shared_ptr<dll_resource>> dlls;

  [[nodiscard]] bool contains(const std::string& name) const {
    return execs.contains(name) || dlls.contains(name);
  }
  [[nodiscard]] bool has_processes(const std::string& name) const {
    if (auto x = execs.find(name); x != execs.end()) return x->second->has_processes();
    if (auto d = dlls.find(name); d != dlls.end()) return d->second->has_processes();
    return false;
  }
  [[nodiscard]] bool spawned(pid_t pid) const {
    return std::any_of(execs.begin(), execs.end(), [pid](const auto& x) { return x.second->spawned(pid); }) ||
           std::any_of(dlls.begin(), dlls.end(), [pid](const auto& d) { return d.second->spawned(pid); });
  }
  void close_all() const {
    for (const auto& [name, x] : execs) x->close();
    for (const auto& [name, d] : dlls) d->close();
  }
};

// What runs after the script, or after a signal: Online exec and dll resources are
// taken offline (bounded by their timeout; a second signal cuts it short),
// pending operations are stopped by the monitor's shutdown, and then every
// process the run started is stopped. Returns the lines for the summary.
std::vector<std::string> wind_down(pendop::posix::monitor& m, const external_resources& outside,
                                   const scenario& sc, const run_options& opt, run_control& control) {
  std::vector<std::string> notes;
  std::vector<std::string> stopping, left;
  long long bound_ms = 0;
  for (const auto& r : sc.resources) {
    if (!outside.contains(r.name)) continue;
    const auto st = m.state(r.name).value_or(pendop::resource_state::unknown);
    if (st != pendop::resource_state::online && st != pendop::resource_state::failed) continue;
    if (opt.leave_running && r.type == "exec") {  // a DLL's host ends with the run
      if (st == pendop::resource_state::online) left.push_back(r.name);
      continue;
    }
    if (st == pendop::resource_state::failed && !outside.has_processes(r.name)) continue;
    if (m.offline(r.name)) stopping.push_back(r.name);
    // An exec resource's stop is bounded by its timeout, a DLL's Offline by its PendingTimeout.
    bound_ms = std::max(bound_ms, r.type == "exec" ? r.exec.timeout_ms
                                                   : static_cast<long long>(r.properties.pending_timeout.count()));
  }
  const auto until = clock_type::now() + std::chrono::milliseconds(bound_ms + 1000);
  auto settled = [&] {
    return std::none_of(stopping.begin(), stopping.end(), [&](const std::string& n) {
      return pendop::is_pending(m.state(n).value_or(pendop::resource_state::offline));
    });
  };
  while (!settled() && clock_type::now() < until && !control.hurry()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!stopping.empty()) {
    std::sort(stopping.begin(), stopping.end());
    std::string list;
    for (const auto& n : stopping) list += (list.empty() ? "" : ", ") + n;
    notes.push_back(fmt::format("taken offline at the end: {}{}", list,
                                settled() ? "" : " (not all in time: terminated)"));
  }
  // Exec and dll resources were taken offline above (with their own bound);
  // the monitor takes the simulated ones offline, or leaves Online ones by request.
  const auto report = m.shutdown(std::chrono::milliseconds(sc.stop_wait_ms + 1000),
                                 opt.leave_running ? pendop::posix::online_at_shutdown::leave_running
                                                   : pendop::posix::online_at_shutdown::take_offline);
  if (!report.complete()) {
    std::string list;
    for (const auto& n : report.not_stopped) list += " " + n;
    notes.push_back(fmt::format("shutdown: still stopping:{}", list));
  }
  if (!left.empty()) {
    for (const auto& [name, d] : outside.dlls) d->close();
    std::string list;
    for (const auto& n : left) list += (list.empty() ? "" : ", ") + n;
    notes.push_back(fmt::format("left running by request (--leave-running): {}", list));
    return notes;
  }
  outside.close_all();
  // The DLL hosts have ended; Wine's shared processes end by themselves.
  const auto spare = outside.dlls.empty() ? std::function<bool(pid_t)>() : is_wine_process;
  if (const auto strays = stop_descendants(std::chrono::milliseconds(1000), spare); strays > 0) {
    notes.push_back(fmt::format("stopped {} leftover process{} (started by exec resources and "
                                "not stopped by them)",
                                strays, strays == 1 ? "" : "es"));
  }
  return notes;
}

int run_scenario(const scenario& sc, const run_options& opt) {
  namespace fs = std::filesystem;
  if (auto bad = prepare_out_dir(opt.out_dir)) {
    std::fprintf(stderr, "pendop: %s\n", bad->c_str());
    return k_runtime;
  }
  std::error_code ec;
  fs::create_directories(fs::path(opt.out_dir) / "ocf-tmp", ec);
  run_control control;  // before any other thread: they inherit its signal mask
  become_subreaper();
  const bool live_view = !opt.log && ::isatty(STDOUT_FILENO);
  pendop::posix::monitor_options mo;
  mo.stop_wait = std::chrono::milliseconds(sc.stop_wait_ms);
  auto created = pendop::posix::monitor::create(mo);
  if (!created) {
    std::fprintf(stderr, "pendop: %s\n", created.error().message.c_str());
    return k_runtime;
  }
  pendop::posix::monitor& m = *created;
  const auto epoch = m.epoch();

  std::mutex events_mu;
  std::vector<pendop::monitor_event> events;
  live_state live;
  auto subscribed = m.subscribe([&](const pendop::monitor_event& e) {
    {
      std::lock_guard lk(events_mu);
      events.push_back(e);
    }
    if (e.kind == pendop::event_kind::status) {
      std::lock_guard lk(live.mu);
      live.last[e.resource] = e;
    }
    if (!live_view) std::printf("%s\n", event_line(e, epoch).c_str());
    std::fflush(stdout);
  });

  std::map<std::string, std::shared_ptr<simulated_resource>> simulated;
  external_resources outside;
  std::vector<std::string> names;
  for (const auto& r : sc.resources) {
    std::shared_ptr<pendop::resource> res;
    const std::string log_path = (fs::path(opt.out_dir) / (r.name + ".log")).string();
    if (r.type == "simulated") {
      auto s = std::make_shared<simulated_resource>(r.simulated);
      simulated[r.name] = s;
      res = s;
    } else if (r.type == "exec") {
      auto x = std::make_shared<exec_resource>(r.name, r.exec, r.properties, log_path,
                                               (fs::path(opt.out_dir) / "ocf-tmp").string());
      outside.execs[r.name] = x;
      res = x;
    } else {
      auto d = std::make_shared<dll_resource>(r.name, r.dll, r.dll.host_dir, log_path);
      outside.dlls[r.name] = d;
      res = d;
    }
    if (auto added = m.add(r.name, res, r.properties); !added) {
      std::fprintf(stderr, "pendop: %s\n", added.error().message.c_str());
      return k_usage;
    }
    names.push_back(r.name);
  }

  // Orphans adopted as subreaper are reaped as they exit; each exec
  // resource reaps what it spawned.
  orphan_reaper reaper([&outside](pid_t pid) { return outside.spawned(pid); });

  std::atomic<bool> done{false};
  std::thread painter;
  if (live_view) {
    painter = std::thread([&] {
      std::size_t lines = 0;
      while (!done) {
        const std::string table = live_table(m, live, names, epoch, terminal_rows());
        if (lines) std::printf("\x1b[%zuF", lines);  // back to the table's first line
        std::printf("\x1b[J%s", table.c_str());
        std::fflush(stdout);
        lines = static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n'));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }

  std::size_t script_errors = 0;
  auto complain = [&](const std::string& text) {
    ++script_errors;
    std::lock_guard lk(live.mu);
    live.errors.push_back(printable(text));
    if (!live_view) std::printf("pendop: %s\n", live.errors.back().c_str());
  };
  std::size_t step_no = 0;
  for (const auto& s : sc.script) {
    if (control.interrupted()) break;
    ++step_no;
    if (s.action == "online" || s.action == "offline") {
      auto r = s.action == "online" ? m.online(s.resource) : m.offline(s.resource);
      if (!r) complain(r.error().message);
    } else if (s.action == "terminate") {
      if (auto r = m.terminate(s.resource); !r) complain(r.error().message);
    } else if (s.action == "fail") {
      simulated.at(s.resource)->fail();  // validated: a simulated resource
    } else if (s.action == "wait") {
      control.sleep_for(std::chrono::milliseconds(s.ms));
    } else if (s.action == "wait_for") {
      const auto until = clock_type::now() + std::chrono::milliseconds(s.ms);
      while (m.state(s.resource).value_or(pendop::resource_state::unknown) != s.state &&
             clock_type::now() < until && control.sleep_for(std::chrono::milliseconds(20))) {
      }
      if (!control.interrupted() &&
          m.state(s.resource).value_or(pendop::resource_state::unknown) != s.state) {
        complain(fmt::format("wait_for: \"{}\" did not reach {} within {} ms (it is {})",
                             s.resource, pendop::to_string(s.state), s.ms,
                             pendop::to_string(m.state(s.resource).value_or(
                                 pendop::resource_state::unknown))));
      }
    }
  }
  if (!control.interrupted()) control.sleep_for(std::chrono::milliseconds(100));
  std::vector<pendop::posix::resource_diagnostics> diags;  // the states when the script ended
  for (const auto& n : names) diags.push_back(m.diagnostics(n).value());
  done = true;
  if (painter.joinable()) painter.join();
  if (control.interrupted()) {
    std::printf("\npendop: %s: stopping the run (a second signal hurries it)\n",
                signal_name(control.signal()));
    std::fflush(stdout);
  }
  const auto notes = wind_down(m, outside, sc, opt, control);
  const auto end = clock_type::now();

  std::vector<pendop::monitor_event> snapshot;
  {
    std::lock_guard lk(events_mu);
    snapshot = events;
  }
  std::printf("\n%s", summary_table(diags).c_str());
  for (const auto& n : notes) std::printf("%s\n", n.c_str());
  if (live_view) {
    for (const auto& e : live.errors) std::printf("pendop: %s\n", e.c_str());
  }
  int code = k_ok;
  try {
    for (const auto& p : write_outputs(opt.out_dir, snapshot, names, epoch, end)) {
      std::printf("wrote %s\n", p.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pendop: %s\n", e.what());
    code = k_runtime;
  }
  if (control.interrupted()) {
    std::printf("interrupted by %s at script step %zu of %zu: pending operations stopped, "
                "exec and dll resources taken offline%s\n",
                signal_name(control.signal()), step_no, sc.script.size(),
                control.hurry() ? " (hurried by a second signal)" : "");
    return 128 + control.signal();
  }
  if (code != k_ok) return code;
  if (script_errors) {
    std::printf("script: %zu step%s failed (see above)\n", script_errors,
                script_errors == 1 ? "" : "s");
  }

  if (!sc.expect) return script_errors ? k_expectation : k_ok;
  int failures = 0;
  auto diag = [&](const std::string& n) -> const pendop::posix::resource_diagnostics& {
    for (const auto& d : diags) {
      if (d.name == n) return d;
    }
    return diags.front();
  };
  for (const auto& [n, st] : sc.expect->final) {
    if (diag(n).state != st) {
      std::printf("expect: %s final %s, got %s\n", n.c_str(),
                  std::string(pendop::to_string(st)).c_str(),
                  std::string(pendop::to_string(diag(n).state)).c_str());
      ++failures;
    }
  }
  auto counts = [&](const char* what, const std::map<std::string, long long>& want,
                    auto get) {
    for (const auto& [n, v] : want) {
      const auto got = static_cast<long long>(get(diag(n)));
      if (got != v) {
        std::printf("expect: %s %s %lld, got %lld\n", n.c_str(), what, v, got);
        ++failures;
      }
    }
  };
  counts("terminates", sc.expect->terminates, [](const auto& d) { return d.terminates; });
  counts("restarts", sc.expect->restarts, [](const auto& d) { return d.restarts; });
  counts("failures", sc.expect->failures, [](const auto& d) { return d.failures; });
  counts("zombies", sc.expect->zombies, [](const auto& d) { return d.zombies; });
  std::printf("%s\n", failures ? "expectations: FAILED" : "expectations: all held");
  return failures || script_errors ? k_expectation : k_ok;
}

int report_problems(const std::string& file, const std::vector<problem>& problems) {
  for (const auto& p : problems) {
    std::fprintf(stderr, "%s: %s: %s\n", file.c_str(), p.path.c_str(), p.message.c_str());
  }
  return k_usage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto parsed_line = parse_command_line(argc, argv);
    if (parsed_line.exit_code) return *parsed_line.exit_code;
    const command_line& cl = parsed_line.line;
    if (cl.command == "check-dll") return check_dll(cl.check);
    std::string text;
    std::string file = cl.file;
    if (cl.command == "demo") {
      text = k_demo_scenario;
      file = "<demo>";
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(file, ec)) {
        std::fprintf(stderr, "pendop: cannot read %s: it is a directory\n", file.c_str());
        return k_usage;
      }
      auto contents = read_file(file);
      if (!contents) {
        std::fprintf(stderr, "pendop: cannot read %s: %s\n", file.c_str(), std::strerror(errno));
        return k_usage;
      }
      text = std::move(*contents);
    }
    auto parsed = parse_scenario(text);
    if (!parsed.problems.empty()) return report_problems(file, parsed.problems);
    if (cl.command == "validate") {
      std::printf("%s: valid (%zu resources, %zu steps)\n", file.c_str(),
                  parsed.value.resources.size(), parsed.value.script.size());
      return k_ok;
    }
    return run_scenario(parsed.value, cl.run);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pendop: %s\n", e.what());
    return k_runtime;
  }
}
