// SPDX-License-Identifier: MIT
#include "resident_host.hpp"

#include "agent_log.hpp"
#include "agent_support.hpp"

#include <pendop/host/invoke_operation.hpp>
#include <pendop/posix/host_channel.hpp>
#include <pendop/posix/monitor.hpp>

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

namespace pendop::ocf::detail {

namespace {

using steady = std::chrono::steady_clock;
constexpr const char* k_ready_fd = "PENDOP_HOST_READY_FD";

std::string base_of(const std::string& state_path) {
  constexpr std::string_view suffix = ".state";
  return state_path.ends_with(suffix) ? state_path.substr(0, state_path.size() - suffix.size())
                                      : state_path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::string all, line;
  while (std::getline(in, line)) all += (all.empty() ? "" : "\n") + line;
  return all;
}

// Field 22 of /proc/PID/stat: when the process started (clock ticks since
// boot). With the pid it names one process for good.
std::optional<unsigned long long> start_time(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  const auto close = stat.rfind(')');  // the command may hold spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::size_t field = 2;
  std::size_t at = close + 1;
  while (field < 22 && at < stat.size()) {
    at = stat.find(' ', at + 1);
    if (at == std::string::npos) return std::nullopt;
    ++field;
  }
  return std::strtoull(stat.c_str() + at + 1, nullptr, 10);
}

// The live (not yet reaped is dead too) processes of group `pgid`.
std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (const dirent* e = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    const char state = stat[close + 2];
    long ppid = 0, pgrp = 0;
    if (std::sscanf(stat.c_str() + close + 4, "%ld %ld", &ppid, &pgrp) != 2) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X') out.push_back(pid);
  }
  ::closedir(proc);
  return out;
}

std::string describe_end(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::sigabbrev_np(sig);
    return fmt::format("killed by signal {} (SIG{})", sig, name ? name : "?");
  }
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << '\n';
  }
  std::rename(tmp.c_str(), path.c_str());
}

void tell(int fd, const std::string& line) {
  if (fd < 0) return;
  const std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
  ::close(fd);
}

// --- the host proper ------------------------------------------------------------

class host {
 public:
  host(const agent_definition& def, const environment& env, host_files files, agent_log& log)
      : def_(def), env_(env), files_(std::move(files)), log_(log) {}

  // Makes the resource and serves until told to exit; `ready_fd` hears
  // "ready" once the channel listens, or "error: why".
  int run(int ready_fd) {
    auto params = read_parameters(def_, env_);
    if (!params) {
      tell(ready_fd, "error: " + params.error().message);
      return 3;
    }
    auto made = def_.make(params->values);
    if (!made || !*made) {
      tell(ready_fd, "error: " + (made ? def_.name + ": the agent made no resource"
                                       : made.error().message));
      return 3;
    }
    res_ = std::shared_ptr<resource>(std::move(*made));
    // A stopped body has the start action's margin to return (agent_support.hpp).
    auto m = posix::monitor::create(
        {.stop_wait = budget_for(action_timeout(def_, true, env_)).stop_wait});
    if (!m) {
      tell(ready_fd, "error: " + m.error().message);
      return 4;
    }
    monitor_.emplace(std::move(*m));
    props_ = params->properties;
    props_.restart = restart_action::dont_restart;  // the cluster manager recovers
    if (auto added = monitor_->add(name_, res_, props_); !added) {
      tell(ready_fd, "error: " + added.error().message);
      return 4;
    }
    auto events = monitor_->subscribe([this](const monitor_event& e) { log_event(e); });
    auto server = posix::channel_server::listen(
        files_.socket, [this](const posix::channel_message& r) { return answer(r); });
    if (!server) {
      tell(ready_fd, "error: " + server.error().message);
      return 4;
    }
    tell(ready_fd, "ready");
    log_.info(fmt::format("resident host {} listening on {}", ::getpid(), files_.socket));
    // A host whose socket no longer reaches it (the file removed with the
    // instance's state, or taken over by a newer host) can no longer be
    // reached by any action: it ends itself rather than run on unseen. It
    // asks its own socket who answers there, once a second.
    std::unique_lock lk(mu_);
    while (!exit_cv_.wait_for(lk, std::chrono::seconds(1), [&] { return exiting_; })) {
      lk.unlock();
      const bool reachable = answers_on_own_socket();
      lk.lock();
      if (!reachable && !exiting_) {
        log_.warning(fmt::format("{} no longer reaches this host: the resident host ends itself",
                                 files_.socket));
        return 0;
      }
    }
    log_.info("resident host exiting");
    return 0;
  }

 private:
  posix::channel_message answer(const posix::channel_message& r) {
    const auto op = field(r, "op");
    if (op == "status") return state_reply();
    if (op == "online" || op == "offline") return operate(op == "online", r);
    if (op == "terminate") {
      (void)monitor_->terminate(name_);
      return state_reply();
    }
    if (op == "check") return check(r);
    if (op == "exit") {
      std::lock_guard lk(mu_);
      exiting_ = true;
      exit_cv_.notify_all();
      return {{"ok", "true"}};
    }
    return {{"ok", "false"},
            {"error", fmt::format("unknown op \"{}\" (known: status, online, offline, terminate, "
                                  "check, exit)",
                                  op)}};
  }

  // Whether this process answers on the instance's socket. A busy host
  // (every connection thread taken) counts as reachable.
  bool answers_on_own_socket() const {
    auto reply = posix::channel_request(files_.socket, {{"op", "status"}}, std::chrono::seconds(5));
    if (!reply) return reply.error().code == make_error_code(errc::wait_timeout);
    return field(*reply, "pid") == std::to_string(::getpid());
  }

  static std::string field(const posix::channel_message& r, std::string_view key) {
    const auto it = r.find(key);
    return it != r.end() ? it->second : std::string();
  }

  static std::optional<std::chrono::milliseconds> millis(const posix::channel_message& r,
                                                        std::string_view key) {
    const auto v = parse_integer(field(r, key));
    if (!v || *v < 0) return std::nullopt;
    return std::chrono::milliseconds(*v);
  }

  posix::channel_message state_reply() const {
    const auto st = monitor_->state(name_);
    const auto d = monitor_->diagnostics(name_);
    return {{"ok", "true"},
            {"state", st ? std::string(to_string(*st)) : std::string("Unknown")},
            {"error", d && d->state != resource_state::online ? d->last_error : std::string()},
            {"pid", std::to_string(::getpid())}};
  }

  // Online or Offline, waited for up to "wait_ms"; "limit_ms" bounds the
  // whole operation (the action's budget: the engine stops it there).
  posix::channel_message operate(bool online, const posix::channel_message& r) {
    std::lock_guard serial(op_mu_);  // one operation at a time, as a manager runs them
    if (const auto limit = millis(r, "limit_ms")) {
      resource_properties p = props_;
      p.operation_limit = *limit;
      (void)monitor_->set_properties(name_, p);
    }
    auto started = online ? monitor_->online(name_) : monitor_->offline(name_);
    if (!started) {
      if (started.error().code == make_error_code(errc::invalid_state)) return state_reply();
      return {{"ok", "false"}, {"error", started.error().message}};
    }
    const auto wait = millis(r, "wait_ms").value_or(std::chrono::minutes(1));
    auto fin = monitor_->wait(name_, started->id, wait);
    if (!fin) return state_reply();  // still pending: the caller decides
    return {{"ok", "true"},
            {"state", std::string(to_string(fin->state))},
            {"error", fin->error_text},
            {"reason", std::string(to_string(fin->reason))},
            {"pid", std::to_string(::getpid())}};
  }

  // The state, and for an Online resource a fresh LooksAlive (and IsAlive at
  // depth >= 10), as an OCF monitor asks.
  posix::channel_message check(const posix::channel_message& r) {
    auto reply = state_reply();
    if (reply["state"] != to_string(resource_state::online)) return reply;
    std::string why;
    bool alive = invoke_looks_alive(*res_, &why);
    std::string which = "looks_alive";
    const auto depth = parse_integer(field(r, "depth")).value_or(0);
    if (alive && depth >= 10) {
      alive = invoke_is_alive(*res_, &why);
      which = "is_alive";
    }
    reply["alive"] = alive ? "true" : "false";
    if (!alive) {
      reply["error"] = why.empty() ? which + "() returned false" : which + "(): " + why;
    }
    return reply;
  }

  void log_event(const monitor_event& e) {
    switch (e.kind) {
      case event_kind::status:
        if (!is_pending(e.to)) {
          log_.info(fmt::format("{} -> {}{}", to_string(e.from), to_string(e.to),
                                e.detail.empty() ? std::string() : ": " + e.detail));
        }
        break;
      case event_kind::looks_alive_failed:
      case event_kind::is_alive_failed:
      case event_kind::failure_reported:
      case event_kind::deadlock:
      case event_kind::zombie:
        log_.warning(fmt::format("{}: {}", to_string(e.kind), e.detail));
        break;
      default: break;
    }
  }

  const agent_definition& def_;
  const environment& env_;
  const host_files files_;
  agent_log& log_;
  const std::string name_ = "resource";
  std::shared_ptr<resource> res_;
  resource_properties props_;
  std::optional<posix::monitor> monitor_;
  std::mutex op_mu_;
  std::mutex mu_;
  std::condition_variable exit_cv_;
  bool exiting_ = false;  // guarded by mu_
};

}  // namespace

host_files::host_files(const std::string& state_path) {
  const std::string base = base_of(state_path);
  socket = base + ".sock";
  group = base + ".host";
  ended = base + ".ended";
}

result<void> spawn_host(const host_files& files, const environment& env,
                        steady::time_point deadline) {
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    return make_error(errc::operation_failed,
                      fmt::format("cannot find the agent's executable: {}", std::strerror(errno)));
  }
  exe[n] = '\0';
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    return make_error(errc::operation_failed, fmt::format("pipe: {}", std::strerror(errno)));
  }
  std::vector<std::string> env_s;
  for (const auto& [k, v] : env) {
    if (k != k_ready_fd) env_s.push_back(k + "=" + v);
  }
  env_s.push_back(fmt::format("{}=3", k_ready_fd));
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string action(resident_host_action);
  char* argv[] = {exe, action.data(), nullptr};

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, ready[1], 3);
  posix_spawn_file_actions_addclosefrom_np(&fa, 4);  // nothing of the action's (its pipes) leaks
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, exe, &fa, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(ready[1]);
  if (spawned != 0) {
    ::close(ready[0]);
    return make_error(errc::operation_failed,
                      fmt::format("cannot start the resident host: {}", std::strerror(spawned)));
  }
  std::string line;
  char buf[512];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    pollfd p{ready[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ::close(ready[0]);
      return make_error(errc::wait_timeout, "the resident host did not start listening in time");
    }
    const ssize_t got = ::read(ready[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    line.append(buf, static_cast<std::size_t>(got));
    if (line.find('\n') != std::string::npos) break;
  }
  ::close(ready[0]);
  if (const auto nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
  if (line == "ready") return ok();
  if (line.starts_with("error: ")) {
    return make_error(errc::operation_failed,
                      "the resident host could not start: " + line.substr(7));
  }
  const auto how = host_ending(files);
  return make_error(errc::operation_failed,
                    "the resident host ended before it listened" +
                        (how ? ": " + *how : std::string()));
}

bool kill_host(const host_files& files, steady::time_point deadline) {
  long pgid = 0;
  unsigned long long started = 0;
  {
    std::ifstream in(files.group);
    if (!(in >> pgid >> started) || pgid <= 1) return true;  // nothing recorded: nothing to kill
  }
  // The group is ours while its leader is the one recorded. A group whose
  // leader is gone keeps its id while members are left (Linux reuses no pid
  // in use as a group id), but once empty the id may name a stranger's new
  // group: then only members that are resident hosts are ours.
  const auto group = static_cast<pid_t>(pgid);
  if (start_time(group) != started) {
    for (pid_t p : group_members(group)) {
      if (slurp(fmt::format("/proc/{}/cmdline", p)).find(resident_host_action) ==
          std::string::npos) {
        return true;  // a stranger's group: ours is gone
      }
    }
  }
  ::kill(-group, SIGKILL);
  while (!group_members(static_cast<pid_t>(pgid)).empty()) {
    if (steady::now() >= deadline) return false;
    ::kill(static_cast<pid_t>(-pgid), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

bool host_supervised(const host_files& files) {
  long pgid = 0;
  unsigned long long started = 0;
  std::ifstream in(files.group);
  if (!(in >> pgid >> started) || pgid <= 1) return false;
  return start_time(static_cast<pid_t>(pgid)) == started &&
         !group_members(static_cast<pid_t>(pgid)).empty();
}

std::optional<std::string> host_ending(const host_files& files) {
  std::string text = slurp(files.ended);
  if (text.empty()) return std::nullopt;
  return text;
}

void remove_host_files(const host_files& files) {
  for (const auto& p : {files.socket, files.group, files.ended}) std::remove(p.c_str());
}

int run_resident_host(const agent_definition& def, const environment& env,
                      const std::string& state_path) noexcept {
  try {
    const host_files files(state_path);
    int ready_fd = -1;
    if (const auto fd = parse_integer(env_value(env, k_ready_fd))) ready_fd = static_cast<int>(*fd);
    std::remove(files.ended.c_str());
    const auto started = start_time(::getpid());
    write_file(files.group, fmt::format("{} {}", ::getpgrp(), started.value_or(0)));
    // The supervisor (this process, single-threaded here) forks the host and
    // records how it ended; neither outlives the group's kill at stop.
    const pid_t child = ::fork();
    if (child < 0) {
      tell(ready_fd, fmt::format("error: fork: {}", std::strerror(errno)));
      return 4;
    }
    if (child == 0) {
      agent_log log(def.name, env, std::cerr);
      host h(def, env, files, log);
      const int code = h.run(ready_fd);
      std::fflush(nullptr);
      std::_Exit(code);  // a zombie body ends with the process
    }
    if (ready_fd >= 0) ::close(ready_fd);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    // A newer host at the same path (a start after the files were removed)
    // owns the files now; otherwise an unexpected end is recorded for the
    // next monitor, and the socket that nobody serves is removed.
    const auto newer = posix::channel_request(files.socket, {{"op", "status"}},
                                              std::chrono::seconds(2));
    if (!newer && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      write_file(files.ended, describe_end(status));
      std::remove(files.socket.c_str());
    }
    return 0;
  } catch (...) {
    return 4;  // only memory can run out here; the group's kill cleans up
  }
}

}  // namespace pendop::ocf::detail
