// SPDX-License-Identifier: MIT
#include <pendop/win32/resource_dll.hpp>

#include <pendop/invoke_operation.hpp>
#include <pendop/resource_tracker.hpp>
#include <pendop/win32/win32_error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pendop::win32 {

namespace detail {

struct instance;

// Module-wide state is what ResApi itself implies: the callbacks from
// Startup and the registry that maps RESIDs to live instances (a RESID is
// only ever dereferenced after it was found here).
struct dll_state {
  dll_state(resource_type t, clusworker_api a) : type(std::move(t)), api(a) {}

  const resource_type type;
  const clusworker_api api;

  mutable std::mutex mu;
  PSET_RESOURCE_STATUS_ROUTINE set_status = nullptr;     // guarded by mu
  PSET_RESOURCE_STATUS_ROUTINE_EX set_status_ex = nullptr;
  PLOG_EVENT_ROUTINE log_event = nullptr;
  std::map<RESID, std::shared_ptr<instance>> instances;

  std::shared_ptr<instance> find(RESID id) const {
    std::lock_guard lk(mu);
    const auto it = instances.find(id);
    return it == instances.end() ? nullptr : it->second;
  }

  void log(RESOURCE_HANDLE handle, LOG_LEVEL level, const std::string& text) const noexcept {
    PLOG_EVENT_ROUTINE sink = nullptr;
    {
      std::lock_guard lk(mu);
      sink = log_event;
    }
    if (!sink) return;
    try {
      std::wstring w = widen(text);
      if (w.size() > 480) w.resize(480);  // the cluster log keeps 500 characters an entry
      sink(handle, level, L"%1!ws!\n", w.c_str());
    } catch (...) {
      // Logging must never take an entry point down.
    }
  }

  // What escaped an entry point, in the cluster log.
  void log_escape(RESOURCE_HANDLE handle, std::string_view entry, const char* what) const noexcept {
    try {
      log(handle, LOG_ERROR, fmt::format("{} failed: {}", entry, what));
    } catch (...) {
      log(handle, LOG_ERROR, "an entry point failed (and so did formatting its message)");
    }
  }
};

// The one guard of every export: nothing thrown by `body` crosses the export;
// it is logged through LogEvent with the entry point's name, and the export
// answers `failed`.
template <class R, class F>
R guarded(const dll_state& s, RESOURCE_HANDLE handle, std::string_view entry, R failed,
          F&& body) noexcept {
  try {
    return std::forward<F>(body)();
  } catch (const std::exception& e) {
    s.log_escape(handle, entry, e.what());
  } catch (...) {
    s.log_escape(handle, entry, "an exception that is not a std::exception");
  }
  return failed;
}

template <class F>
void guarded_void(const dll_state& s, RESOURCE_HANDLE handle, std::string_view entry,
                  F&& body) noexcept {
  (void)guarded(s, handle, entry, 0, [&] {
    std::forward<F>(body)();
    return 0;
  });
}


// One opened resource (the object behind a RESID).
struct instance : std::enable_shared_from_this<instance> {
  instance(dll_state& s, std::wstring n, RESOURCE_HANDLE h, std::unique_ptr<resource> r)
      : dll(s),
        name(std::move(n)),
        handle(h),
        res(std::move(r)),
        tracker(narrow(name), s.type.properties.pending_timeout),
        stop_event(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
        worker(std::make_unique<CLUS_WORKER>()) {}

  ~instance() {
    if (stop_event) CloseHandle(stop_event);
  }

  static time_point now() noexcept { return std::chrono::steady_clock::now(); }

  // Sends one report to the monitor (mu held: reports of one instance are
  // serialised, and a Terminate waits until an in-flight report is out).
  DWORD send(const status_report& r) {
    PSET_RESOURCE_STATUS_ROUTINE plain = nullptr;
    PSET_RESOURCE_STATUS_ROUTINE_EX ex = nullptr;
    {
      std::lock_guard lk(dll.mu);
      plain = dll.set_status;
      ex = dll.set_status_ex;
    }
    const auto wait_hint = static_cast<DWORD>(r.progress.wait_hint.count());
    if (ex) {
      RESOURCE_STATUS_EX st{to_cluster_state(r.state), r.checkpoint, nullptr, 0, 0, wait_hint};
      return ex(handle, &st);
    }
    if (plain) {
      RESOURCE_STATUS st{to_cluster_state(r.state), r.checkpoint, wait_hint, nullptr};
      return plain(handle, &st);
    }
    return ResourceExitStateContinue;
  }

  // The monitor answered ResourceExitStateTerminate (mu held). Nobody else
  // owns this stop, so the worker itself settles it when its body returns.
  void told_to_stop(std::uint64_t id) {
    if (tracker.operation_id() == id &&
        tracker.request_stop(stop_reason::terminate_called) ==
            resource_tracker::stop_outcome::started) {
      settled_by_worker = id;
    }
    stopped_op.store(id);
    SetEvent(stop_event);
  }

  dll_state& dll;
  const std::wstring name;
  const RESOURCE_HANDLE handle;
  const std::shared_ptr<resource> res;

  std::mutex mu;                       // guards tracker and worker
  resource_tracker tracker;
  HANDLE stop_event;                   // manual reset; set when the pending operation must end
  std::atomic<std::uint64_t> stopped_op{0};
  std::uint64_t settled_by_worker = 0;  // guarded by mu: the stop its worker settles
  std::unique_ptr<CLUS_WORKER> worker;  // zeroed before each ClusWorkerCreate
  std::vector<std::unique_ptr<CLUS_WORKER>> abandoned;  // zombies still using theirs
  std::atomic<std::size_t> zombies{0};
  std::mutex control_mu;               // serialises starting and stopping workers
};

namespace {

// What a worker thread gets: a share of its instance, so a zombie never
// outlives the memory it uses.
struct op_start {
  std::shared_ptr<instance> inst;
  std::uint64_t id;
  operation_kind kind;
};

class win32_operation final : public operation {
 public:
  win32_operation(instance& inst, std::uint64_t id, operation_kind kind, CLUS_WORKER* w)
      : inst_(inst), id_(id), kind_(kind), worker_(w) {}

  operation_kind kind() const noexcept override { return kind_; }

  bool stop_requested() const noexcept override {
    return inst_.stopped_op.load() == id_ ||
           (inst_.dll.api.check_terminate && inst_.dll.api.check_terminate(worker_));
  }

  bool wait_for(duration d) noexcept override {
    if (stop_requested()) return false;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(std::max(d, duration::zero()));
    const DWORD timeout = static_cast<DWORD>(std::min<long long>(ms.count(), INFINITE - 1));
    const DWORD rc = WaitForSingleObject(inst_.stop_event, timeout);
    return rc == WAIT_TIMEOUT && !stop_requested();
  }

  exit_state report(const progress& p) override {
    std::lock_guard lk(inst_.mu);
    auto outcome = inst_.tracker.report(id_, p, instance::now());
    if (outcome.answer == exit_state::terminate || !outcome.report) return exit_state::terminate;
    if (inst_.send(*outcome.report) == ResourceExitStateTerminate) {
      inst_.told_to_stop(id_);
      return exit_state::terminate;
    }
    return exit_state::proceed;
  }

  duration time_left() const noexcept override {
    std::lock_guard lk(inst_.mu);
    if (inst_.tracker.stop_requested(id_)) return duration::zero();
    return inst_.tracker.time_left(instance::now());
  }

  stop_reason reason() const noexcept override {
    std::lock_guard lk(inst_.mu);
    return inst_.tracker.reason(id_);
  }

 private:
  instance& inst_;
  const std::uint64_t id_;
  const operation_kind kind_;
  CLUS_WORKER* const worker_;
};

DWORD WINAPI worker_main(CLUS_WORKER* w, LPVOID param) {
  std::unique_ptr<op_start> start(static_cast<op_start*>(param));
  instance& inst = *start->inst;
  win32_operation op(inst, start->id, start->kind, w);
  const result<void> outcome = invoke_operation(*inst.res, op);
  const bool reported = guarded(inst.dll, inst.handle, "the worker's final report", false, [&] {
    std::lock_guard lk(inst.mu);
    if (auto fin = inst.tracker.finish(start->id, outcome, instance::now())) {
      if (!outcome) inst.dll.log(inst.handle, LOG_ERROR, outcome.error().message);
      (void)inst.send(*fin);  // the one final report
    } else if (inst.settled_by_worker == start->id) {
      // Stopped by the monitor's answer: end the operation, report nothing.
      (void)inst.tracker.settle(stop_reason::terminate_called, instance::now());
      inst.settled_by_worker = 0;
    }
    return true;
  });
  if (!reported) return PD_ERROR_GEN_FAILURE;
  return outcome ? PD_ERROR_SUCCESS : to_win32_error(outcome.error().code);
}

// Waits for the worker of `inst` after its stop was requested; a worker that
// outlasts terminate_wait is abandoned (control_mu held).
void reap(instance& inst, bool set_flag) {
  const clusworker_api& api = inst.dll.api;
  if (inst.worker->hThread == nullptr) return;
  if (api.terminate_ex) {
    const auto wait = static_cast<DWORD>(inst.dll.type.terminate_wait.count());
    if (api.terminate_ex(inst.worker.get(), wait, set_flag ? FALSE : TRUE) == PD_WAIT_TIMEOUT) {
      inst.abandoned.push_back(std::move(inst.worker));
      inst.worker = std::make_unique<CLUS_WORKER>();
      const auto n = inst.zombies.fetch_add(1) + 1;
      inst.dll.log(inst.handle, LOG_WARNING,
                   fmt::format("the worker ignored Terminate for {} ms and was abandoned "
                               "(zombie {})",
                               wait, n));
      return;
    }
  } else if (api.terminate) {
    api.terminate(inst.worker.get());
  }
  *inst.worker = CLUS_WORKER{};  // ready for the next ClusWorkerCreate
}

// Stops whatever runs for `inst` (Terminate, Cancel, Close). With `report`
// (Cancel) the operation's final state goes to the monitor, which otherwise
// would wait for it; after Terminate the monitor decides the state itself.
void stop(instance& inst, stop_reason why, bool report) {
  std::unique_lock lk(inst.mu);
  const auto outcome = inst.tracker.request_stop(why);
  const std::uint64_t id = inst.tracker.operation_id();
  lk.unlock();
  // Every Terminate makes sure the worker has stopped, even when another
  // caller (or the monitor's ResourceExitStateTerminate) started the stop.
  if (outcome == resource_tracker::stop_outcome::started) {
    inst.stopped_op.store(id);
    SetEvent(inst.stop_event);
  }
  // May run while the body still runs, as ResApi allows.
  if (std::string text; !invoke_terminate(*inst.res, &text)) inst.dll.log(inst.handle, LOG_ERROR, text);
  {
    std::lock_guard control(inst.control_mu);
    reap(inst, /*set_flag=*/true);
  }
  lk.lock();
  auto settled = inst.tracker.settle(why, instance::now());
  if (report && settled) (void)inst.send(*settled);
}

DWORD start(instance& inst, operation_kind kind) {
  std::lock_guard control(inst.control_mu);
  std::unique_lock lk(inst.mu);
  auto begun = inst.tracker.begin(kind, instance::now());
  if (!begun) {
    inst.dll.log(inst.handle, LOG_ERROR, begun.error().message);
    return to_win32_error(begun.error().code);
  }
  if (begun->final) return PD_ERROR_SUCCESS;  // nothing to run (Offline of Initializing)
  const std::uint64_t id = inst.tracker.operation_id();
  ResetEvent(inst.stop_event);
  lk.unlock();
  reap(inst, /*set_flag=*/false);  // the previous operation ended: its thread is returning

  auto param = std::make_unique<op_start>(op_start{inst.shared_from_this(), id, kind});
  const DWORD rc = inst.dll.api.create(inst.worker.get(), &worker_main, param.get());
  if (rc != PD_ERROR_SUCCESS) {
    lk.lock();
    (void)inst.tracker.finish(
        id, make_error(errc::worker_start_failed, fmt::format("ClusWorkerCreate failed: {}", rc)),
        instance::now());
    inst.dll.log(inst.handle, LOG_ERROR,
                 fmt::format("{}: ClusWorkerCreate failed with {}", to_string(kind), rc));
    return rc;
  }
  (void)param.release();  // the worker owns it now
  return PD_ERROR_IO_PENDING;
}

bool same_type(LPCWSTR a, const std::wstring& b) {
  return a && CompareStringOrdinal(a, -1, b.c_str(), -1, TRUE) == CSTR_EQUAL;
}

std::atomic<resource_dll*> g_current{nullptr};

resource_dll* current() noexcept { return g_current.load(); }

// The function-table entries: each reaches the DLL's adapter.
RESID WINAPI t_open(LPCWSTR n, HKEY k, RESOURCE_HANDLE h) {
  auto* d = current();
  if (!d) {
    SetLastError(PD_ERROR_INVALID_STATE);
    return nullptr;
  }
  return d->open(n, k, h);
}
RESID WINAPI t_open_v2(LPCWSTR n, HKEY k, RESOURCE_HANDLE h, DWORD) { return t_open(n, k, h); }
void WINAPI t_close(RESID id) {
  if (auto* d = current()) d->close(id);
}
DWORD WINAPI t_online(RESID id, LPHANDLE e) {
  auto* d = current();
  return d ? d->online(id, e) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_online_v2(RESID id, LPHANDLE e, DWORD, PBYTE, DWORD, DWORD) { return t_online(id, e); }
DWORD WINAPI t_offline(RESID id) {
  auto* d = current();
  return d ? d->offline(id) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_offline_v2(RESID id, LPCWSTR, DWORD, PBYTE, DWORD, DWORD) { return t_offline(id); }
void WINAPI t_terminate(RESID id) {
  if (auto* d = current()) d->terminate(id);
}
BOOL WINAPI t_looks_alive(RESID id) {
  auto* d = current();
  return d ? d->looks_alive(id) : FALSE;
}
BOOL WINAPI t_is_alive(RESID id) {
  auto* d = current();
  return d ? d->is_alive(id) : FALSE;
}
DWORD WINAPI t_arbitrate(RESID id, PQUORUM_RESOURCE_LOST lost) {
  auto* d = current();
  return d ? d->arbitrate(id, lost) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_release(RESID id) {
  auto* d = current();
  return d ? d->release(id) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_control(RESID id, DWORD c, PVOID i, DWORD is, PVOID o, DWORD os, LPDWORD r) {
  auto* d = current();
  return d ? d->resource_control(id, c, i, is, o, os, r) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_type_control(LPCWSTR t, DWORD c, PVOID i, DWORD is, PVOID o, DWORD os, LPDWORD r) {
  auto* d = current();
  return d ? d->resource_type_control(t, c, i, is, o, os, r) : PD_ERROR_INVALID_STATE;
}
DWORD WINAPI t_cancel(RESID id, DWORD f) {
  auto* d = current();
  return d ? d->cancel(id, f) : PD_ERROR_INVALID_STATE;
}

CLRES_FUNCTION_TABLE make_v1() {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V1_FUNCTIONS);
  t.Version = CLRES_VERSION_V1_00;
  t.V1Functions = {&t_open,     &t_close,    &t_online,       &t_offline,
                   &t_terminate, &t_looks_alive, &t_is_alive, &t_arbitrate,
                   &t_release,  &t_control,  &t_type_control};
  return t;
}

CLRES_FUNCTION_TABLE make_v2() {
  CLRES_FUNCTION_TABLE t{};
  t.TableSize = sizeof(CLRES_V2_FUNCTIONS);
  t.Version = CLRES_VERSION_V2_00;
  t.V2Functions = {&t_open_v2,  &t_close,      &t_online_v2,   &t_offline_v2,
                   &t_terminate, &t_looks_alive, &t_is_alive,  &t_arbitrate,
                   &t_release,  &t_control,    &t_type_control, &t_cancel};
  return t;
}

// The tables the monitor keeps: immutable after initialisation.
CLRES_FUNCTION_TABLE g_v1_table = make_v1();
CLRES_FUNCTION_TABLE g_v2_table = make_v2();

}  // namespace
}  // namespace detail

resource_dll::resource_dll(resource_type type, clusworker_api api)
    : state_(std::make_shared<detail::dll_state>(std::move(type), api)) {}

resource_dll::~resource_dll() {
  resource_dll* self = this;
  detail::g_current.compare_exchange_strong(self, nullptr);
}

resource_dll& resource_dll::module(resource_type (*define)()) {
  static resource_dll dll(define());
  return dll;
}

namespace {

DWORD pick_table(DWORD min_version, DWORD max_version, CLRES_FUNCTION_TABLE** table) {
  if (min_version <= CLRES_VERSION_V2_00 && CLRES_VERSION_V2_00 <= max_version) {
    *table = &detail::g_v2_table;
    return PD_ERROR_SUCCESS;
  }
  if (min_version <= CLRES_VERSION_V1_00 && CLRES_VERSION_V1_00 <= max_version) {
    *table = &detail::g_v1_table;
    return PD_ERROR_SUCCESS;
  }
  return PD_ERROR_REVISION_MISMATCH;
}

}  // namespace

DWORD resource_dll::startup(LPCWSTR type, DWORD min_version, DWORD max_version,
                            PSET_RESOURCE_STATUS_ROUTINE set_status, PLOG_EVENT_ROUTINE log_event,
                            CLRES_FUNCTION_TABLE** table) noexcept {
  if (!table) return PD_ERROR_INVALID_PARAMETER;
  *table = nullptr;
  if (!detail::same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  const DWORD rc = pick_table(min_version, max_version, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = set_status;
    state_->set_status_ex = nullptr;
    state_->log_event = log_event;
  }
  detail::g_current.store(this);
  return PD_ERROR_SUCCESS;
}

DWORD resource_dll::startup_ex(LPCWSTR type, DWORD min_version, DWORD max_version,
                               CLRES_CALLBACK_FUNCTION_TABLE* callbacks,
                               CLRES_FUNCTION_TABLE** table) noexcept {
  if (!table || !callbacks) return PD_ERROR_INVALID_PARAMETER;
  *table = nullptr;
  if (!detail::same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  const DWORD rc = pick_table(min_version, max_version, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = nullptr;
    state_->set_status_ex = callbacks->SetResourceStatusEx;
    state_->log_event = callbacks->LogEvent;
  }
  detail::g_current.store(this);
  return PD_ERROR_SUCCESS;
}

RESID resource_dll::open(LPCWSTR name, HKEY, RESOURCE_HANDLE handle) noexcept {
  SetLastError(PD_ERROR_SUCCESS);
  RESID id = detail::guarded(*state_, handle, "Open", RESID{nullptr}, [&]() -> RESID {
    if (!name) {
      SetLastError(PD_ERROR_INVALID_PARAMETER);
      return nullptr;
    }
    auto made = state_->type.make(name);
    if (!made || !*made) {
      const std::string why = made ? std::string("the factory returned no resource")
                                   : made.error().message;
      state_->log(handle, LOG_ERROR, fmt::format("Open of \"{}\" failed: {}", narrow(name), why));
      SetLastError(made ? PD_ERROR_GEN_FAILURE : to_win32_error(made.error().code));
      return nullptr;
    }
    auto inst = std::make_shared<detail::instance>(*state_, name, handle, std::move(*made));
    if (!inst->stop_event) {
      SetLastError(GetLastError());
      return nullptr;
    }
    const RESID made_id = inst.get();
    std::lock_guard lk(state_->mu);
    state_->instances.emplace(made_id, std::move(inst));
    return made_id;
  });
  if (!id && GetLastError() == PD_ERROR_SUCCESS) SetLastError(PD_ERROR_GEN_FAILURE);  // it threw
  return id;
}

void resource_dll::close(RESID id) noexcept {
  detail::guarded_void(*state_, nullptr, "Close", [&] {
    auto inst = state_->find(id);
    if (!inst) return;
    bool running = false;
    {
      std::lock_guard lk(inst->mu);
      running = inst->tracker.pending() || inst->tracker.state() == resource_state::online;
    }
    // ResApi: Close must leave the resource offline, calling Terminate if needed.
    if (running) detail::stop(*inst, stop_reason::shutdown, /*report=*/false);
    {
      std::lock_guard control(inst->control_mu);
      detail::reap(*inst, /*set_flag=*/true);
    }
    std::lock_guard lk(state_->mu);
    state_->instances.erase(id);
  });
}

namespace {

DWORD start_checked(detail::dll_state& s, RESID id, operation_kind kind) noexcept {
  return detail::guarded(s, nullptr, kind == operation_kind::online ? "Online" : "Offline",
                         DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
                           auto inst = s.find(id);
                           if (!inst) return PD_ERROR_INVALID_PARAMETER;
                           return detail::start(*inst, kind);
                         });
}

}  // namespace

DWORD resource_dll::online(RESID id, LPHANDLE event_handle) noexcept {
  if (event_handle) *event_handle = nullptr;  // no failure event: LooksAlive polling applies
  return start_checked(*state_, id, operation_kind::online);
}

DWORD resource_dll::offline(RESID id) noexcept {
  return start_checked(*state_, id, operation_kind::offline);
}

void resource_dll::terminate(RESID id) noexcept {
  detail::guarded_void(*state_, nullptr, "Terminate", [&] {
    if (auto inst = state_->find(id)) {
      detail::stop(*inst, stop_reason::terminate_called, /*report=*/false);
    }
  });
}

namespace {

// LooksAlive and IsAlive: the resource's answer; a throw counts as "not
// alive" (invoke_* catch it) and is logged with the resource's handle.
BOOL health(detail::dll_state& s, RESID id, std::string_view entry,
            bool (*check)(resource&, std::string*) noexcept) noexcept {
  return detail::guarded(s, nullptr, entry, BOOL{FALSE}, [&]() -> BOOL {
    auto inst = s.find(id);
    if (!inst) return FALSE;
    std::string why;
    if (check(*inst->res, &why)) return TRUE;
    if (!why.empty()) s.log(inst->handle, LOG_ERROR, why);
    return FALSE;
  });
}

}  // namespace

BOOL resource_dll::looks_alive(RESID id) noexcept {
  return health(*state_, id, "LooksAlive", &invoke_looks_alive);
}

BOOL resource_dll::is_alive(RESID id) noexcept {
  return health(*state_, id, "IsAlive", &invoke_is_alive);
}

DWORD resource_dll::arbitrate(RESID id, PQUORUM_RESOURCE_LOST) noexcept {
  return state_->find(id) ? PD_ERROR_INVALID_FUNCTION : PD_ERROR_INVALID_PARAMETER;
}

DWORD resource_dll::release(RESID id) noexcept {
  return state_->find(id) ? PD_ERROR_INVALID_FUNCTION : PD_ERROR_INVALID_PARAMETER;
}

DWORD resource_dll::resource_control(RESID id, DWORD, PVOID, DWORD, PVOID, DWORD,
                                     LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return state_->find(id) ? PD_ERROR_INVALID_FUNCTION : PD_ERROR_INVALID_PARAMETER;
}

DWORD resource_dll::resource_type_control(LPCWSTR type, DWORD, PVOID, DWORD, PVOID, DWORD,
                                          LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return detail::same_type(type, state_->type.name) ? PD_ERROR_INVALID_FUNCTION
                                                    : PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
}

DWORD resource_dll::cancel(RESID id, DWORD) noexcept {
  return detail::guarded(*state_, nullptr, "Cancel", DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    {
      std::lock_guard lk(inst->mu);
      if (!inst->tracker.pending()) return PD_ERROR_INVALID_STATE;
    }
    detail::stop(*inst, stop_reason::terminate_called, /*report=*/true);
    return PD_ERROR_SUCCESS;
  });
}

std::size_t resource_dll::instances() const noexcept {
  std::lock_guard lk(state_->mu);
  return state_->instances.size();
}

std::size_t resource_dll::zombies(RESID id) const noexcept {
  auto inst = state_->find(id);
  return inst ? inst->zombies.load() : 0;
}

}  // namespace pendop::win32
