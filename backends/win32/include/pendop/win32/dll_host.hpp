// SPDX-License-Identifier: MIT
// `dll_host`: plays the Resource Monitor for one resource DLL, so a DLL can
// be tested without a cluster. It loads the DLL, calls Startup or StartupEx
// with its own callbacks, calls entry points on request, records every
// callback (SetResourceStatus(Ex), LogEvent) and result as an event, and
// enforces PendingTimeout as an inactivity timer in `await` (calling
// Terminate when it runs out). After Terminate, or once told to, its
// SetResourceStatus answers ResourceExitStateTerminate, as rhs.exe does.
//
// Thread-safety: entry-point calls from one thread; callbacks arrive on the
// DLL's worker threads; `events`/`reports` may be read from any thread.
#pragma once

#include <pendop/host/property_list.hpp>
#include <pendop/result.hpp>
#include <pendop/time.hpp>
#include <pendop/win32/resapi.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace pendop::win32 {

namespace detail {
struct host_state;
}  // namespace detail

/// One thing the host saw or did.
struct host_event {
  double t_ms = 0;           ///< since the host loaded the DLL
  std::string event;         ///< "startup", "open", "online", "status", "log", "terminate", ...
  std::string resource;      ///< the resource name ("" for DLL-wide events)
  std::string state;         ///< for "status": the reported state ("OnlinePending", ...)
  DWORD checkpoint = 0;      ///< for "status"
  DWORD rc = 0;              ///< an entry point's return value / SetResourceStatus's answer
  std::string text;          ///< log text, errors, the control code
  /// For "control": a property-list answer (GET_PRIVATE_PROPERTIES, the
  /// property formats), decoded.
  std::vector<property_entry> properties{};
  /// For "control": names in the answer (ENUM_PRIVATE_PROPERTIES, required
  /// dependencies).
  std::vector<std::string> names{};

  /// One JSON object on one line.
  [[nodiscard]] std::string to_json() const;
};

/// A loaded resource DLL and the resources opened through it.
class dll_host {
 public:
  struct options {
    std::wstring dll;                      ///< path of the resource DLL
    std::wstring type;                     ///< resource type name for Startup
    bool startup_ex = true;                ///< StartupEx (V2 callbacks) or Startup
    DWORD min_version = CLRES_VERSION_V1_00;
    DWORD max_version = CLRES_VERSION_V2_00;
    /// Open each resource with a ResourceKey ("Resources\\<name>", with an
    /// empty "Parameters" subkey, as a cluster creates them) from the test
    /// cluster database of the clusapi.dll double, when that is the
    /// clusapi.dll loaded; else, and when false, with none.
    bool cluster_keys = true;
    std::function<void(const host_event&)> on_event;  ///< also called for each event, as it happens
  };

  /// Loads the DLL and calls Startup(Ex). Errors carry the Win32 code
  /// (system_category): LoadLibrary's, or what Startup returned.
  static result<std::unique_ptr<dll_host>> load(options o);

  /// Closes every resource still open, then unloads the DLL.
  ~dll_host();
  dll_host(const dll_host&) = delete;
  dll_host& operator=(const dll_host&) = delete;

  /// The function table Startup returned.
  [[nodiscard]] const CLRES_FUNCTION_TABLE& table() const noexcept;

  // Entry points (each recorded as an event with its result).
  /// Opens `name`; `key` is its ResourceKey (null: one from the test
  /// cluster database with options::cluster_keys, else none, and the DLL
  /// starts from its declared defaults and keeps its properties in memory).
  RESID open(const std::wstring& name, HKEY key = nullptr);
  DWORD online(RESID id);
  DWORD offline(RESID id);
  void terminate(RESID id);
  void close(RESID id);
  BOOL looks_alive(RESID id);
  BOOL is_alive(RESID id);
  DWORD cancel(RESID id);  ///< V2 tables only; ERROR_INVALID_FUNCTION with a V1 table

  /// What a control code answered: the Win32 result and the output bytes.
  struct control_answer {
    DWORD rc = 0;
    std::vector<std::uint8_t> out{};
  };
  /// ResourceControl, asked as a cluster asks: with no output buffer first,
  /// then with the size an ERROR_MORE_DATA answer names. Recorded as a
  /// "control" event (text: the code; answers pendop knows, decoded).
  control_answer control(RESID id, DWORD code, std::span<const std::uint8_t> in = {});
  /// ResourceTypeControl for the host's resource type, asked the same way.
  control_answer type_control(DWORD code, std::span<const std::uint8_t> in = {});
  /// From the `n`-th report of `id` on (1-based), SetResourceStatus answers
  /// ResourceExitStateTerminate.
  void answer_terminate_from(RESID id, DWORD n);

  /// How `await` ended.
  enum class outcome {
    settled,          ///< a final state (Online, Offline, Failed) was reported
    pending_timeout,  ///< no report within PendingTimeout: Terminate was called
  };

  /// Waits for the pending operation of `id` to report a final state,
  /// calling Terminate when no report arrives within `pending_timeout`.
  outcome await(RESID id, milliseconds pending_timeout);

  /// Every event so far.
  [[nodiscard]] std::vector<host_event> events() const;

  /// The "status" events of one resource.
  [[nodiscard]] std::vector<host_event> reports(RESID id) const;

 private:
  explicit dll_host(std::shared_ptr<detail::host_state> s) noexcept;
  std::shared_ptr<detail::host_state> state_;
};

}  // namespace pendop::win32
