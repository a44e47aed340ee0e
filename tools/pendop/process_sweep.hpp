// SPDX-License-Identifier: MIT
// Nothing a run starts may outlive it. `become_subreaper` makes this process
// the reaper of its orphaned descendants (Linux PR_SET_CHILD_SUBREAPER), so a
// daemon that double-forks away from its resource's process group is
// re-parented here, not to PID 1; `stop_descendants` then finds every child
// left (scanning /proc), stops its process group and itself with SIGTERM,
// escalates to SIGKILL after a grace period, and reaps them all. While the
// run goes on, an `orphan_reaper` reaps the adopted orphans that exit (a
// daemon stopped by its agent), so they do not linger as zombies that
// `kill -0` still finds.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

namespace pendop_cli {

/// Reaps, every 100 ms, the exited children that `is_ours` does not claim
/// (those are reaped by whoever spawned them).
class orphan_reaper {
 public:
  explicit orphan_reaper(std::function<bool(pid_t)> is_ours);
  ~orphan_reaper() = default;  // the jthread stops and joins
  orphan_reaper(const orphan_reaper&) = delete;
  orphan_reaper& operator=(const orphan_reaper&) = delete;

 private:
  std::function<bool(pid_t)> is_ours_;
  std::jthread thread_;  // last: stopped before is_ours_ goes
};

/// True when orphaned descendants will be re-parented to this process.
bool become_subreaper() noexcept;

/// The children of this process (from /proc), zombies included.
[[nodiscard]] std::vector<pid_t> child_processes();

/// Stops and reaps every descendant still there, except those `spare`
/// accepts; returns how many processes had to be stopped (zombies that only
/// needed reaping are not counted).
std::size_t stop_descendants(std::chrono::milliseconds grace,
                             const std::function<bool(pid_t)>& spare = {});

/// True for Wine's own programs (wineserver, and the loader that runs every
/// Windows program: services.exe, explorer.exe, ...). One wineserver serves
/// every Wine program of a prefix, whoever started it, and ends by itself a
/// few seconds after the last one: a run that started it leaves it be.
[[nodiscard]] bool is_wine_process(pid_t pid);

/// SIGTERM to the process group `pgid`, then SIGKILL after `grace` if any
/// member is left: works whether or not the leader is still alive. `leader`
/// (a child of this process, or 0) is reaped on the way.
void stop_group(pid_t pgid, pid_t leader, std::chrono::milliseconds grace);

}  // namespace pendop_cli
