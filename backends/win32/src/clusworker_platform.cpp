// SPDX-License-Identifier: MIT
#include "clusworker_platform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace pendop::win32::detail {

namespace {

// What a ClusWorker thread gets: the body and its platform (which the body's
// engine keeps alive for as long as the thread runs).
struct thread_start {
  worker_platform::body fn;
  const clusworker_api* api;
  HANDLE stop_event;
};

class clusworker_context final : public worker_context {
 public:
  clusworker_context(const clusworker_api& api, CLUS_WORKER* w, HANDLE stop_event) noexcept
      : api_(api), w_(w), stop_event_(stop_event) {}

  bool stop_flagged() const noexcept override {
    return WaitForSingleObject(stop_event_, 0) == WAIT_OBJECT_0 ||
           (api_.check_terminate && api_.check_terminate(w_));
  }

  bool sleep_for(duration d) noexcept override {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::max(d, duration::zero()));
    const DWORD timeout = static_cast<DWORD>(std::min<long long>(ms.count(), INFINITE - 1));
    return WaitForSingleObject(stop_event_, timeout) == WAIT_TIMEOUT && !stop_flagged();
  }

 private:
  const clusworker_api& api_;
  CLUS_WORKER* const w_;
  const HANDLE stop_event_;
};

}  // namespace

result<std::unique_ptr<clusworker_platform>> clusworker_platform::create(clusworker_api api) {
  unique_handle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!event) {
    return make_error(errc::worker_start_failed,
                      fmt::format("CreateEvent failed with {}", GetLastError()));
  }
  return std::unique_ptr<clusworker_platform>(new clusworker_platform(api, std::move(event)));
}

clusworker_platform::clusworker_platform(clusworker_api api, unique_handle stop_event) noexcept
    : api_(api), stop_event_(std::move(stop_event)) {}

time_point clusworker_platform::now() const noexcept { return std::chrono::steady_clock::now(); }

DWORD WINAPI clusworker_platform::thread_main(CLUS_WORKER* w, LPVOID param) {
  std::unique_ptr<thread_start> start(static_cast<thread_start*>(param));
  clusworker_context ctx(*start->api, w, start->stop_event);
  try {
    start->fn(ctx);
  } catch (...) {
    return PD_ERROR_GEN_FAILURE;  // the engine catches the body's own; this is out of memory
  }
  return PD_ERROR_SUCCESS;
}

result<void> clusworker_platform::start_worker(body fn, std::string_view) {
  if (!api_.create) {
    return make_error(errc::worker_start_failed, "ClusWorkerCreate is not available");
  }
  if (!worker_) return make_error(errc::worker_start_failed, "out of memory for a CLUS_WORKER");
  stop_set_.store(false);
  ResetEvent(stop_event_.get());
  *worker_ = CLUS_WORKER{};
  auto param = std::make_unique<thread_start>(thread_start{std::move(fn), &api_, stop_event_.get()});
  const DWORD rc = api_.create(worker_.get(), &thread_main, param.get());
  if (rc != PD_ERROR_SUCCESS) {
    *worker_ = CLUS_WORKER{};
    return make_error(from_win32_error(rc), fmt::format("ClusWorkerCreate failed with {}", rc));
  }
  (void)param.release();  // the thread owns it now
  return ok();
}

void clusworker_platform::request_stop() noexcept {
  stop_set_.store(true);
  SetEvent(stop_event_.get());
}

bool clusworker_platform::wait_worker(duration limit) noexcept {
  if (!worker_ || worker_->hThread == nullptr) return true;
  // After a stop, ClusWorkerTerminateEx also sets the ClusWorker flag.
  const BOOL wait_only = stop_set_.load() ? FALSE : TRUE;
  if (api_.terminate_ex) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::max(limit, duration::zero()));
    const auto timeout = static_cast<DWORD>(std::min<long long>(ms.count(), INFINITE - 1));
    if (api_.terminate_ex(worker_.get(), timeout, wait_only) == PD_WAIT_TIMEOUT) return false;
  } else if (api_.terminate) {
    api_.terminate(worker_.get());  // no bounded wait in this resutils.dll
  }
  *worker_ = CLUS_WORKER{};  // ready for the next ClusWorkerCreate
  return true;
}

void clusworker_platform::abandon_worker() noexcept {
  try {
    abandoned_.push_back(std::move(worker_));
  } catch (...) {
    (void)worker_.release();  // out of memory: the zombie keeps it, leaked
  }
  worker_.reset(new (std::nothrow) CLUS_WORKER{});
}

}  // namespace pendop::win32::detail
