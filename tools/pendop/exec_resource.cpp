// SPDX-License-Identifier: MIT
#include "exec_resource.hpp"

#include "exec_args.hpp"
#include "process_sweep.hpp"
#include "run_control.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace pendop_cli {
namespace {

// What Pacemaker 2.1.5 (Debian 12) passes as crm_feature_set.
constexpr const char* k_crm_feature_set = "3.16.1";

// How long a process group gets between SIGTERM and SIGKILL.
constexpr std::chrono::milliseconds k_grace{1000};

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string ocf_name(int rc) {
  switch (rc) {
    case 0: return "OCF_SUCCESS";
    case 1: return "OCF_ERR_GENERIC";
    case 2: return "OCF_ERR_ARGS";
    case 3: return "OCF_ERR_UNIMPLEMENTED";
    case 4: return "OCF_ERR_PERM";
    case 5: return "OCF_ERR_INSTALLED";
    case 6: return "OCF_ERR_CONFIGURED";
    case 7: return "OCF_NOT_RUNNING";
    default: return "exit code";
  }
}

}  // namespace

exec_resource::exec_resource(std::string name, exec_spec spec,
                             const pendop::resource_properties& props, std::string log_path,
                             std::string tmp_dir)
    : name_(std::move(name)),
      spec_(std::move(spec)),
      looks_alive_interval_(props.looks_alive_poll_interval),
      is_alive_interval_(props.is_alive_poll_interval),
      log_path_(std::move(log_path)),
      tmp_dir_(std::move(tmp_dir)) {}

std::string exec_resource::agent_path(const std::string& agent) {
  const auto a = agent.find(':');
  const auto b = agent.rfind(':');
  return agent_file(agent.substr(a + 1, b - a - 1), agent.substr(b + 1));
}

std::vector<std::string> exec_resource::command(const std::string& action) const {
  if (!spec_.agent.empty()) return {agent_path(spec_.agent), action};
  const std::string& cmd =
      action == "start" ? spec_.start : action == "stop" ? spec_.stop : spec_.monitor;
  return {"/bin/sh", "-c", cmd.empty() ? std::string("true") : cmd};
}

// The environment Pacemaker gives an agent (seen in a real cluster), so a
// scenario catches what a cluster would: an agent that rejects
// crm_feature_set fails here too.
std::vector<std::string> exec_resource::environment(const std::string& action,
                                                    int check_level) const {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "OCF_", 4) != 0) env.emplace_back(*e);  // ours replace the caller's
  }
  env.push_back("OCF_RA_VERSION_MAJOR=1");
  env.push_back("OCF_RA_VERSION_MINOR=1");
  env.push_back(fmt::format("OCF_ROOT={}", ocf_root()));
  env.push_back(fmt::format("OCF_RESOURCE_INSTANCE={}", name_));
  if (!spec_.agent.empty()) {
    const auto a = spec_.agent.find(':');
    const auto b = spec_.agent.rfind(':');
    env.push_back(fmt::format("OCF_RESOURCE_PROVIDER={}", spec_.agent.substr(a + 1, b - a - 1)));
    env.push_back(fmt::format("OCF_RESOURCE_TYPE={}", spec_.agent.substr(b + 1)));
  }
  env.push_back("OCF_EXIT_REASON_PREFIX=ocf-exit-reason:");
  env.push_back("OCF_OUTPUT_FORMAT=text");
  env.push_back(fmt::format("HA_RSCTMP={}", tmp_dir_));
  env.push_back(fmt::format("OCF_RESKEY_crm_feature_set={}", k_crm_feature_set));
  env.push_back(fmt::format("OCF_RESKEY_CRM_meta_on_node={}", host_name()));
  env.push_back(fmt::format("OCF_RESKEY_CRM_meta_timeout={}", spec_.timeout_ms));
  if (action == "monitor") {  // a recurring monitor: LooksAlive, or IsAlive at depth 10
    const auto interval = check_level >= 10 ? is_alive_interval_ : looks_alive_interval_;
    env.push_back("OCF_RESKEY_CRM_meta_name=monitor");
    env.push_back(fmt::format(
        "OCF_RESKEY_CRM_meta_interval={}",
        std::chrono::duration_cast<std::chrono::milliseconds>(interval).count()));
    if (check_level > 0) env.push_back(fmt::format("OCF_CHECK_LEVEL={}", check_level));
  }
  for (const auto& [k, v] : spec_.params) env.push_back(fmt::format("OCF_RESKEY_{}={}", k, v));
  return env;
}

exec_resource::exit_status exec_resource::run(const std::string& action, pendop::operation* op,
                                              int check_level) {
  const auto argv_s = command(action);
  const auto env_s = environment(action, check_level);
  const auto argv = exec_args(argv_s);
  const auto envp = exec_args(env_s);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  run_control::reset_signals(attr);
  pid_t pid = 0;
  int err = 0;
  {
    // Registered before anyone can ask for it, so terminate() never misses it.
    std::lock_guard lk(groups_mu_);
    if (closed_) {
      err = ECANCELED;
    } else {
      err = ::posix_spawn(&pid, argv[0], &files, &attr, argv.data(), envp.data());
      if (err == 0) groups_.insert(pid);  // its own group: pgid == pid
    }
  }
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return {exit_status::spawn_failed, err};

  // No progress reports of our own: a report restarts the PendingTimeout
  // window, and a process that says nothing must not look busy to it.
  const auto start = std::chrono::steady_clock::now();
  const auto limit = start + std::chrono::milliseconds(spec_.timeout_ms);
  // Stops the whole group (a leader gone does not let its children off).
  auto stop = [&](exit_status result) {
    stop_group(pid, pid, k_grace);
    forget_group(pid);
    return result;
  };
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return stop({exit_status::lost, errno});
    const auto now = std::chrono::steady_clock::now();
    if (now >= limit) return stop({exit_status::timed_out, 0});
    if (op) {
      if (!op->wait_for(std::chrono::milliseconds(20))) return stop({exit_status::stopped, 0});
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // What a start leaves in its group (a daemon) is the resource while it is
  // Online; anything else's leftovers are stopped now.
  if (action == "start" && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::lock_guard lk(groups_mu_);
    if (resource_group_ > 0 && resource_group_ != pid) groups_.insert(resource_group_);
    resource_group_ = pid;
    groups_.erase(pid);  // reaped above; the group lives on as the resource's
  } else {
    stop_group(pid, 0, k_grace);
    forget_group(pid);
  }
  if (WIFSIGNALED(status)) return {exit_status::signaled, WTERMSIG(status)};
  return {exit_status::exited, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

void exec_resource::forget_group(pid_t pgid) {
  std::lock_guard lk(groups_mu_);
  groups_.erase(pgid);
}

namespace {

pendop::result<void> outcome(const std::string& action, exec_resource::exit_status st,
                             long long timeout_ms) {
  using kind = exec_resource::exit_status::kind_t;
  auto failed = [](std::string text) {
    return pendop::make_error(pendop::errc::operation_failed, std::move(text));
  };
  switch (st.kind) {
    case kind::exited:
      if (st.code == 0) return pendop::ok();
      return failed(fmt::format("{} exited {} ({})", action, st.code, ocf_name(st.code)));
    case kind::stopped:
      return pendop::ok();  // stopped on request: the runner reports the stop
    case kind::signaled:
      return failed(fmt::format("{} was killed by signal {} ({})", action, st.code,
                                signal_name(st.code)));
    case kind::timed_out:
      return failed(fmt::format("{} did not finish within {} ms (timeout_ms); its processes "
                                "were stopped",
                                action, timeout_ms));
    case kind::spawn_failed:
      return failed(fmt::format("{}: could not start the process: {}", action,
                                std::strerror(st.code)));
    case kind::lost:
      return failed(fmt::format("{}: lost track of the process: {}", action,
                                std::strerror(st.code)));
  }
  return failed(action + ": unknown outcome");
}

}  // namespace

pendop::result<void> exec_resource::online(pendop::operation& op) {
  return outcome("start", run("start", &op, 0), spec_.timeout_ms);
}

pendop::result<void> exec_resource::offline(pendop::operation& op) {
  auto result = outcome("stop", run("stop", &op, 0), spec_.timeout_ms);
  // Offline means gone: whatever the start left that the stop did not end.
  pid_t group = 0;
  {
    std::lock_guard lk(groups_mu_);
    std::swap(group, resource_group_);
  }
  if (group > 0) stop_group(group, 0, k_grace);
  return result;
}

bool exec_resource::monitor(int check_level) noexcept {
  try {
    const auto st = run("monitor", nullptr, check_level);
    return st.kind == exit_status::exited && st.code == 0;
  } catch (...) {
    return false;
  }
}

// ResApi Terminate: the resource is gone when this returns, whatever it
// was doing: its start or stop, its monitors, and what its start left.
void exec_resource::terminate() noexcept { stop_all(/*close=*/false); }

void exec_resource::close() noexcept { stop_all(/*close=*/true); }

void exec_resource::stop_all(bool close) noexcept {
  std::set<pid_t> groups;
  {
    std::lock_guard lk(groups_mu_);
    closed_ = closed_ || close;
    groups = groups_;
    if (resource_group_ > 0) groups.insert(resource_group_);
    resource_group_ = 0;
  }
  for (pid_t g : groups) ::kill(-g, SIGTERM);  // all at once, then wait for each
  for (pid_t g : groups) stop_group(g, 0, k_grace);
}

bool exec_resource::spawned(pid_t pid) const {
  std::lock_guard lk(groups_mu_);
  return groups_.contains(pid);
}

bool exec_resource::has_processes() const {
  std::lock_guard lk(groups_mu_);
  if (resource_group_ > 0 && ::kill(-resource_group_, 0) == 0) return true;
  for (pid_t g : groups_) {
    if (::kill(-g, 0) == 0) return true;
  }
  return false;
}

}  // namespace pendop_cli
