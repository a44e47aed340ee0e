// SPDX-License-Identifier: MIT
#include <pendop/win32/resource_dll.hpp>

#include <pendop/invoke_operation.hpp>
#include <pendop/operation_engine.hpp>
#include <pendop/win32/win32_error.hpp>

#include "clusworker_platform.hpp"
#include "dll_state.hpp"
#include "function_table.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace pendop::win32 {

namespace {

bool same_type(LPCWSTR a, const std::wstring& b) {
  return a && CompareStringOrdinal(a, -1, b.c_str(), -1, TRUE) == CSTR_EQUAL;
}

LOG_LEVEL to_log_level(log_level l) noexcept {
  switch (l) {
    case log_level::error: return LOG_ERROR;
    case log_level::warning: return LOG_WARNING;
    default: return LOG_INFORMATION;
  }
}

// SetResourceStatus(Ex) for one resource: its answer is the engine's.
exit_state send(const detail::dll_state& dll, RESOURCE_HANDLE handle, const status_report& r) {
  PSET_RESOURCE_STATUS_ROUTINE plain = nullptr;
  PSET_RESOURCE_STATUS_ROUTINE_EX ex = nullptr;
  {
    std::lock_guard lk(dll.mu);
    plain = dll.set_status;
    ex = dll.set_status_ex;
  }
  const auto wait_hint = static_cast<DWORD>(r.progress.wait_hint.count());
  // A failure's own code (a Win32 error the resource returned, or pendop's
  // mapped) for the cluster log and Get-ClusterResource.
  const DWORD app_error = r.final && r.error ? to_win32_error(r.error) : 0;
  DWORD answer = ResourceExitStateContinue;
  if (ex) {
    RESOURCE_STATUS_EX st{to_cluster_state(r.state), r.checkpoint, nullptr, app_error, 0,
                          wait_hint};
    answer = ex(handle, &st);
  } else if (plain) {
    RESOURCE_STATUS st{to_cluster_state(r.state), r.checkpoint, wait_hint, nullptr};
    answer = plain(handle, &st);
  }
  return answer == ResourceExitStateTerminate ? exit_state::terminate : exit_state::proceed;
}

// The engine of one resource: ClusWorker threads, reports to
// SetResourceStatus, lines to LogEvent. A zombie may outlive the adapter,
// so the engine reaches the DLL's state only while it exists.
result<operation_engine> make_engine(const std::shared_ptr<detail::dll_state>& dll,
                                     LPCWSTR name, RESOURCE_HANDLE handle,
                                     std::unique_ptr<resource> res) {
  auto platform = detail::clusworker_platform::create(dll->api);
  if (!platform) return platform.error();
  engine_options o;
  o.name = narrow(name);
  o.pending_timeout = dll->type.properties.pending_timeout;
  o.stop_wait = dll->type.terminate_wait;
  o.report_start = false;  // Online/Offline return ERROR_IO_PENDING or the error
  const std::weak_ptr<detail::dll_state> weak = dll;
  return operation_engine::create(
      std::shared_ptr<resource>(std::move(res)), std::move(*platform),
      [weak, handle](const status_report& r) {
        const auto s = weak.lock();
        return s ? send(*s, handle, r) : exit_state::terminate;
      },
      std::move(o),
      [weak, handle](log_level level, std::string_view text) {
        if (const auto s = weak.lock()) s->log(handle, to_log_level(level), text);
      });
}

}  // namespace

resource_dll::resource_dll(resource_type type, clusworker_api api)
    : state_(std::make_shared<detail::dll_state>(std::move(type), api)) {}

resource_dll::~resource_dll() { detail::clear_current(this); }

resource_dll& resource_dll::module(resource_type (*define)()) {
  static resource_dll dll(define());
  return dll;
}

namespace {

DWORD pick_table(DWORD min_version, DWORD max_version, CLRES_FUNCTION_TABLE** table) {
  if (min_version <= CLRES_VERSION_V2_00 && CLRES_VERSION_V2_00 <= max_version) {
    *table = detail::v2_table();
    return PD_ERROR_SUCCESS;
  }
  if (min_version <= CLRES_VERSION_V1_00 && CLRES_VERSION_V1_00 <= max_version) {
    *table = detail::v1_table();
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
  if (!same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  const DWORD rc = pick_table(min_version, max_version, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = set_status;
    state_->set_status_ex = nullptr;
    state_->log_event = log_event;
  }
  detail::set_current(this);
  return PD_ERROR_SUCCESS;
}

DWORD resource_dll::startup_ex(LPCWSTR type, DWORD min_version, DWORD max_version,
                               CLRES_CALLBACK_FUNCTION_TABLE* callbacks,
                               CLRES_FUNCTION_TABLE** table) noexcept {
  if (!table || !callbacks) return PD_ERROR_INVALID_PARAMETER;
  *table = nullptr;
  if (!same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  const DWORD rc = pick_table(min_version, max_version, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = nullptr;
    state_->set_status_ex = callbacks->SetResourceStatusEx;
    state_->log_event = callbacks->LogEvent;
  }
  detail::set_current(this);
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
    if (made && !*made) made = make_error(errc::invalid_argument, "the factory returned no resource");
    auto engine = made ? make_engine(state_, name, handle, std::move(*made))
                       : result<operation_engine>(made.error());
    if (!engine) {
      state_->log(handle, LOG_ERROR,
                  fmt::format("Open of \"{}\" failed: {}", narrow(name), engine.error().message));
      SetLastError(to_win32_error(engine.error().code));
      return nullptr;
    }
    auto inst = std::make_shared<detail::instance>(name, handle, std::move(*engine));
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
    // ResApi: Close must leave the resource offline, calling Terminate if needed.
    inst->engine.close();
    if (inst->engine.pending() || inst->engine.state() == resource_state::online) {
      inst->engine.terminate(stop_reason::shutdown, final_report::withhold);
    }
    inst->engine.shutdown();  // releases the last worker
    std::lock_guard lk(state_->mu);
    state_->instances.erase(id);
  });
}

namespace {

DWORD start_checked(const detail::dll_state& s, RESID id, operation_kind kind) noexcept {
  return detail::guarded(s, nullptr, kind == operation_kind::online ? "Online" : "Offline",
                         DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
                           auto inst = s.find(id);
                           if (!inst) return PD_ERROR_INVALID_PARAMETER;
                           auto started = inst->engine.start(kind);
                           if (!started) return to_win32_error(started.error().code);
                           return is_pending(*started) ? DWORD{PD_ERROR_IO_PENDING}
                                                       : DWORD{PD_ERROR_SUCCESS};
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
      inst->engine.terminate(stop_reason::terminate_called, final_report::withhold);
    }
  });
}

namespace {

// LooksAlive and IsAlive: the resource's answer; a throw counts as "not
// alive" (invoke_* catch it) and is logged with the resource's handle.
BOOL health(const detail::dll_state& s, RESID id, std::string_view entry,
            bool (*check)(resource&, std::string*) noexcept) noexcept {
  return detail::guarded(s, nullptr, entry, BOOL{FALSE}, [&]() -> BOOL {
    auto inst = s.find(id);
    if (!inst) return FALSE;
    std::string why;
    if (check(inst->engine.subject(), &why)) return TRUE;
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

DWORD resource_dll::resource_control(RESID id, DWORD, PVOID, DWORD, PVOID, DWORD,
                                     LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return state_->find(id) ? PD_ERROR_INVALID_FUNCTION : PD_ERROR_INVALID_PARAMETER;
}

DWORD resource_dll::resource_type_control(LPCWSTR type, DWORD, PVOID, DWORD, PVOID, DWORD,
                                          LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return same_type(type, state_->type.name) ? PD_ERROR_INVALID_FUNCTION
                                                    : PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
}

DWORD resource_dll::cancel(RESID id, DWORD) noexcept {
  return detail::guarded(*state_, nullptr, "Cancel", DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    // Cancel ends the operation and reports its final state: nobody else will.
    if (!inst->engine.stop_pending(stop_reason::terminate_called, final_report::send)) {
      return PD_ERROR_INVALID_STATE;
    }
    return PD_ERROR_SUCCESS;
  });
}

std::size_t resource_dll::instances() const noexcept {
  std::lock_guard lk(state_->mu);
  return state_->instances.size();
}

std::size_t resource_dll::zombies(RESID id) const noexcept {
  auto inst = state_->find(id);
  return inst ? inst->engine.zombies() : 0;
}

}  // namespace pendop::win32
