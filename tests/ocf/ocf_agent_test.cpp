// SPDX-License-Identifier: MIT
// The OCF agent adapter: exit-code mapping, parameters, meta-data, and whole
// actions run in-process with a private state directory.
#include <pendop/example/example_resource.hpp>
#include <pendop/ocf/agent.hpp>
#include <pendop/ocf/exit_code.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using pendop::resource_state;
using pendop::ocf::exit_code;
namespace fs = std::filesystem;

namespace {

pendop::ocf::agent_definition example() {
  pendop::ocf::agent_definition def;
  def.model = pendop::ocf::process_model::per_action;  // actions in this process
  def.name = "pendop-test";
  def.shortdesc = "test";
  def.longdesc = "test <agent> & co";
  def.parameters = {
      {.name = "online_ms", .description = "start time", .default_value = std::uint64_t{1000},
       .max = 86'400'000},
      {.name = "report_ms", .description = "report interval", .default_value = std::uint64_t{200},
       .min = 1, .max = 86'400'000},
      {.name = "looks_alive", .description = "alive", .default_value = std::uint64_t{1}, .max = 1},
      {.name = "fail_online", .description = "fail", .default_value = std::uint64_t{0}, .max = 1}};
  def.make = [](const pendop::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    pendop::example::example_config c;
    c.online = std::chrono::milliseconds(v.number("online_ms"));
    c.report = std::chrono::milliseconds(v.number("report_ms"));
    c.looks_alive = v.number("looks_alive") != 0;
    c.fail_online = v.number("fail_online") != 0;
    return std::unique_ptr<pendop::resource>(std::make_unique<pendop::example::example_resource>(c));
  };
  return def;
}

// A private state directory and an environment pointing at it.
struct agent_env {
  agent_env() {
    dir = fs::temp_directory_path() /
          ("pendop-ocf-test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir);
    env["HA_RSCTMP"] = dir.string();
    env["OCF_RESOURCE_INSTANCE"] = "r1";
  }
  ~agent_env() { fs::remove_all(dir); }

  int run(std::string_view action) {
    out.str({});
    log.str({});
    return pendop::ocf::run_action(def, action, env, out, log);
  }

  fs::path dir;
  pendop::ocf::environment env;
  pendop::ocf::agent_definition def = example();
  std::ostringstream out;
  std::ostringstream log;
};

}  // namespace

TEST_SUITE("ocf") {

TEST_CASE("monitor codes follow the persisted state and health") {
  CHECK(pendop::ocf::monitor_code(resource_state::offline, false) == exit_code::not_running);
  CHECK(pendop::ocf::monitor_code(resource_state::online, true) == exit_code::success);
  CHECK(pendop::ocf::monitor_code(resource_state::online, false) == exit_code::err_generic);
  CHECK(pendop::ocf::monitor_code(resource_state::failed, true) == exit_code::err_generic);
  CHECK(pendop::ocf::monitor_code(resource_state::online_pending, true) == exit_code::err_generic);
  CHECK(pendop::ocf::start_code(resource_state::online) == exit_code::success);
  CHECK(pendop::ocf::start_code(resource_state::failed) == exit_code::err_generic);
  CHECK(pendop::ocf::stop_code(resource_state::offline) == exit_code::success);
  CHECK(pendop::ocf::to_string(exit_code::not_running) == "OCF_NOT_RUNNING");
  CHECK(static_cast<int>(exit_code::err_configured) == 6);
}

TEST_CASE("parameters get their defaults, and booleans are normalised") {
  agent_env a;
  a.env["OCF_RESKEY_looks_alive"] = "false";
  a.env["OCF_RESKEY_PendingTimeout"] = "60000";
  a.env["OCF_RESKEY_state_dir"] = "/tmp/x";
  auto v = pendop::ocf::read_parameters(a.def, a.env);
  REQUIRE(v);
  CHECK(v->values.number("online_ms") == 1000);
  CHECK(v->values.number("looks_alive") == 0);
  CHECK(v->properties.pending_timeout == 60s);
  CHECK(v->properties.looks_alive_poll_interval == pendop::resource_properties{}.looks_alive_poll_interval);
  CHECK(v->state_dir == "/tmp/x");
}

// What a real Pacemaker 2.1 passes to every action (seen in a cluster's
// environment dump), besides the resource's own parameters.
void add_pacemaker_environment(pendop::ocf::environment& env, const std::string& action) {
  env["OCF_RESKEY_crm_feature_set"] = "3.16.1";
  env["OCF_RESKEY_CRM_meta_on_node"] = "node1";
  env["OCF_RESKEY_CRM_meta_on_node_uuid"] = "1";
  env["OCF_RESKEY_CRM_meta_timeout"] = "20000";
  env["OCF_RESKEY_CRM_meta_name"] = action;
  env["OCF_RESKEY_CRM_meta_interval"] = "0";
  env["OCF_RESKEY_CRM_meta_notify_start_resource"] = " ";
  env["OCF_RA_VERSION_MAJOR"] = "1";
  env["OCF_RA_VERSION_MINOR"] = "1";
  env["OCF_ROOT"] = "/usr/lib/ocf";
  env["OCF_RESOURCE_TYPE"] = "example";
  env["OCF_RESOURCE_PROVIDER"] = "pendop";
  env["OCF_EXIT_REASON_PREFIX"] = "ocf-exit-reason:";
  env["OCF_OUTPUT_FORMAT"] = "text";
}

TEST_CASE("Pacemaker's own parameters are accepted by every action, silently") {
  CHECK(pendop::ocf::is_manager_parameter("crm_feature_set"));
  CHECK(pendop::ocf::is_manager_parameter("CRM_meta_timeout"));
  CHECK(pendop::ocf::is_manager_parameter("CRM_meta_clone_max"));
  CHECK_FALSE(pendop::ocf::is_manager_parameter("online_ms"));
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "50";
  a.env["OCF_RESKEY_report_ms"] = "10";
  for (const char* action : {"validate-all", "monitor", "start", "monitor", "stop", "monitor"}) {
    CAPTURE(action);
    add_pacemaker_environment(a.env, action);
    const int rc = a.run(action);
    const bool stopped_monitor = std::string_view(action) == "monitor" && rc == 7;
    CHECK((rc == 0 || stopped_monitor));
    if (!stopped_monitor) CHECK(a.log.str().find("ocf-exit-reason") == std::string::npos);
    CHECK(a.log.str().find("crm_feature_set") == std::string::npos);
  }
  CHECK(pendop::ocf::undeclared_parameters(a.def, a.env).empty());
}

TEST_CASE("an undeclared parameter is ignored with a warning, never a failure") {
  agent_env a;
  a.env["OCF_RESKEY_onlin_ms"] = "5";  // a typo
  a.env["OCF_RESKEY_online_ms"] = "10";
  CHECK(pendop::ocf::undeclared_parameters(a.def, a.env) == std::vector<std::string>{"onlin_ms"});
  CHECK(a.run("validate-all") == 0);
  CHECK(a.log.str() ==
        "WARNING: ignoring parameter \"onlin_ms\" (OCF_RESKEY_onlin_ms): pendop-test does not "
        "declare it\n");
  CHECK(a.run("start") == 0);
  CHECK(a.run("stop") == 0);
}

TEST_CASE("bad parameters are OCF_ERR_CONFIGURED with an exit reason naming the parameter") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "soon";
  for (const char* action : {"validate-all", "start", "stop", "monitor"}) {
    CAPTURE(action);
    CHECK(a.run(action) == 6);
    CHECK(a.log.str() == "ocf-exit-reason:online_ms: \"soon\" is not a whole number\n");
  }
  a.env["OCF_RESKEY_online_ms"] = "90000000";  // the declaration's range, as on Windows
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str() ==
        "ocf-exit-reason:online_ms: 90000000 is out of range, allowed 0..86400000\n");
  a.env.erase("OCF_RESKEY_online_ms");
  a.env["OCF_RESKEY_PendingTimeout"] = "5";
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str() ==
        "ocf-exit-reason:PendingTimeout: 5 is out of range, allowed 10..4294967295\n");
  a.env.erase("OCF_RESKEY_PendingTimeout");
  a.env["OCF_RESKEY_fail_online"] = "maybe";
  a.env["OCF_EXIT_REASON_PREFIX"] = "why:";  // the prefix Pacemaker asks for
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str() ==
        "why:fail_online: \"maybe\" is not a boolean (true/false, yes/no, 1/0)\n");
  a.env.erase("OCF_RESKEY_fail_online");
  CHECK(a.run("validate-all") == 0);
  CHECK(a.log.str().empty());
}

// A resource whose Online writes one line to its host's log.
class logging_resource final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation& op) override {
    op.log(pendop::log_level::warning, "replaying the journal");
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
};

TEST_CASE("a line the body logs reaches the OCF log") {
  agent_env a;
  a.def.make = [](const pendop::parameter_values&)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<logging_resource>());
  };
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().find("WARNING: replaying the journal") != std::string::npos);
  CHECK(a.run("stop") == 0);
}

TEST_CASE("meta-data lists every parameter and advises the definition's timeouts") {
  agent_env a;
  a.def.start_timeout = std::chrono::seconds(45);
  CHECK(a.run("meta-data") == 0);
  const std::string x = a.out.str();
  CHECK(x.find("<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">") != std::string::npos);
  CHECK(x.find("<resource-agent name=\"pendop-test\"") != std::string::npos);
  CHECK(x.find("<version>1.1</version>") != std::string::npos);
  for (const char* name : {"online_ms", "report_ms", "looks_alive", "fail_online", "PendingTimeout",
                           "state_dir"}) {
    CAPTURE(name);
    CHECK(x.find(std::string("<parameter name=\"") + name + "\"") != std::string::npos);
  }
  // Per action, nothing polls or restarts between actions: those ResApi
  // properties would mean nothing, and are not offered.
  for (const char* name : {"LooksAlivePollInterval", "IsAlivePollInterval", "DeadlockTimeout",
                           "RestartAction", "RestartThreshold", "RestartPeriod", "RestartDelay",
                           "RetryPeriodOnFailure"}) {
    CAPTURE(name);
    CHECK(x.find(std::string("<parameter name=\"") + name + "\"") == std::string::npos);
  }
  // A resident host polls and watches: its intervals and DeadlockTimeout are offered.
  a.def.model = pendop::ocf::process_model::resident;
  a.out.str({});
  CHECK(a.run("meta-data") == 0);
  const std::string r = a.out.str();
  for (const char* name : {"PendingTimeout", "LooksAlivePollInterval", "IsAlivePollInterval",
                           "DeadlockTimeout"}) {
    CAPTURE(name);
    CHECK(r.find(std::string("<parameter name=\"") + name + "\"") != std::string::npos);
  }
  CHECK(r.find("<parameter name=\"RestartThreshold\"") == std::string::npos);
  // Types, defaults and ranges come from the one declaration.
  CHECK(x.find("<longdesc lang=\"en\">start time (0..86400000)</longdesc>\n"
               "<shortdesc lang=\"en\">start time</shortdesc>\n"
               "<content type=\"integer\" default=\"1000\" />") != std::string::npos);
  CHECK(x.find("<content type=\"boolean\" default=\"1\" />") != std::string::npos);
  CHECK(x.find("<action name=\"start\" timeout=\"45s\" />") != std::string::npos);
  CHECK(x.find("<action name=\"stop\" timeout=\"20s\" />") != std::string::npos);
  CHECK(x.find("test &lt;agent&gt; &amp; co") != std::string::npos);
}

TEST_CASE("start, monitor and stop are idempotent, and a stop leaves no state behind") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "100";
  a.env["OCF_RESKEY_report_ms"] = "50";
  CHECK(a.run("monitor") == 7);  // no failure for a probe; the reason serves a recurring monitor
  CHECK(a.log.str() == "ocf-exit-reason:not running: no state file (never started, stopped, or the "
                       "state was removed)\n");
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().find("ocf-exit-reason") == std::string::npos);
  CHECK(a.log.str().find("INFO: start: Online after") != std::string::npos);
  CHECK(a.log.str().find("ERROR") == std::string::npos);
  CHECK(fs::exists(a.dir / "pendop-pendop-test-r1.state"));
  CHECK(a.run("monitor") == 0);
  CHECK(a.run("start") == 0);  // started already
  CHECK(a.run("stop") == 0);
  CHECK_FALSE(fs::exists(a.dir / "pendop-pendop-test-r1.state"));
  CHECK(a.run("monitor") == 7);
  CHECK(a.run("stop") == 0);  // stopped already
  CHECK(fs::is_empty(a.dir));
}

TEST_CASE("progress is logged at debug level, only with HA_debug") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "100";
  a.env["OCF_RESKEY_report_ms"] = "50";
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().find("DEBUG") == std::string::npos);
  CHECK(a.run("stop") == 0);
  a.env["HA_debug"] = "1";
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().find("DEBUG: ") != std::string::npos);
  CHECK(a.log.str().find("[online 50%]") != std::string::npos);  // stage and percent
}

TEST_CASE("with HA_LOGFILE set, lines go there and stderr keeps only the exit reason") {
  agent_env a;
  const fs::path logfile = a.dir / "cluster.log";
  a.env["HA_LOGFILE"] = logfile.string();
  a.env["OCF_RESKEY_online_ms"] = "50";
  a.env["OCF_RESKEY_report_ms"] = "10";
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().empty());
  a.env["OCF_RESKEY_looks_alive"] = "0";
  CHECK(a.run("monitor") == 1);
  CHECK(a.log.str() == "ocf-exit-reason:looks_alive() returned false\n");
  std::ifstream in(logfile);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK(text.find("pendop-test(r1)[") != std::string::npos);  // ocf_log's tag
  CHECK(text.find("INFO: start: Online after") != std::string::npos);
  CHECK(text.find("ERROR: looks_alive() returned false") != std::string::npos);
}

namespace {
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The first HA_LOGFILE line of a start, with HA_DATEFMT set to `datefmt`
// unless it is empty.
std::string first_logfile_line(const std::string& datefmt) {
  agent_env a;
  const fs::path logfile = a.dir / "cluster.log";
  a.env["HA_LOGFILE"] = logfile.string();
  if (!datefmt.empty()) a.env["HA_DATEFMT"] = datefmt;
  a.env["OCF_RESKEY_online_ms"] = "10";
  CHECK(a.run("start") == 0);
  std::ifstream in(logfile);
  std::string line;
  std::getline(in, line);
  return line;
}
}  // namespace

TEST_CASE("HA_LOGFILE lines are dated with HA_DATEFMT, GNU date's %N digits included") {
  const std::string line = first_logfile_line("%Y|%3N|%N|%%N ");
  // "YYYY|mmm|nnnnnnnnn|%N pendop-test(r1)[PID]:    INFO: ..."
  INFO(line);
  REQUIRE(line.size() > 25);
  CHECK(line.starts_with("20"));
  CHECK(line[4] == '|');
  CHECK(all_digits(line.substr(5, 3)));
  CHECK(line[8] == '|');
  CHECK(all_digits(line.substr(9, 9)));
  CHECK(line.substr(18).starts_with("|%N pendop-test(r1)["));
  CHECK(line.find("]:    INFO: ") != std::string::npos);
}

TEST_CASE("without HA_DATEFMT, HA_LOGFILE lines carry resource-agents' default date") {
  const std::string line = first_logfile_line({});
  // "%b %d %T ": "Dec 06 12:00:00 pendop-test(r1)[PID]: ..."
  INFO(line);
  REQUIRE(line.size() > 16);
  CHECK(std::isupper(static_cast<unsigned char>(line[0])));
  CHECK(line[3] == ' ');
  CHECK(all_digits(line.substr(4, 2)));
  CHECK(line[9] == ':');
  CHECK(line[12] == ':');
  CHECK(line.substr(15).starts_with(" pendop-test(r1)["));
}

TEST_CASE("a start that outlasts OCF_RESKEY_CRM_meta_timeout fails before it, with a reason") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "20000";
  a.env["OCF_RESKEY_report_ms"] = "100";
  a.env["OCF_RESKEY_CRM_meta_timeout"] = "2000";
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(a.run("start") == 1);
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 2000ms);   // before Pacemaker's deadline, even on a slow machine
  CHECK(took >= 1400ms);  // but only after using most of it
  CHECK(a.log.str().find("WARNING: start did not finish within 1500 ms (2000 ms timeout less a "
                         "500 ms margin)") != std::string::npos);
  CHECK(a.log.str().find("ocf-exit-reason:start ended Failed: did not finish within 1500 ms of "
                         "its 2000 ms timeout") != std::string::npos);
  CHECK(a.run("monitor") == 1);  // Failed: Pacemaker recovers it
  CHECK(a.log.str().find("ocf-exit-reason:failed: did not finish within 1500 ms") == 0);
  CHECK(a.run("stop") == 0);
  CHECK(a.run("monitor") == 7);
}

TEST_CASE("a failing start is OCF_ERR_GENERIC and monitor then reports the failure") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "100";
  a.env["OCF_RESKEY_report_ms"] = "50";
  a.env["OCF_RESKEY_fail_online"] = "1";
  CHECK(a.run("start") == 1);
  CHECK(a.log.str().find("ocf-exit-reason:start ended Failed: ") != std::string::npos);
  CHECK(a.log.str().find("fail_online=1: refusing to come online") != std::string::npos);
  CHECK(a.run("monitor") == 1);
  CHECK(a.log.str().find("ocf-exit-reason:failed: ") == 0);
  CHECK(a.log.str().find("refusing to come online") != std::string::npos);
}

TEST_CASE("a resource that does not look alive fails its monitor") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "10";
  a.env["OCF_RESKEY_looks_alive"] = "0";
  CHECK(a.run("start") == 0);
  CHECK(a.run("monitor") == 1);
  CHECK(a.log.str() == "ocf-exit-reason:looks_alive() returned false\n");
}

TEST_CASE("a state left pending by a killed agent is a failure until stopped") {
  agent_env a;
  std::ofstream(a.dir / "pendop-pendop-test-r1.state") << "OnlinePending\nstart began\n";
  CHECK(a.run("monitor") == 1);
  CHECK(a.log.str() ==
        "ocf-exit-reason:an earlier action was killed while OnlinePending (start began)\n");
  a.env["OCF_RESKEY_online_ms"] = "10";
  CHECK(a.run("stop") == 0);
  CHECK(a.run("monitor") == 7);
}

TEST_CASE("unknown actions are OCF_ERR_UNIMPLEMENTED with a reason") {
  agent_env a;
  CHECK(a.run("promote") == 3);
  CHECK(a.log.str() == "ocf-exit-reason:action \"promote\" is not implemented (supported: start, "
                       "stop, monitor, meta-data, validate-all)\n");
  CHECK(a.run("migrate_to") == 3);
}

}  // TEST_SUITE
