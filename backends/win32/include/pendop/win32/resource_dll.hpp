// SPDX-License-Identifier: MIT
// `resource_dll`: turns a `pendop::resource` type into a Failover Cluster
// resource DLL. It implements Startup/StartupEx and every entry point of the
// CLRES V1 and V2 function tables (docs/resapi.md) over pendop's one
// `operation_engine`, with ClusWorker threads as its workers:
//
//   Online/Offline   start the body on a ClusWorker and return ERROR_IO_PENDING
//                    at once (ERROR_SUCCESS for Offline of an Offline resource);
//                    the V2 flags and destination node reach the body
//                    (operation::details()); Online returns an event that the
//                    resource's failure_signal sets, after which IsAlive and
//                    LooksAlive answer FALSE until the next Online;
//                    the body's reports reach SetResourceStatus(Ex) with
//                    CheckPoint 1, 2, ..., then exactly one final state. An
//                    answer of ResourceExitStateTerminate stops the body and
//                    nothing more is sent for the operation
//   Terminate        latches the stop (every later report answers terminate and
//                    is not sent), wakes the body, calls resource::terminate(),
//                    waits for the worker (bounded by ClusWorkerTerminateEx);
//                    the monitor decides the final state itself
//   LooksAlive/IsAlive  ask the resource
//   Arbitrate/Release  NULL in the tables unless the type is quorum-capable
//                    (then the resource's quorum_resource::arbitrate/release)
//   ResourceControl  the type's private properties (ENUM/GET/VALIDATE/SET_
//                    PRIVATE_PROPERTIES, GET_PRIVATE_PROPERTY_FMTS), stored in
//                    the resource's cluster key and taken up by the resource
//                    (resource::apply) at its next Online, or at once while
//                    Online when no changed property waits for the next Online;
//                    GET_CHARACTERISTICS (not quorum-capable) and
//                    GET_REQUIRED_DEPENDENCIES; ERROR_MORE_DATA with the size
//                    needed for a short buffer; ERROR_INVALID_FUNCTION for the
//                    rest (the monitor's default processing)
//   ResourceTypeControl  GET_PRIVATE_RESOURCE_PROPERTY_FMTS, GET_CHARACTERISTICS,
//                    GET_REQUIRED_DEPENDENCIES; ERROR_INVALID_FUNCTION otherwise
//   Cancel (V2)      stops a pending operation like Terminate and reports its
//                    final state (Offline); ERROR_INVALID_STATE when none is pending
//   Close            Terminate first when pending or Online, then forgets the RESID
//
// Every entry point is noexcept, catches everything, logs through LogEvent
// and returns a Win32 error code; a NULL, closed or foreign RESID gets
// ERROR_INVALID_PARAMETER. All per-resource state lives with its RESID; the
// only module-wide state is what ResApi's Startup contract itself implies
// (the callbacks and the function table the monitor keeps).
//
// A DLL needs a .def file exporting Startup and StartupEx, and one line:
//
//   PENDOP_RESOURCE_DLL(my_resource_type)   // pendop::win32::resource_type my_resource_type();
#pragma once

#include <pendop/win32/cluster_registry_api.hpp>
#include <pendop/win32/clusworker_api.hpp>
#include <pendop/win32/resapi.hpp>
#include <pendop/win32/resource_type.hpp>

#include <cstddef>
#include <memory>

namespace pendop::win32 {

namespace detail {
struct dll_state;
}  // namespace detail

/// The adapter behind one resource DLL. Tests construct it directly (with a
/// fake ClusWorker api, a cluster database double); a real DLL reaches its
/// one instance through PENDOP_RESOURCE_DLL.
class resource_dll {
 public:
  explicit resource_dll(resource_type type, clusworker_api api = resutils_clusworker_api(),
                        cluster_registry_api registry = clusapi_registry_api());
  ~resource_dll();
  resource_dll(const resource_dll&) = delete;
  resource_dll& operator=(const resource_dll&) = delete;

  // --- entry points, with ResApi's signatures and return values -------------
  DWORD startup(LPCWSTR type, DWORD min_version, DWORD max_version,
                PSET_RESOURCE_STATUS_ROUTINE set_status, PLOG_EVENT_ROUTINE log_event,
                CLRES_FUNCTION_TABLE** table) noexcept;
  DWORD startup_ex(LPCWSTR type, DWORD min_version, DWORD max_version,
                   CLRES_CALLBACK_FUNCTION_TABLE* callbacks, CLRES_FUNCTION_TABLE** table) noexcept;
  RESID open(LPCWSTR name, HKEY key, RESOURCE_HANDLE handle) noexcept;
  void close(RESID id) noexcept;
  /// `flags`: OnlineV2's OnlineFlags (0 from the V1 Online).
  DWORD online(RESID id, LPHANDLE event_handle, DWORD flags = 0) noexcept;
  /// `destination_node`, `flags`: OfflineV2's (null and 0 from the V1 Offline).
  DWORD offline(RESID id, LPCWSTR destination_node = nullptr, DWORD flags = 0) noexcept;
  void terminate(RESID id) noexcept;
  BOOL looks_alive(RESID id) noexcept;
  BOOL is_alive(RESID id) noexcept;
  DWORD resource_control(RESID id, DWORD code, PVOID in, DWORD in_size, PVOID out, DWORD out_size,
                         LPDWORD returned) noexcept;
  DWORD resource_type_control(LPCWSTR type, DWORD code, PVOID in, DWORD in_size, PVOID out,
                              DWORD out_size, LPDWORD returned) noexcept;
  DWORD cancel(RESID id, DWORD flags) noexcept;
  /// Quorum-capable types only (ERROR_INVALID_FUNCTION otherwise).
  DWORD arbitrate(RESID id, PQUORUM_RESOURCE_LOST lost) noexcept;
  DWORD release(RESID id) noexcept;

  // --- diagnostics -------------------------------------------------------------
  /// Open instances.
  [[nodiscard]] std::size_t instances() const noexcept;
  /// Bodies of `id` abandoned after ignoring Terminate (0 for an unknown id).
  [[nodiscard]] std::size_t zombies(RESID id) const noexcept;

  /// The DLL's one adapter, made from `define()` on first use. For
  /// PENDOP_RESOURCE_DLL; the function-table entries reach it from here.
  static resource_dll& module(resource_type (*define)());

 private:
  std::shared_ptr<detail::dll_state> state_;
};

}  // namespace pendop::win32

/// Defines the Startup and StartupEx exports of a resource DLL whose type is
/// `define()` (a function returning pendop::win32::resource_type).
#define PENDOP_RESOURCE_DLL(define)                                                          \
  extern "C" DWORD WINAPI Startup(LPCWSTR type, DWORD min_version, DWORD max_version,        \
                                  ::pendop::win32::PSET_RESOURCE_STATUS_ROUTINE set_status,  \
                                  ::pendop::win32::PLOG_EVENT_ROUTINE log_event,             \
                                  ::pendop::win32::CLRES_FUNCTION_TABLE** table) noexcept {  \
    try {                                                                                    \
      return ::pendop::win32::resource_dll::module(&define).startup(                         \
          type, min_version, max_version, set_status, log_event, table);                     \
    } catch (...) {                                                                          \
      return ::pendop::win32::PD_ERROR_NOT_ENOUGH_MEMORY;                                    \
    }                                                                                        \
  }                                                                                          \
  extern "C" DWORD WINAPI StartupEx(LPCWSTR type, DWORD min_version, DWORD max_version,      \
                                    ::pendop::win32::CLRES_CALLBACK_FUNCTION_TABLE* callbacks, \
                                    ::pendop::win32::CLRES_FUNCTION_TABLE** table) noexcept { \
    try {                                                                                    \
      return ::pendop::win32::resource_dll::module(&define).startup_ex(                      \
          type, min_version, max_version, callbacks, table);                                 \
    } catch (...) {                                                                          \
      return ::pendop::win32::PD_ERROR_NOT_ENOUGH_MEMORY;                                    \
    }                                                                                        \
  }
