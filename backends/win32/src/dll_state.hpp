// SPDX-License-Identifier: MIT
// What a resource DLL's adapter keeps: `dll_state` (the type, the callbacks
// from Startup, the RESID registry, the cluster log) and `instance` (one
// opened resource: its handle, its operation engine, its private
// properties), and `guarded`, the one wrapper of every export.
#pragma once

#include <pendop/host/operation_engine.hpp>
#include <pendop/win32/cluster_registry_api.hpp>
#include <pendop/win32/clusworker_api.hpp>
#include <pendop/win32/resapi.hpp>
#include <pendop/win32/resource_type.hpp>
#include <pendop/win32/win32_error.hpp>

#include "parameter_store.hpp"
#include "unique_handle.hpp"

#include <fmt/format.h>

#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pendop::win32::detail {

struct instance;

// Module-wide state is what ResApi itself implies: the callbacks from
// Startup and the registry that maps RESIDs to live instances (a RESID is
// only ever dereferenced after it was found here).
struct dll_state {
  dll_state(resource_type t, clusworker_api a, cluster_registry_api r)
      : type(std::move(t)), api(a), registry(r) {
    auto d = parameter_values::defaults(type.parameters);
    if (d) {
      defaults.emplace(std::move(*d));
    } else {
      declaration_error = d.error().message;
    }
  }

  const resource_type type;
  const clusworker_api api;
  const cluster_registry_api registry;
  /// The declared parameters' defaults; empty when the declarations
  /// contradict themselves (`declaration_error` says how; Startup fails).
  std::optional<parameter_values> defaults;
  std::string declaration_error;

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

  void log(RESOURCE_HANDLE handle, LOG_LEVEL level, std::string_view text) const noexcept {
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


// What an Online resource's failure_signal reaches: the event its Online
// returned (the Resource Monitor waits on it, then calls IsAlive), and the
// report IsAlive and LooksAlive answer FALSE with until the next Online.
struct failure_channel {
  unique_handle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};  // manual reset
  std::mutex mu;
  std::string why;  // guarded by mu; empty: no failure reported

  void arm() {
    std::lock_guard lk(mu);
    why.clear();
    if (event) ResetEvent(event.get());
  }
  void report(std::string text) {
    std::lock_guard lk(mu);
    if (!why.empty()) return;  // the first report stands
    why = text.empty() ? std::string("the resource reported a failure") : std::move(text);
    if (event) SetEvent(event.get());
  }
  [[nodiscard]] std::string reported() {
    std::lock_guard lk(mu);
    return why;
  }
};

// One opened resource (the object behind a RESID).
struct instance {
  instance(std::wstring n, RESOURCE_HANDLE h, operation_engine e, parameter_store s,
           parameter_values taken, std::shared_ptr<failure_channel> f)
      : name(std::move(n)),
        handle(h),
        engine(std::move(e)),
        store(std::move(s)),
        applied(std::move(taken)),
        failure(std::move(f)) {}

  const std::wstring name;
  const RESOURCE_HANDLE handle;
  operation_engine engine;
  parameter_store store;
  /// Serialises resource::apply with the health checks (the resource's
  /// threading contract) and guards `applied`.
  std::mutex config_mu;
  parameter_values applied;  // what the resource last took
  const std::shared_ptr<failure_channel> failure;
};

}  // namespace pendop::win32::detail
