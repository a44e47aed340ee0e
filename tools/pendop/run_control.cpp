// SPDX-License-Identifier: MIT
#include "run_control.hpp"

#include <signal.h>

#include <ctime>

namespace pendop_cli {
namespace {

// SIGINT and SIGTERM always stop a run; SIGHUP too, unless it was ignored
// when pendop started (`nohup pendop run ...` must keep running).
sigset_t run_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  struct sigaction hup {};
  if (::sigaction(SIGHUP, nullptr, &hup) != 0 || hup.sa_handler != SIG_IGN) sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

run_control::run_control() {
  const sigset_t set = run_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::jthread([this](std::stop_token token) { watch(std::move(token)); });
}

run_control::~run_control() {
  watcher_.request_stop();
  if (watcher_.joinable()) watcher_.join();
}

void run_control::watch(std::stop_token token) {
  const sigset_t set = run_signals();
  const timespec tick{0, 100'000'000};  // 100 ms: notices the stop request
  while (!token.stop_requested()) {
    const int sig = ::sigtimedwait(&set, nullptr, &tick);
    if (sig <= 0) continue;
    int none = 0;
    if (!first_.compare_exchange_strong(none, sig)) hurry_ = true;
    {
      std::lock_guard lk(mu_);  // a sleeper between its check and its wait still wakes
    }
    cv_.notify_all();
  }
}

bool run_control::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lk(mu_);
  return !cv_.wait_for(lk, d, [&] { return interrupted(); });
}

void run_control::reset_signals(posix_spawnattr_t& attr) {
  sigset_t none;
  sigemptyset(&none);
  const sigset_t defaults = run_signals();
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  short flags = 0;
  posix_spawnattr_getflags(&attr, &flags);
  posix_spawnattr_setflags(&attr, flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

const char* signal_name(int sig) noexcept {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGQUIT: return "SIGQUIT";
    case SIGPIPE: return "SIGPIPE";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGALRM: return "SIGALRM";
    default: return "signal";
  }
}

}  // namespace pendop_cli
