// SPDX-License-Identifier: MIT
// `clusworker_platform`: the operation engine's seam in a resource DLL.
// Workers are ClusWorker threads (through `clusworker_api`); a body's sleep
// waits on a manual-reset event that a stop sets, and its terminate flag is
// ClusWorkerCheckTerminate or that event. A worker that ignores its stop
// past the wait is abandoned with its CLUS_WORKER kept alive here.
#pragma once

#include <pendop/host/worker_platform.hpp>
#include <pendop/win32/clusworker_api.hpp>
#include <pendop/win32/win32_error.hpp>

#include "unique_handle.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace pendop::win32::detail {

class clusworker_platform final : public worker_platform {
 public:
  /// Errors: `worker_start_failed` when the stop event cannot be created.
  static result<std::unique_ptr<clusworker_platform>> create(clusworker_api api);

  time_point now() const noexcept override;
  result<void> start_worker(body fn, std::string_view name) override;
  void request_stop() noexcept override;
  bool wait_worker(duration limit) noexcept override;
  void abandon_worker() noexcept override;

 private:
  clusworker_platform(clusworker_api api, unique_handle stop_event) noexcept;
  static DWORD WINAPI thread_main(CLUS_WORKER* w, LPVOID param);

  const clusworker_api api_;
  const unique_handle stop_event_;   // manual reset; set by request_stop
  std::atomic<bool> stop_set_{false};
  std::unique_ptr<CLUS_WORKER> worker_ = std::make_unique<CLUS_WORKER>();
  std::vector<std::unique_ptr<CLUS_WORKER>> abandoned_;  // zombies still use theirs
};

}  // namespace pendop::win32::detail
