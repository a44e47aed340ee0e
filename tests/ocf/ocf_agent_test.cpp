// SPDX-License-Identifier: MIT
// The OCF agent adapter: exit-code mapping, parameters, meta-data, and whole
// actions run in-process with a private state directory.
#include <pendop/example/example_resource.hpp>
#include <pendop/ocf/agent.hpp>
#include <pendop/ocf/exit_code.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace std::chrono_literals;
using pendop::resource_state;
using pendop::ocf::exit_code;
namespace fs = std::filesystem;

namespace {

pendop::ocf::agent_definition example() {
  pendop::ocf::agent_definition def;
  def.name = "pendop-test";
  def.shortdesc = "test";
  def.longdesc = "test <agent> & co";
  def.parameters = {{"online_ms", "start time", "start time", "integer", "1000", false},
                    {"report_ms", "report interval", "report interval", "integer", "200", false},
                    {"looks_alive", "alive", "alive", "boolean", "1", false},
                    {"fail_online", "fail", "fail", "boolean", "0", false}};
  def.make = [](const pendop::ocf::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    std::string config;
    for (const auto& [k, val] : v) {
      if (k == "online_ms" || k == "report_ms" || k == "looks_alive" || k == "fail_online")
        config += k + "=" + val + ";";
    }
    auto c = pendop::example::parse_example_config(config);
    if (!c) return c.error();
    return std::unique_ptr<pendop::resource>(std::make_unique<pendop::example::example_resource>(*c));
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
  a.env["OCF_RESKEY_CRM_meta_timeout"] = "20000";  // Pacemaker's own: ignored
  auto v = pendop::ocf::read_parameters(a.def, a.env);
  REQUIRE(v);
  CHECK(v->at("online_ms") == "1000");
  CHECK(v->at("looks_alive") == "0");
}

TEST_CASE("bad parameters are OCF_ERR_CONFIGURED with the parameter named") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "soon";
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str() == "ERROR: online_ms: \"soon\" is not an integer\n");
  a.env.erase("OCF_RESKEY_online_ms");
  a.env["OCF_RESKEY_onlin_ms"] = "5";
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str().rfind("ERROR: unknown parameter \"onlin_ms\" (known: online_ms,", 0) == 0);
  a.env.erase("OCF_RESKEY_onlin_ms");
  a.env["OCF_RESKEY_PendingTimeout"] = "5";
  CHECK(a.run("validate-all") == 6);
  CHECK(a.log.str() == "ERROR: PendingTimeout: 5 is out of range, allowed 10..4294967295\n");
  a.env.erase("OCF_RESKEY_PendingTimeout");
  a.env["OCF_RESKEY_fail_online"] = "maybe";
  CHECK(a.run("validate-all") == 6);
  a.env.erase("OCF_RESKEY_fail_online");
  CHECK(a.run("validate-all") == 0);
}

TEST_CASE("meta-data lists every parameter and derives action timeouts from PendingTimeout") {
  agent_env a;
  CHECK(a.run("meta-data") == 0);
  const std::string x = a.out.str();
  CHECK(x.find("<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">") != std::string::npos);
  CHECK(x.find("<version>1.1</version>") != std::string::npos);
  for (const char* name : {"online_ms", "report_ms", "looks_alive", "fail_online", "PendingTimeout",
                           "DeadlockTimeout", "state_dir"}) {
    CAPTURE(name);
    CHECK(x.find(std::string("<parameter name=\"") + name + "\"") != std::string::npos);
  }
  CHECK(x.find("<action name=\"start\" timeout=\"180s\" />") != std::string::npos);
  CHECK(x.find("test &lt;agent&gt; &amp; co") != std::string::npos);
}

TEST_CASE("start, monitor and stop are idempotent and keep state across actions") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "100";
  a.env["OCF_RESKEY_report_ms"] = "50";
  CHECK(a.run("monitor") == 7);
  CHECK(a.run("start") == 0);
  CHECK(a.log.str().find("[online 50%]") != std::string::npos);  // progress with stage and percent
  CHECK(a.run("monitor") == 0);
  CHECK(a.run("start") == 0);  // started already
  CHECK(a.run("stop") == 0);
  CHECK(a.run("monitor") == 7);
  CHECK(a.run("stop") == 0);  // stopped already
  for (const auto& e : fs::directory_iterator(a.dir)) CHECK(e.path().extension() != ".tmp");
}

TEST_CASE("a start that outlasts OCF_RESKEY_CRM_meta_timeout stops cleanly before it") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "20000";
  a.env["OCF_RESKEY_report_ms"] = "100";
  a.env["OCF_RESKEY_CRM_meta_timeout"] = "2000";
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(a.run("start") == 1);
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < 2000ms);   // before Pacemaker's deadline, even on a slow machine
  CHECK(took >= 1400ms);  // but only after using most of it
  CHECK(a.log.str().find("did not finish within 1500 ms (timeout 2000 ms less a 500 ms margin)") !=
        std::string::npos);
  CHECK(a.run("monitor") == 1);  // Failed: Pacemaker recovers it
  CHECK(a.run("stop") == 0);
  CHECK(a.run("monitor") == 7);
}

TEST_CASE("a failing start is OCF_ERR_GENERIC and monitor then reports the failure") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "100";
  a.env["OCF_RESKEY_report_ms"] = "50";
  a.env["OCF_RESKEY_fail_online"] = "1";
  CHECK(a.run("start") == 1);
  CHECK(a.log.str().find("fail_online=1: refusing to come online") != std::string::npos);
  CHECK(a.run("monitor") == 1);
}

TEST_CASE("a resource that does not look alive fails its monitor") {
  agent_env a;
  a.env["OCF_RESKEY_online_ms"] = "10";
  a.env["OCF_RESKEY_looks_alive"] = "0";
  CHECK(a.run("start") == 0);
  CHECK(a.run("monitor") == 1);
}

TEST_CASE("a state left pending by a killed agent is a failure until stopped") {
  agent_env a;
  std::ofstream(a.dir / "pendop-pendop-test-r1.state") << "OnlinePending\n";
  CHECK(a.run("monitor") == 1);
  a.env["OCF_RESKEY_online_ms"] = "10";
  CHECK(a.run("stop") == 0);
  CHECK(a.run("monitor") == 7);
}

TEST_CASE("unknown actions are OCF_ERR_UNIMPLEMENTED") {
  agent_env a;
  CHECK(a.run("promote") == 3);
  CHECK(a.run("migrate_to") == 3);
}

}  // TEST_SUITE
