// SPDX-License-Identifier: MIT
// pendop: see the pending-operation model at work, and test it.
//
//   pendop demo                      built-in resources, the whole model in ~15 s
//   pendop run FILE.json             resources and a timed script from a file;
//                                    non-zero when an `expect` block does not hold
//   pendop validate FILE.json        every error, with its JSON path
//   pendop COMMAND --help
//
// Exit codes: 0 done (and every expectation held), 1 an expectation failed,
// 2 bad command line, missing file or invalid scenario, 3 the run itself failed.
#include "demo_scenario.hpp"
#include "exec_resource.hpp"
#include "outputs.hpp"
#include "scenario.hpp"
#include "simulated_resource.hpp"

#include <pendop/posix/monitor.hpp>

#include <fmt/format.h>

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

const char* const k_usage_text =
    "usage: pendop COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  demo                 run built-in resources that show the whole model (~15 s)\n"
    "  run FILE.json        run resources and a script from a scenario file\n"
    "  validate FILE.json   check a scenario file and report every error\n"
    "\n"
    "options (demo, run):\n"
    "  --out DIR            where to write events.jsonl, trace.json, timeline.svg\n"
    "                       (default pendop-out)\n"
    "  --log                one line per event, also on a terminal (no live table)\n"
    "\n"
    "exit codes: 0 done, 1 an expectation failed, 2 bad input, 3 the run failed\n";

const char* const k_run_help =
    "usage: pendop run FILE.json [--out DIR] [--log]\n"
    "\n"
    "FILE.json: {\"resources\": [...], \"script\": [...], \"expect\": {...}}\n"
    "  resource: {\"name\", \"type\": \"simulated\"|\"exec\", \"properties\": {ResApi names},\n"
    "             \"simulated\": {online_ms, offline_ms, report_ms, never_reports, fail_online,\n"
    "                           ignore_terminate, health_fails_after_ms},\n"
    "             \"exec\": {\"agent\": \"ocf:heartbeat:Dummy\", \"params\": {...}} or\n"
    "                     {\"start\", \"stop\", \"monitor\": shell commands}, timeout_ms}\n"
    "  step: {\"online\"|\"offline\"|\"terminate\"|\"fail\": NAME} | {\"wait_ms\": N} |\n"
    "        {\"wait_for\": NAME, \"state\": \"Online\", \"timeout_ms\": N}\n"
    "  expect: {\"final\": {NAME: STATE}, \"terminates\"|\"restarts\"|\"failures\"|\"zombies\":\n"
    "           {NAME: N}}\n";

const char* const k_validate_help =
    "usage: pendop validate FILE.json\n"
    "Reports every error in a scenario with the JSON path of the bad field and what is\n"
    "allowed there. Exit code 0 when valid, 2 otherwise.\n";

const char* const k_demo_help =
    "usage: pendop demo [--out DIR] [--log]\n"
    "Runs four built-in resources: a slow Online with progress that completes and later goes\n"
    "Offline; one that stops reporting and is terminated at its PendingTimeout; one whose\n"
    "IsAlive fails and is restarted per policy until the threshold; one whose worker ignores\n"
    "terminate (a zombie).\n";

struct options {
  std::string out_dir = "pendop-out";
  bool log = false;
};

// The latest status of each resource, for the live table.
struct live_state {
  std::mutex mu;
  std::map<std::string, pendop::monitor_event> last;
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
  return line;
}

std::string live_table(pendop::posix::monitor& m, live_state& live,
                       const std::vector<std::string>& names, pendop::time_point epoch) {
  const auto now = clock_type::now();
  std::string out = fmt::format("pendop  t={:6.1f}s\n", std::chrono::duration<double>(now - epoch).count());
  out += fmt::format("{:<14} {:<15} {:>4}  {:<18} {:>10} {:>8}\n", "resource", "state", "cp",
                     "stage", "time left", "restarts");
  std::lock_guard lk(live.mu);
  for (const auto& n : names) {
    auto d = m.diagnostics(n);
    if (!d) continue;
    std::string stage, cp = "-";
    if (auto it = live.last.find(n); it != live.last.end()) {
      cp = std::to_string(it->second.checkpoint);
      const auto& p = it->second.progress;
      if (!p.stage.empty()) {
        stage = p.percent ? fmt::format("{} {}%", p.stage, *p.percent) : p.stage;
      }
    }
    std::string left = "-";
    if (d->pending_deadline) {
      left = fmt::format("{:.1f}s", std::max(0.0, std::chrono::duration<double>(*d->pending_deadline - now).count()));
    }
    out += fmt::format("{:<14} {:<15} {:>4}  {:<18} {:>10} {:>8}\n", n, pendop::to_string(d->state), cp,
                       stage, left, d->restarts);
  }
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_scenario(const scenario& sc, const options& opt) {
  namespace fs = std::filesystem;
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
  m.subscribe([&](const pendop::monitor_event& e) {
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

  std::error_code ec;
  fs::create_directories(fs::path(opt.out_dir) / "ocf-tmp", ec);
  std::map<std::string, std::shared_ptr<simulated_resource>> simulated;
  std::vector<std::string> names;
  for (const auto& r : sc.resources) {
    std::shared_ptr<pendop::resource> res;
    if (r.type == "simulated") {
      auto s = std::make_shared<simulated_resource>(r.simulated);
      simulated[r.name] = s;
      res = s;
    } else {
      if (!r.exec.agent.empty() && !fs::exists(exec_resource::agent_path(r.exec.agent))) {
        std::fprintf(stderr, "pendop: resource \"%s\": agent %s not found at %s (install "
                             "resource-agents)\n",
                     r.name.c_str(), r.exec.agent.c_str(),
                     exec_resource::agent_path(r.exec.agent).c_str());
        return k_usage;
      }
      res = std::make_shared<exec_resource>(
          r.name, r.exec, r.properties, (fs::path(opt.out_dir) / (r.name + ".log")).string(),
          (fs::path(opt.out_dir) / "ocf-tmp").string());
    }
    if (auto added = m.add(r.name, res, r.properties); !added) {
      std::fprintf(stderr, "pendop: %s\n", added.error().message.c_str());
      return k_usage;
    }
    names.push_back(r.name);
  }

  std::atomic<bool> done{false};
  std::thread painter;
  if (live_view) {
    painter = std::thread([&] {
      std::size_t lines = 0;
      while (!done) {
        const std::string table = live_table(m, live, names, epoch);
        if (lines) std::printf("\x1b[%zuF", lines);  // back to the table's first line
        std::printf("\x1b[J%s", table.c_str());
        std::fflush(stdout);
        lines = static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n'));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }

  auto complain = [&](const std::string& text) {
    if (!live_view) std::printf("pendop: %s\n", text.c_str());
  };
  for (const auto& s : sc.script) {
    if (s.action == "online" || s.action == "offline") {
      auto r = s.action == "online" ? m.online(s.resource) : m.offline(s.resource);
      if (!r) complain(r.error().message);
    } else if (s.action == "terminate") {
      if (auto r = m.terminate(s.resource); !r) complain(r.error().message);
    } else if (s.action == "fail") {
      if (auto it = simulated.find(s.resource); it != simulated.end()) {
        it->second->fail();
      } else {
        complain(fmt::format("fail: \"{}\" is not a simulated resource", s.resource));
      }
    } else if (s.action == "wait") {
      std::this_thread::sleep_for(std::chrono::milliseconds(s.ms));
    } else if (s.action == "wait_for") {
      const auto until = clock_type::now() + std::chrono::milliseconds(s.ms);
      while (m.state(s.resource).value_or(pendop::resource_state::unknown) != s.state &&
             clock_type::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (m.state(s.resource).value_or(pendop::resource_state::unknown) != s.state) {
        complain(fmt::format("wait_for: \"{}\" did not reach {} within {} ms", s.resource,
                             pendop::to_string(s.state), s.ms));
      }
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::vector<pendop::posix::resource_diagnostics> diags;
  for (const auto& n : names) diags.push_back(m.diagnostics(n).value());
  done = true;
  if (painter.joinable()) painter.join();
  const auto end = clock_type::now();
  const auto report = m.shutdown(std::chrono::milliseconds(sc.stop_wait_ms + 1000));

  std::vector<pendop::monitor_event> snapshot;
  {
    std::lock_guard lk(events_mu);
    snapshot = events;
  }
  std::printf("\n%s", summary_table(diags).c_str());
  if (!report.complete()) {
    std::string list;
    for (const auto& n : report.not_stopped) list += " " + n;
    std::printf("shutdown: still stopping:%s\n", list.c_str());
  }
  try {
    for (const auto& p : write_outputs(opt.out_dir, snapshot, names, epoch, end)) {
      std::printf("wrote %s\n", p.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pendop: %s\n", e.what());
    return k_runtime;
  }

  if (!sc.expect) return k_ok;
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
  return failures ? k_expectation : k_ok;
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
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::fputs(k_usage_text, args.empty() ? stderr : stdout);
      return args.empty() ? k_usage : k_ok;
    }
    const std::string cmd = args[0];
    if (cmd != "demo" && cmd != "run" && cmd != "validate") {
      std::fprintf(stderr, "pendop: unknown command \"%s\" (commands: demo, run, validate; see "
                           "pendop --help)\n",
                   cmd.c_str());
      return k_usage;
    }
    options opt;
    std::string file;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        std::fputs(cmd == "run" ? k_run_help : cmd == "validate" ? k_validate_help : k_demo_help,
                   stdout);
        return k_ok;
      }
      if (a == "--log" && cmd != "validate") {
        opt.log = true;
      } else if (a == "--out" && cmd != "validate") {
        if (i + 1 >= args.size()) {
          std::fprintf(stderr, "pendop: --out needs a directory\n");
          return k_usage;
        }
        opt.out_dir = args[++i];
      } else if (a.rfind("-", 0) == 0 || cmd == "demo" || !file.empty()) {
        std::fprintf(stderr, "pendop %s: unexpected argument \"%s\" (see pendop %s --help)\n",
                     cmd.c_str(), a.c_str(), cmd.c_str());
        return k_usage;
      } else {
        file = a;
      }
    }
    std::string text;
    if (cmd == "demo") {
      text = k_demo_scenario;
      file = "<demo>";
    } else {
      if (file.empty()) {
        std::fprintf(stderr, "pendop %s: which scenario file? (see pendop %s --help)\n",
                     cmd.c_str(), cmd.c_str());
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
    if (cmd == "validate") {
      std::printf("%s: valid (%zu resources, %zu steps)\n", file.c_str(),
                  parsed.value.resources.size(), parsed.value.script.size());
      return k_ok;
    }
    return run_scenario(parsed.value, opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pendop: %s\n", e.what());
    return k_runtime;
  }
}
