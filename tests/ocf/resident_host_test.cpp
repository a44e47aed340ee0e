// SPDX-License-Identifier: MIT
// The resident host under real processes, as Pacemaker drives it: a service
// that lives inside the host answers from another process between actions;
// a host killed with SIGKILL is a failure the next monitor names; a stop
// leaves no process of the resource behind, even one whose offline() ignores
// every stop. Real time; the bounds leave room for a slow machine.
#include <doctest/doctest.h>

#include "agent_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <dirent.h>

#include <algorithm>

namespace {

using namespace pendop_test;

const std::string k_agent = PENDOP_RESIDENT_SERVICE_AGENT;

// The processes of the resident hosts of this agent whose state lives under
// `dir` (tests running side by side have their own).
std::vector<pid_t> host_processes(const fs::path& dir) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  REQUIRE(proc != nullptr);
  while (const dirent* e = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::string cmd = slurp(fs::path("/proc") / e->d_name / "cmdline");
    std::string stat = slurp(fs::path("/proc") / e->d_name / "stat");
    const auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
    if (cmd.find(k_agent) != 0 || cmd.find("pendop-resident-host") == std::string::npos) continue;
    std::string env = slurp(fs::path("/proc") / e->d_name / "environ");
    std::replace(env.begin(), env.end(), '\0', '\n');
    if (env.find("HA_RSCTMP=" + (dir / "state").string() + "\n") != std::string::npos) {
      out.push_back(pid);
    }
  }
  ::closedir(proc);
  return out;
}

// What the service answers on its port, or "" when nothing does.
std::string ask_service(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string got;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    char buf[64];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return got;
}

template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds bound = 10s) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

struct service_dir : agent_dir {
  service_dir() {
    env["OCF_RESKEY_port_file"] = (dir / "port").string();
  }
  ~service_dir() {
    // Whatever a failed check left running goes with the test.
    for (pid_t p : host_processes(dir)) ::kill(p, SIGKILL);
  }
  int port() const { return std::atoi(slurp(dir / "port").c_str()); }
  finished run(const std::string& action, std::chrono::milliseconds bound = 30s) {
    return run_agent(k_agent, action, env, dir, bound);
  }
};

}  // namespace

TEST_SUITE("ocf") {

TEST_CASE("resident host: the service lives between actions, a killed host is named, stop leaves nothing") {
  service_dir d;
  const auto started = d.run("start");
  REQUIRE_MESSAGE(started.rc == 0, started.err);
  CHECK(ask_service(d.port()) == "pendop\n");  // from another process, after start has exited
  for (int i = 0; i < 5; ++i) {
    const auto m = d.run("monitor");
    CHECK_MESSAGE(m.rc == 0, m.err);
    std::this_thread::sleep_for(100ms);
  }
  const auto hosts = host_processes(d.dir);
  REQUIRE(hosts.size() == 2);  // the supervisor and the host
  const fs::path ended = d.dir / "state" / "pendop-resident_service-r1.ended";
  for (pid_t p : hosts) {
    if (::getpgid(p) != p) ::kill(p, SIGKILL);  // the host, not the group's leader
  }
  REQUIRE(eventually([&] { return fs::exists(ended); }));
  const auto dead = d.run("monitor");
  CHECK(dead.rc == 1);
  CHECK(dead.err.find("ocf-exit-reason:the resident host ended: killed by signal 9 (SIGKILL)") !=
        std::string::npos);
  CHECK(ask_service(d.port()).empty());
  const auto again = d.run("start");
  REQUIRE_MESSAGE(again.rc == 0, again.err);
  CHECK(ask_service(d.port()) == "pendop\n");
  const auto stopped = d.run("stop");
  CHECK_MESSAGE(stopped.rc == 0, stopped.err);
  CHECK(host_processes(d.dir).empty());
  CHECK(ask_service(d.port()).empty());
  CHECK_FALSE(fs::exists(d.dir / "state" / "pendop-resident_service-r1.sock"));
  const auto gone = d.run("monitor");
  CHECK(gone.rc == 7);
}

TEST_CASE("resident host: a stop whose offline() ignores every stop still ends in time and leaves nothing") {
  service_dir d;
  d.env["OCF_RESKEY_hang_offline"] = "1";
  const auto started = d.run("start");
  REQUIRE_MESSAGE(started.rc == 0, started.err);
  const auto stopped = d.run("stop");  // CRM_meta_timeout is 4 s
  CHECK_MESSAGE(stopped.rc == 0, stopped.err);
  CHECK(stopped.took < 4000ms);
  CHECK(host_processes(d.dir).empty());
  CHECK(ask_service(d.port()).empty());
  CHECK(d.run("monitor").rc == 7);
}

}  // TEST_SUITE

TEST_SUITE("ocf") {

TEST_CASE("resident host: a host whose socket is removed, or taken by a newer host, ends itself") {
  service_dir d;
  REQUIRE(d.run("start").rc == 0);
  const auto first = host_processes(d.dir);
  REQUIRE(first.size() == 2);
  for (const auto& f : fs::directory_iterator(d.dir / "state")) fs::remove(f.path());  // all of it
  REQUIRE(d.run("start").rc == 0);  // a newer host at the same path
  const auto newer = [&] {
    for (pid_t p : first) {
      if (::kill(p, 0) == 0 && slurp(fs::path("/proc") / std::to_string(p) / "stat").find(") Z") ==
                                   std::string::npos) {
        return false;
      }
    }
    return true;
  };
  CHECK(eventually(newer, 15s));  // the first host has gone by itself
  CHECK(host_processes(d.dir).size() == 2);  // the newer one runs on
  CHECK(d.run("monitor").rc == 0);
  CHECK(d.run("stop").rc == 0);
  CHECK(host_processes(d.dir).empty());
}

}  // TEST_SUITE
