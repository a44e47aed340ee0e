// SPDX-License-Identifier: MIT
// A scenario for `pendop run`: resources with their properties, a script of
// actions, and what to expect at the end. Parsing reports every problem with
// the JSON path of the bad field and what is allowed there.
#pragma once

#include <pendop/properties.hpp>
#include <pendop/states.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pendop_cli {

/// A `simulated` resource's behaviour.
struct simulated_spec {
  long long online_ms = 1000;
  long long offline_ms = 500;
  long long report_ms = 250;
  bool never_reports = false;
  bool fail_online = false;
  bool ignore_terminate = false;
  long long health_fails_after_ms = 0;  ///< 0: healthy forever
};

/// An `exec` resource: shell commands, or an OCF resource agent.
struct exec_spec {
  std::string agent;  ///< "ocf:PROVIDER:TYPE"; empty for commands
  std::map<std::string, std::string> params;  ///< OCF_RESKEY_* for an agent
  std::string start, stop, monitor;           ///< shell commands (without an agent)
  long long timeout_ms = 20000;               ///< per start/stop
};

/// A `dll` resource: a Windows cluster resource DLL, hosted under Wine.
struct dll_spec {
  std::string path;           ///< the DLL
  std::string resource_type;  ///< the type name Startup is called with
  /// Set with CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES when a host opens the
  /// resource: NAME and VALUE as text (a multi-string's parts joined by '|').
  std::vector<std::pair<std::string, std::string>> private_properties;
  bool startup = false;       ///< Startup (version 1.0 callbacks) instead of StartupEx
  std::string host_dir;       ///< where pendop_test_host.exe is (found when parsed)
};

struct resource_spec {
  std::string name;
  std::string type;  ///< "simulated", "exec" or "dll"
  pendop::resource_properties properties;
  simulated_spec simulated;
  exec_spec exec;
  dll_spec dll;
};

/// One script step.
struct step {
  std::string action;  ///< online, offline, terminate, fail, wait, wait_for
  std::string resource;
  long long ms = 0;                                            ///< wait, wait_for timeout
  pendop::resource_state state = pendop::resource_state::online;  ///< wait_for
};

struct expectations {
  std::map<std::string, pendop::resource_state> final;
  std::map<std::string, long long> terminates, restarts, failures, zombies;
};

struct scenario {
  std::vector<resource_spec> resources;
  std::vector<step> script;
  long long stop_wait_ms = 2000;
  std::optional<expectations> expect;
};

/// One problem: the JSON path and what is wrong.
struct problem {
  std::string path;
  std::string message;
};

/// Limits on an untrusted scenario file.
inline constexpr std::size_t k_max_scenario_bytes = 1 << 20;
inline constexpr int k_max_nesting = 32;

/// Parses and checks a scenario. On failure, every problem found. A
/// scenario that parses can be run: names are safe file names, OCF agents
/// exist under OCF_ROOT, DLLs exist and their host and Wine are found,
/// every state and duration is one `run` accepts.
struct parse_result {
  scenario value;
  std::vector<problem> problems;
};
[[nodiscard]] parse_result parse_scenario(const std::string& text);

/// $OCF_ROOT, else /usr/lib/ocf.
[[nodiscard]] std::string ocf_root();

/// Where the agent ocf:PROVIDER:TYPE lives.
[[nodiscard]] std::string agent_file(const std::string& provider, const std::string& type);

}  // namespace pendop_cli
