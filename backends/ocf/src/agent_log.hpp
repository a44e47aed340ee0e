// SPDX-License-Identifier: MIT
// `agent_log`: how an OCF agent logs, following the resource-agents
// conventions (ocf-shellfuncs: ocf_log, ha_log, ha_debug, ocf_exit_reason),
// so a pendop agent's lines land where every other agent's do:
//
//   HA_LOGFACILITY  syslog facility ("daemon", "local0", ...; "none" = off)
//   HA_LOGFILE      a file each line is appended to, with date and tag
//   HA_DEBUGLOG     where debug lines go besides (when HA_debug is on)
//   HA_debug        debug lines are written only when set and not "0"
//   HA_DATEFMT      the date of file lines (`date` format, "%b %d %T " by
//                   default; GNU date's %N and %3N..%9N are understood)
//
// With neither HA_LOGFACILITY nor HA_LOGFILE, lines go to stderr (a person
// running the agent by hand). Pacemaker sets both, so under a cluster
// stderr carries only the one `ocf-exit-reason:` line of a failing action
// (prefix from OCF_EXIT_REASON_PREFIX), which Pacemaker shows as the
// action's exit reason.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <pendop/ocf/agent.hpp>

#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pendop::ocf::detail {

class agent_log {
 public:
  enum class level { debug, info, warning, error };

  /// `err` is the action's stderr.
  agent_log(std::string_view agent_name, const environment& env, std::ostream& err);

  void debug(std::string_view msg) { write(level::debug, msg); }
  void info(std::string_view msg) { write(level::info, msg); }
  void warning(std::string_view msg) { write(level::warning, msg); }
  void error(std::string_view msg) { write(level::error, msg); }

  /// The action's exit reason: one `ocf-exit-reason:` line on stderr (the
  /// first call only; later ones are logged) and a line at `lv` in the log
  /// destinations (info for an answer that is no failure, like a probe's
  /// "not running").
  void exit_reason(std::string_view msg, level lv = level::error);

  [[nodiscard]] bool debug_enabled() const noexcept { return debug_; }

 private:
  void write(level lv, std::string_view msg, bool to_stderr = true);
  void write_locked(level lv, std::string_view msg, bool to_stderr);

  std::string tag_;
  std::string reason_prefix_;
  std::optional<int> facility_;
  std::string logfile_;
  std::string debuglog_;
  std::string date_format_ = "%b %d %T ";
  bool debug_ = false;
  std::mutex mu_;                 // lines come from the action's thread and the body's
  bool reason_given_ = false;     // guarded by mu_
  std::ostream& err_;
};

}  // namespace pendop::ocf::detail
