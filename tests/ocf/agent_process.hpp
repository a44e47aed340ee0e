// SPDX-License-Identifier: MIT
// Running an OCF agent as Pacemaker does: one process per action, with the
// action's environment, bounded so that a hung agent fails the test rather
// than hanging it.
#pragma once

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
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace pendop_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct finished {
  int rc = -1;
  std::string err;
  std::chrono::milliseconds took{};
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `agent action` with the parameters in `env` added to this process's
// environment; kills it after `bound` (a hung agent fails the test, it does
// not hang it).
inline finished run_agent(const std::string& agent, const std::string& action,
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

inline int count_lines_with(const std::string& text, const std::string& what) {
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
  // Tears down what the test started: the process groups of resident hosts
  // still recorded (a failed start the test does not stop), then the files.
  ~agent_dir() {
    for (const auto& f : fs::directory_iterator(dir / "state")) {
      if (f.path().extension() != ".host") continue;
      long group = 0;
      std::ifstream(f.path()) >> group;
      if (group > 1) ::kill(static_cast<pid_t>(-group), SIGKILL);
    }
    fs::remove_all(dir);
  }
  fs::path state(const std::string& agent) const {
    return dir / "state" / ("pendop-" + agent + "-r1.state");
  }
  fs::path dir;
  std::map<std::string, std::string> env;
};

}  // namespace pendop_test
