// SPDX-License-Identifier: MIT
// The `dll` scenario resource: a Windows cluster resource DLL, run by
// pendop_test_host.exe --serve under Wine (one host process per resource)
// and driven by the monitor like any resource. Online and Offline call the
// DLL's entry points; each SetResourceStatus the DLL makes is a progress
// report (so PendingTimeout is the DLL's inactivity, as in a cluster) and its
// final state ends the operation. LooksAlive and IsAlive are the DLL's.
// Terminate calls the DLL's Terminate; when it does not return, or an entry
// point is still stuck in the DLL, within 3 s, the host is killed. A host
// that ends (a crash, a kill) fails the health checks and the pending
// operation, and the restart policy starts a new one at the next Online.
// The channel is documented in docs/windows-dll.md ("The host's channel");
// every line of it goes to the resource's log.
#pragma once

#include "scenario.hpp"

#include <pendop/resource.hpp>

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

namespace pendop_cli {

class dll_resource final : public pendop::resource {
 public:
  /// `host_dir`: where pendop_test_host.exe and the doubles are; `log_path`:
  /// where the channel and the host's standard error go.
  dll_resource(std::string name, dll_spec spec, std::string host_dir, std::string log_path);
  ~dll_resource() override;
  dll_resource(const dll_resource&) = delete;
  dll_resource& operator=(const dll_resource&) = delete;

  pendop::result<void> online(pendop::operation& op) override;
  pendop::result<void> offline(pendop::operation& op) override;
  bool looks_alive() override { return health("looks_alive"); }
  bool is_alive() override { return health("is_alive"); }
  void terminate() noexcept override;

  /// Closes the resource in the DLL and ends the host (the run is over).
  void close() noexcept;

  /// True while the host runs.
  [[nodiscard]] bool has_processes() const;
  /// True for the host's pid (this resource reaps it).
  [[nodiscard]] bool spawned(pid_t pid) const;

  struct channel;  // the host and what it said (dll_resource.cpp)

 private:
  pendop::result<std::shared_ptr<channel>> ensure_host(pendop::operation& op);
  pendop::result<std::shared_ptr<channel>> start_host(pendop::operation& op);
  [[nodiscard]] std::shared_ptr<channel> current() const;
  pendop::result<void> pending(const std::shared_ptr<channel>& ch, pendop::operation& op,
                               bool online);
  bool health(const char* command);

  const std::string name_;
  const dll_spec spec_;
  const std::string host_dir_;
  const std::string log_path_;
  mutable std::mutex mu_;
  std::shared_ptr<channel> ch_;  // guarded: the host, while one runs
  bool closed_ = false;          // guarded
};

}  // namespace pendop_cli
