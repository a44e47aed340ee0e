// SPDX-License-Identifier: MIT
#include "process_sweep.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

namespace pendop_cli {
namespace {

struct proc_stat {
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
};

bool read_stat(pid_t pid, proc_stat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return false;
  const auto close = text.rfind(')');  // the command name may hold spaces and ')'
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  return static_cast<bool>(rest >> out.state >> out.ppid >> out.pgrp);
}

void reap_all() {
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

}  // namespace

orphan_reaper::orphan_reaper(std::function<bool(pid_t)> is_ours)
    : is_ours_(std::move(is_ours)), thread_([this](std::stop_token token) {
        while (!token.stop_requested()) {
          for (pid_t pid : child_processes()) {
            proc_stat st;
            if (read_stat(pid, st) && st.state == 'Z' && !is_ours_(pid)) {
              ::waitpid(pid, nullptr, WNOHANG);
            }
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }) {}

bool become_subreaper() noexcept { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }

std::vector<pid_t> child_processes() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    proc_stat st;
    if (read_stat(pid, st) && st.ppid == self) out.push_back(pid);
  }
  return out;
}

void stop_group(pid_t pgid, pid_t leader, std::chrono::milliseconds grace) {
  if (pgid <= 1) return;
  ::kill(-pgid, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (leader > 0) ::waitpid(leader, nullptr, WNOHANG);  // a zombie leader keeps the group
    if (::kill(-pgid, 0) == -1 && errno == ESRCH) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pgid, SIGKILL);
  if (leader > 0) ::waitpid(leader, nullptr, 0);
}

bool is_wine_process(pid_t pid) {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return !ec && exe.filename().string().rfind("wine", 0) == 0;
}

std::size_t stop_descendants(std::chrono::milliseconds grace,
                             const std::function<bool(pid_t)>& spare) {
  const pid_t own_group = ::getpgrp();
  std::set<pid_t> stopped;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  bool killing = false;
  for (;;) {
    reap_all();
    std::vector<pid_t> live;
    for (pid_t pid : child_processes()) {
      proc_stat st;
      if (!read_stat(pid, st) || st.state == 'Z') continue;
      if (spare && spare(pid)) continue;
      live.push_back(pid);
      const int sig = killing ? SIGKILL : SIGTERM;
      if (st.pgrp != own_group && st.pgrp > 1) ::kill(-st.pgrp, sig);
      ::kill(pid, sig);
      stopped.insert(pid);
    }
    if (live.empty()) break;
    if (!killing && std::chrono::steady_clock::now() >= deadline) killing = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (killing && std::chrono::steady_clock::now() > deadline + std::chrono::seconds(5)) break;
  }
  reap_all();
  return stopped.size();
}

}  // namespace pendop_cli
