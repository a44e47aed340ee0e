// SPDX-License-Identifier: MIT
// OCF agents run as the separate processes Pacemaker runs: each action must
// end with a definite exit code before its timeout whatever the resource's
// body does (ignore terminate, block in terminate()), print one exit reason
// when it fails, and leave a state file that tells the next monitor the
// truth. Real time, real processes; the bounds leave room for a slow machine.
#include <doctest/doctest.h>

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

struct finished {
  int rc = -1;
  std::string err;
  std::chrono::milliseconds took{};
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `agent action` with the parameters in `env` added to this process's
// environment; kills it after `bound` (a hung agent fails the test, it does
// not hang it).
finished run_agent(const std::string& agent, const std::string& action,
                   const std::map<std::string, std::string>& env, const fs::path& dir,
                   std::chrono::milliseconds bound = 30s) {
  std::vector<std::string> env_s;
  for (char** e = environ; e && *e; ++e) env_s.emplace_back(*e);
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string a0 = agent, a1 = action;
  char* argv[] = {a0.data(), a1.data(), nullptr};
  const fs::path err_path = dir / "stderr";
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int spawned = ::posix_spawn(&pid, argv[0], &files, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&files);
  REQUIRE(spawned == 0);
  finished f;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() - t0 > bound) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("the agent was still running after ", bound.count(), " ms");
    }
    std::this_thread::sleep_for(5ms);
  }
  f.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  f.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  f.err = slurp(err_path);
  return f;
}

int count_lines_with(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct agent_dir {
  agent_dir() {
    dir = fs::temp_directory_path() /
          ("pendop-ocf-process-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir / "state");
    env["HA_RSCTMP"] = (dir / "state").string();
    env["OCF_RESOURCE_INSTANCE"] = "r1";
    env["OCF_RESKEY_crm_feature_set"] = "3.16.1";  // as Pacemaker passes it
    env["OCF_RESKEY_CRM_meta_timeout"] = "4000";
  }
  ~agent_dir() { fs::remove_all(dir); }
  fs::path state(const std::string& agent) const {
    return dir / "state" / ("pendop-" + agent + "-r1.state");
  }
  fs::path dir;
  std::map<std::string, std::string> env;
};

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
