// SPDX-License-Identifier: MIT
// `host_process`: a child process spoken to in lines. Commands go to its
// standard input; each line it writes on standard output or standard error
// is handed to a callback (on a reader thread) and copied to a log, with the
// commands sent. A second thread reaps it, so its end is seen even while
// other processes keep its output open (Wine's services inherit it). The
// child runs in a process group of its own, with default signal
// dispositions and an empty signal mask.
#pragma once

#include <pendop/result.hpp>

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pendop_cli {

class host_process {
 public:
  /// Which stream a line came from.
  enum class stream { out, err };
  using line_handler = std::function<void(stream, std::string_view)>;
  /// Called once, on the reaping thread, with how the process ended.
  using exit_handler = std::function<void(const std::string& how)>;

  /// Starts `argv` (argv[0] looked up on PATH) with `env`; `log_path` gets
  /// every line both ways ("> " for what was sent).
  static pendop::result<std::unique_ptr<host_process>> start(const std::vector<std::string>& argv,
                                                             const std::vector<std::string>& env,
                                                             const std::string& log_path,
                                                             line_handler on_line,
                                                             exit_handler on_exit);

  /// Kills the process if it is still running (SIGKILL) and waits for it.
  ~host_process();
  host_process(const host_process&) = delete;
  host_process& operator=(const host_process&) = delete;

  /// Sends one line (a newline is added). False when the process is gone.
  bool send(std::string_view line);
  /// Ends its standard input.
  void close_input();
  /// SIGKILL, saying why in the log.
  void kill(std::string_view why);
  /// Waits up to `d` for the process to end; true when it has.
  bool wait_exit(std::chrono::milliseconds d);
  [[nodiscard]] bool exited() const;
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// Appends a line of our own to the log.
  void note(std::string_view text);

 private:
  host_process() = default;
  void read_loop(std::stop_token token);
  void reap();

  pid_t pid_ = -1;
  int in_fd_ = -1;   // guarded by mu_
  int out_fd_ = -1;  // read only by the reader thread
  int err_fd_ = -1;
  int log_fd_ = -1;
  line_handler on_line_;
  exit_handler on_exit_;
  mutable std::mutex mu_;
  std::condition_variable exit_cv_;
  bool reaped_ = false;  // guarded by mu_: the pid is no longer ours
  bool exited_ = false;  // guarded by mu_: reaped, and its last lines passed on
  std::jthread reader_;
  std::jthread reaper_;
};

}  // namespace pendop_cli
