// SPDX-License-Identifier: MIT
// OCF agents run as the separate processes Pacemaker runs: each action must
// end with a definite exit code before its timeout whatever the resource's
// body does (ignore terminate, block in terminate()), print one exit reason
// when it fails, and leave a state file that tells the next monitor the
// truth. Real time, real processes; the bounds leave room for a slow machine.
#include <doctest/doctest.h>

#include "agent_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace fs = std::filesystem;

extern char** environ;

namespace {

using namespace pendop_test;

}  // namespace

TEST_SUITE("ocf") {

TEST_CASE("agent process: a start whose body ignores terminate answers before its timeout") {
  agent_dir d;
  d.env["OCF_RESKEY_online_ms"] = "60000";
  d.env["OCF_RESKEY_ignore_terminate"] = "1";
  const finished f = run_agent(PENDOP_EXAMPLE_AGENT, "start", d.env, d.dir);
  CAPTURE(f.err);
  CHECK(f.rc == 1);
  CHECK(f.took < 4000ms);   // the timeout
  CHECK(f.took >= 3000ms);  // the operation used its time (stopped at 3200 ms)
  CHECK(count_lines_with(f.err, "ocf-exit-reason:") == 1);
  CHECK(f.err.find("ocf-exit-reason:start ended Failed: did not finish within 3200 ms of its "
                   "4000 ms timeout") != std::string::npos);
  CHECK(slurp(d.state("example")).rfind("Failed\n", 0) == 0);
  const finished m = run_agent(PENDOP_EXAMPLE_AGENT, "monitor", d.env, d.dir);
  CHECK(m.rc == 1);
  CHECK(m.err.find("ocf-exit-reason:failed: did not finish") != std::string::npos);
}

TEST_CASE("agent process: a start whose terminate() blocks still answers before its timeout") {
  agent_dir d;
  d.env["OCF_RESKEY_block_terminate"] = "1";
  const finished f = run_agent(PENDOP_MISBEHAVING_AGENT, "start", d.env, d.dir);
  CAPTURE(f.err);
  CHECK(f.rc == 1);
  CHECK(f.took < 4000ms);
  CHECK(f.took >= 3000ms);
  CHECK(count_lines_with(f.err, "ocf-exit-reason:") == 1);
  CHECK(f.err.find("ocf-exit-reason:start did not answer within 3600 ms of its 4000 ms timeout") !=
        std::string::npos);
  const std::string state = slurp(d.state("misbehaving"));
  CHECK(state.rfind("Failed\nstart did not answer", 0) == 0);
  const finished m = run_agent(PENDOP_MISBEHAVING_AGENT, "monitor", d.env, d.dir);
  CHECK(m.rc == 1);
}

TEST_CASE("agent process: a stop whose body and terminate() block answers before its timeout") {
  agent_dir d;
  d.env["OCF_RESKEY_block_terminate"] = "1";
  std::ofstream(d.state("misbehaving")) << "Online\n\n";
  const finished f = run_agent(PENDOP_MISBEHAVING_AGENT, "stop", d.env, d.dir);
  CAPTURE(f.err);
  CHECK(f.rc == 1);  // not known to be stopped: the cluster must decide (block or fence)
  CHECK(f.took < 4000ms);
  CHECK(count_lines_with(f.err, "ocf-exit-reason:") == 1);
  CHECK(f.err.find("ocf-exit-reason:stop did not answer within 3600 ms") != std::string::npos);
  CHECK(slurp(d.state("misbehaving")).rfind("Failed\n", 0) == 0);
}

TEST_CASE("agent process: a stop whose body ignores terminate ends it by force, in time") {
  agent_dir d;
  d.env["OCF_RESKEY_block_terminate"] = "0";
  std::ofstream(d.state("misbehaving")) << "Online\n\n";
  const finished f = run_agent(PENDOP_MISBEHAVING_AGENT, "stop", d.env, d.dir);
  CAPTURE(f.err);
  CHECK(f.rc == 0);  // terminate() returned: the body dies with the process
  CHECK(f.took < 4000ms);
  CHECK(f.err.find("ocf-exit-reason") == std::string::npos);
  CHECK(f.err.find("forcing it down with terminate()") != std::string::npos);
  CHECK_FALSE(fs::exists(d.state("misbehaving")));
}

TEST_CASE("agent process: a healthy start and stop print nothing at error level") {
  agent_dir d;
  d.env["OCF_RESKEY_online_ms"] = "300";
  d.env["OCF_RESKEY_report_ms"] = "50";
  d.env["HA_LOGFILE"] = (d.dir / "cluster.log").string();  // as under Pacemaker
  d.env["HA_LOGFACILITY"] = "none";
  for (const char* action : {"monitor", "start", "monitor", "stop", "monitor"}) {
    CAPTURE(action);
    const finished f = run_agent(PENDOP_EXAMPLE_AGENT, action, d.env, d.dir);
    if (std::string_view(action) == "monitor") {
      CHECK((f.rc == 0 || f.rc == 7));
      if (f.rc == 7) CHECK(f.err.rfind("ocf-exit-reason:not running: no state file", 0) == 0);
    } else {
      CHECK(f.rc == 0);
      CHECK(f.err.empty());
    }
  }
  const std::string log = slurp(d.dir / "cluster.log");
  CHECK(log.find("ERROR") == std::string::npos);
  CHECK(log.find("INFO: start: Online after") != std::string::npos);
  CHECK(fs::is_empty(d.dir / "state"));
}

}  // TEST_SUITE
