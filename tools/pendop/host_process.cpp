// SPDX-License-Identifier: MIT
#include "host_process.hpp"

#include "exec_args.hpp"
#include "run_control.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace pendop_cli {
namespace {

// write() with SIGPIPE held off in this thread: a host that is gone is an
// EPIPE to report, not a signal that ends the run.
bool write_all(int fd, std::string_view data) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  bool ok = true;
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (!ok && errno == EPIPE) {  // take the SIGPIPE this write raised, if it is pending
    const timespec none{0, 0};
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE)) {
      (void)::sigtimedwait(&pipe_only, nullptr, &none);
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) {
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status),
                       signal_name(WTERMSIG(status)));
  }
  return fmt::format("exited with code {}", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

pendop::result<std::unique_ptr<host_process>> host_process::start(
    const std::vector<std::string>& argv_s, const std::vector<std::string>& env_s,
    const std::string& log_path, line_handler on_line, exit_handler on_exit) {
  std::unique_ptr<host_process> p(new host_process());
  p->on_line_ = std::move(on_line);
  p->on_exit_ = std::move(on_exit);
  p->log_fd_ = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (p->log_fd_ < 0) {
    return pendop::make_error(pendop::errc::operation_failed,
                              fmt::format("cannot open {}: {}", log_path, std::strerror(errno)));
  }
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) {
    return pendop::make_error(pendop::errc::operation_failed,
                              fmt::format("pipe: {}", std::strerror(errno)));
  }
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(in[0]);
    ::close(in[1]);
    return pendop::make_error(pendop::errc::operation_failed,
                              fmt::format("pipe: {}", std::strerror(e)));
  }
  const auto argv = exec_args(argv_s);
  const auto envp = exec_args(env_s);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, in[0], 0);
  posix_spawn_file_actions_adddup2(&files, out[1], 1);
  posix_spawn_file_actions_adddup2(&files, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A group of its own: a Ctrl-C at the terminal is the run's to handle.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  run_control::reset_signals(attr);
  const int rc = ::posix_spawnp(&p->pid_, argv[0], &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  p->in_fd_ = in[1];
  p->out_fd_ = out[0];
  p->err_fd_ = err[0];
  if (rc != 0) {
    p->pid_ = -1;
    return pendop::make_error(pendop::errc::operation_failed,
                              fmt::format("cannot run {}: {}", argv_s.front(), std::strerror(rc)));
  }
  p->note(fmt::format("started {} (pid {})", argv_s.size() > 1 ? argv_s[1] : argv_s[0], p->pid_));
  host_process* raw = p.get();
  p->reaper_ = std::jthread([raw] { raw->reap(); });
  p->reader_ = std::jthread([raw](std::stop_token token) { raw->read_loop(std::move(token)); });
  return p;
}

host_process::~host_process() {
  if (pid_ > 0 && !exited()) kill("the host is no longer needed");
  if (reaper_.joinable()) reaper_.join();
  reader_.request_stop();
  if (reader_.joinable()) reader_.join();
  {
    std::lock_guard lk(mu_);
    close_fd(in_fd_);
  }
  close_fd(out_fd_);
  close_fd(err_fd_);
  close_fd(log_fd_);
}

void host_process::note(std::string_view text) {
  const auto line = fmt::format("# {}\n", text);
  (void)write_all(log_fd_, line);
}

bool host_process::send(std::string_view line) {
  std::lock_guard lk(mu_);
  if (in_fd_ < 0 || exited_) return false;
  (void)write_all(log_fd_, fmt::format("> {}\n", line));
  return write_all(in_fd_, fmt::format("{}\n", line));
}

void host_process::close_input() {
  std::lock_guard lk(mu_);
  close_fd(in_fd_);
}

void host_process::kill(std::string_view why) {
  note(fmt::format("killing the host: {}", why));
  std::lock_guard lk(mu_);
  if (!reaped_) ::kill(pid_, SIGKILL);  // not reaped yet: the pid is still ours
}

bool host_process::wait_exit(std::chrono::milliseconds d) {
  std::unique_lock lk(mu_);
  return exit_cv_.wait_for(lk, d, [&] { return exited_; });
}

bool host_process::exited() const {
  std::lock_guard lk(mu_);
  return exited_;
}

// Waits without reaping, then reaps under the lock: kill() never signals a
// pid that another process may have been given since.
void host_process::reap() {
  siginfo_t info{};
  int r = 0;
  do {
    r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  const int wait_errno = errno;
  int status = 0;
  pid_t reaped = -1;
  {
    std::lock_guard lk(mu_);
    reaped = ::waitpid(pid_, &status, 0);
    reaped_ = true;
  }
  const std::string how = r == 0 && reaped == pid_
                              ? describe(status)
                              : fmt::format("was lost ({})", std::strerror(wait_errno));
  note(fmt::format("the host {}", how));
  // The reader gets a moment to pass on what the host wrote before it ended.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  {
    std::lock_guard lk(mu_);
    exited_ = true;
  }
  exit_cv_.notify_all();
  if (on_exit_) on_exit_(how);
}

void host_process::read_loop(std::stop_token token) {
  std::string partial[2];
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  char buf[4096];
  while (!token.stop_requested() && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
    const int n = ::poll(fds, 2, 100);
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        fds[i].fd = -1;  // its end: poll ignores a negative fd
        continue;
      }
      partial[i].append(buf, static_cast<std::size_t>(got));
      std::size_t start = 0, nl = 0;
      while ((nl = partial[i].find('\n', start)) != std::string::npos) {
        std::string_view line(partial[i].data() + start, nl - start);
        // Wine's console output ends its lines with "\r\n".
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        (void)write_all(log_fd_, fmt::format("{}{}\n", i == 0 ? "" : "! ", line));
        if (on_line_) on_line_(i == 0 ? stream::out : stream::err, line);
        start = nl + 1;
      }
      partial[i].erase(0, start);
      if (partial[i].size() > (1u << 20)) partial[i].clear();  // a line without end: not ours
    }
  }
}

}  // namespace pendop_cli
