// SPDX-License-Identifier: MIT
#include "command_line.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace pendop_cli {
namespace {

constexpr int k_ok = 0, k_usage = 2;

const char* const k_usage_text =
    "usage: pendop COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  demo                 run built-in resources that show the whole model (~15 s)\n"
    "  run FILE.json        run resources and a script from a scenario file\n"
    "  validate FILE.json   check a scenario file and report every error\n"
    "  check-dll DLL --type NAME\n"
    "                       check a Windows resource DLL against ResApi's rules (Wine)\n"
    "\n"
    "options (demo, run):\n"
    "  --out DIR            where to write events.jsonl, trace.json, timeline.svg and each\n"
    "                       exec or dll resource's NAME.log (default pendop-out; checked first)\n"
    "  --log                one line per event, also on a terminal (no live table)\n"
    "  --leave-running      leave exec resources that are Online at the end running\n"
    "                       (default: take them offline, and stop every process started)\n"
    "  --version            print the version\n"
    "\n"
    "SIGINT, SIGTERM, SIGHUP stop a run in order: pending operations are stopped, exec and\n"
    "dll resources taken offline, every output written; a second signal hurries it.\n"
    "\n"
    "exit codes: 0 done, 1 an expectation failed or a script step failed, 2 bad command line\n"
    "or invalid scenario, 3 the run or its outputs failed, 128+N stopped by signal N\n";

const char* const k_run_help =
    "usage: pendop run FILE.json [--out DIR] [--log] [--leave-running]\n"
    "\n"
    "FILE.json (at most 1 MiB, nested at most 32 levels, each key once):\n"
    "  {\"resources\": [...], \"script\": [...], \"expect\": {...}, \"stop_wait_ms\": 2000}\n"
    "  resource: {\"name\": 1-64 of [A-Za-z0-9._-], not starting with . _ -,\n"
    "             \"type\": \"simulated\"|\"exec\"|\"dll\", \"properties\": {ResApi names: PendingTimeout,\n"
    "             LooksAlivePollInterval, IsAlivePollInterval, DeadlockTimeout, RestartAction,\n"
    "             RestartThreshold, RestartPeriod, RestartDelay, RetryPeriodOnFailure},\n"
    "             \"simulated\": {online_ms 1000, offline_ms 500, report_ms 250, never_reports,\n"
    "                           fail_online, ignore_terminate, health_fails_after_ms 0},\n"
    "             \"exec\": {\"agent\": \"ocf:PROVIDER:TYPE\", \"params\": {...}} or\n"
    "                     {\"start\", \"stop\", \"monitor\": shell commands}, timeout_ms 20000}\n"
    "             \"dll\": {\"path\": a resource DLL, \"resource_type\": its type name,\n"
    "                    \"private_properties\": {NAME: value}, \"startup\": \"StartupEx\"|\"Startup\",\n"
    "                    \"host_dir\": where pendop_test_host.exe is}\n"
    "  step: {\"online\"|\"offline\"|\"terminate\": NAME} | {\"fail\": NAME of a simulated resource}\n"
    "        | {\"wait_ms\": N} | {\"wait_for\": NAME, \"state\": STATE, \"timeout_ms\": 30000}\n"
    "  expect: {\"final\": {NAME: STATE}, \"terminates\"|\"restarts\"|\"failures\"|\"zombies\":\n"
    "           {NAME: N}}   (checked against the states when the script ends)\n"
    "  STATE: Online, Offline, Failed, OnlinePending, OfflinePending\n"
    "  stop_wait_ms: how long a stopped body may take before it is abandoned (a zombie)\n"
    "\n"
    "exec resources: OCF agents are found under $OCF_ROOT (default /usr/lib/ocf) and get the\n"
    "environment Pacemaker gives them; each process runs in its own process group, its\n"
    "output goes to DIR/NAME.log and agents keep state in DIR/ocf-tmp. At the end, Online exec\n"
    "resources are taken offline and every process the run started is stopped.\n"
    "\n"
    "dll resources: each runs in pendop_test_host.exe under Wine, found in host_dir, else in\n"
    "$PENDOP_WIN32_DIR, else in PREFIX/lib/pendop/win32; its private properties are set\n"
    "with SET_PRIVATE_PROPERTIES when its host opens it; the channel goes to DIR/NAME.log.\n"
    "\n"
    "exit codes: 0 done, 1 an expectation or a script step failed, 2 invalid scenario,\n"
    "3 the run or its outputs failed, 128+N stopped by signal N\n";

const char* const k_validate_help =
    "usage: pendop validate FILE.json\n"
    "Reports every error in a scenario with the JSON path of the bad field and what is\n"
    "allowed there (see pendop run --help for the format). A scenario that validates can be\n"
    "run. Exit code 0 when valid, 2 otherwise.\n";

const char* const k_demo_help =
    "usage: pendop demo [--out DIR] [--log]\n"
    "Runs four built-in resources: a slow Online with progress that completes and later goes\n"
    "Offline; one that stops reporting and is terminated at its PendingTimeout; one whose\n"
    "IsAlive fails and is restarted per policy until the threshold; one whose worker ignores\n"
    "terminate (a zombie). Outputs go to DIR (default pendop-out). Exit codes as for run.\n";

int usage_error(const std::string& text) {
  std::fprintf(stderr, "%s\n", text.c_str());
  return k_usage;
}

// A CLI11 parse error as pendop words it: an option without its value
// names the option (`valued` lists each with what it needs); anything
// else is an unexpected argument.
int parse_error(const CLI::ParseError& e, std::string_view command,
                std::initializer_list<std::pair<const char*, const char*>> valued) {
  const std::string what = e.what();
  for (const auto& [name, needs] : valued) {
    if (what.find(name) != std::string::npos) {
      return usage_error(std::string(command) + ": " + name + " needs " + needs);
    }
  }
  return usage_error(std::string(command) + ": " + what);
}

}  // namespace

parse_outcome parse_command_line(int argc, const char* const* argv) {
  parse_outcome out;
  command_line& cl = out.line;
  CLI::App app{"pendop", "pendop"};
  app.set_help_flag();  // pendop's own help texts, not CLI11's
  app.allow_extras();
  bool help = false, version = false;
  app.add_flag("-h,--help", help);
  app.add_flag("--version", version);

  bool sub_help = false;
  auto command = [&](const char* name) {
    CLI::App* sub = app.add_subcommand(name);
    sub->set_help_flag();
    sub->allow_extras();
    sub->add_flag("-h,--help", sub_help);
    return sub;
  };
  auto scenario_command = [&](const char* name, bool runs) {
    CLI::App* sub = command(name);
    sub->add_option("file", cl.file);
    if (runs) {
      sub->add_option("--out", cl.run.out_dir);
      sub->add_flag("--log", cl.run.log);
      if (std::string_view(name) == "run") sub->add_flag("--leave-running", cl.run.leave_running);
    }
    return sub;
  };
  CLI::App* demo = scenario_command("demo", true);
  CLI::App* run = scenario_command("run", true);
  CLI::App* validate = scenario_command("validate", false);
  CLI::App* check = command("check-dll");
  check_dll_options& c = cl.check;
  check->add_option("dll", c.dll);
  check->add_option("--type", c.type);
  check->add_flag("--json", c.json);
  check->add_option("--mode", c.mode);
  check->add_option("--budget-scale", c.budget_scale);
  check->add_option("--pending-timeout", c.pending_timeout);
  check->add_option("--scenario", c.scenarios);
  check->add_option("--checker", c.checker_dir);

  if (argc <= 1) {
    std::fputs(k_usage_text, stderr);
    out.exit_code = k_usage;
    return out;
  }
  CLI::App* chosen = nullptr;
  try {
    app.parse(argc, argv);
    for (CLI::App* sub : {demo, run, validate, check}) {
      if (sub->parsed()) chosen = sub;
    }
  } catch (const CLI::ParseError& e) {
    for (CLI::App* sub : {demo, run, validate, check}) {
      if (sub->parsed()) chosen = sub;
    }
    if (chosen == check) {
      out.exit_code = parse_error(e, "pendop check-dll",
                                  {{"--type", "a value (see --help)"},
                                   {"--mode", "a value (see --help)"},
                                   {"--budget-scale", "a value (see --help)"},
                                   {"--pending-timeout", "a value (see --help)"},
                                   {"--scenario", "a value (see --help)"},
                                   {"--checker", "a value (see --help)"}});
    } else {
      out.exit_code = parse_error(e, "pendop", {{"--out", "a directory"}});
    }
    return out;
  }
  if (!chosen) {
    const auto rest = app.remaining();
    if (help || (!rest.empty() && rest.front() == "help")) {
      std::fputs(k_usage_text, stdout);
      out.exit_code = k_ok;
    } else if (version) {
      std::printf("pendop %s\n", PENDOP_VERSION);
      out.exit_code = k_ok;
    } else if (!rest.empty()) {
      out.exit_code =
          usage_error("pendop: unknown command \"" + rest.front() +
                      "\" (commands: demo, run, validate, check-dll; see pendop --help)");
    } else {
      std::fputs(k_usage_text, stderr);
      out.exit_code = k_usage;
    }
    return out;
  }
  cl.command = chosen->get_name();
  const std::string name = "pendop " + cl.command;
  if (sub_help || help) {
    std::fputs(chosen == run        ? k_run_help
               : chosen == validate ? k_validate_help
               : chosen == demo     ? k_demo_help
                                    : k_check_dll_help,
               stdout);
    out.exit_code = k_ok;
    return out;
  }
  // What no option or positional took: an unknown option, a second file,
  // any argument to demo.
  auto rest = chosen->remaining();
  if (chosen == demo && !cl.file.empty()) rest.insert(rest.begin(), cl.file);
  if (!rest.empty()) {
    out.exit_code = usage_error(name + ": unexpected argument \"" + rest.front() + "\" (see " +
                                name + " --help)");
    return out;
  }
  if (chosen == check) return out;  // check_dll() checks what it was given
  if (chosen != validate && cl.run.out_dir.empty()) {
    out.exit_code = usage_error("pendop: --out needs a directory (got an empty name)");
  } else if (chosen != demo && cl.file.empty()) {
    out.exit_code = usage_error(name + ": which scenario file? (see " + name + " --help)");
  }
  return out;
}

}  // namespace pendop_cli
