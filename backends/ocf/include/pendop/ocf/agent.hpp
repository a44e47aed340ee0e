// SPDX-License-Identifier: MIT
// An OCF resource agent (for Pacemaker) made from a `pendop::resource` type.
// Each action is one process, as OCF requires; by default a resident host
// process per instance owns the resource object from start to stop
// (`process_model::resident`, docs/resident-host.md), else each action makes
// it anew (`process_model::per_action`, for types that manage something
// outside the process and check it themselves):
//
//   start / stop  run online()/offline() on the engine (in the host, or in
//                 the action's process) and return once a final state is
//                 reached. OCF_RESKEY_CRM_meta_timeout (else the advised
//                 timeout) bounds the whole operation: it is stopped a
//                 margin before the timeout, and the action answers before
//                 the timeout whatever the body does; a resident stop ends
//                 the host's whole process group. Idempotent: start of a
//                 started and stop of a stopped resource succeed.
//   monitor       OCF_NOT_RUNNING when stopped; looks_alive() (and is_alive()
//                 at OCF_CHECK_LEVEL >= 10) decide OCF_SUCCESS or OCF_ERR_GENERIC;
//                 a resident host that is gone is OCF_ERR_GENERIC, named
//   meta-data     OCF 1.1 XML: the type's parameters and ResApi's properties,
//                 the advised action timeouts
//   validate-all  OCF_ERR_CONFIGURED with an exit reason naming the bad parameter
//
// The type's parameters are declared once, as `pendop::parameter`s (the same
// declarations a Windows resource DLL offers as private properties), and
// checked by `pendop::parameter_values`: OCF_RESKEY_<name> text is read with
// `set_text` (numbers in decimal, multi-strings one per line, binary in
// hex); a number parameter with the range 0..1 is an OCF boolean and also
// takes true/false, yes/no, on/off.
//
// Every failing action prints one `ocf-exit-reason:` line; everything else is
// logged the resource-agents way (HA_LOGFACILITY, HA_LOGFILE, HA_debug).
// Parameters the agent does not declare are ignored with a warning, and the
// cluster manager's own (crm_feature_set, CRM_meta_*) silently.
//
// The state that outlives a process (Online, Failed with its reason, or
// pending when an agent was killed mid-action) is kept in a file written
// atomically under the `state_dir` parameter, else HA_RSCTMP, else
// /run/resource-agents; a successful stop removes it.
//
// An agent is one line: PENDOP_OCF_AGENT(my_agent)  // agent_definition my_agent();
#pragma once

#include <pendop/parameter.hpp>
#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pendop::ocf {

/// Makes the resource from the validated values of the declared parameters;
/// an error is OCF_ERR_CONFIGURED.
using resource_factory =
    std::function<result<std::unique_ptr<resource>>(const parameter_values& values)>;

/// Which process owns the resource object.
enum class process_model {
  /// Each action makes the resource anew and ends with its process: for a
  /// type whose online() starts something outside the process (a daemon, a
  /// mount, an address) and whose looks_alive()/is_alive() check that thing.
  /// A type that keeps the default looks_alive() is refused with
  /// OCF_ERR_CONFIGURED by every action: the default would call a dead
  /// service running.
  per_action,
  /// A resident host process per instance owns the resource from start to
  /// stop, as rhs.exe does on Windows: what online() starts in the process
  /// (threads, sockets) lives on, monitor asks the host, and stop ends the
  /// host's whole process group (docs/pacemaker.md, "Process models").
  resident,
};

/// What an agent author declares.
struct agent_definition {
  /// The agent's name as installed: the file name under
  /// /usr/lib/ocf/resource.d/PROVIDER/ ("example" for ocf:pendop:example).
  std::string name;
  std::string version = "1.0";
  std::string shortdesc;
  std::string longdesc;
  /// The resource type's parameters (OCF_RESKEY_<name>).
  std::vector<parameter> parameters;
  resource_factory make;
  /// Defaults of the ResApi properties, which are parameters too
  /// (OCF_RESKEY_PendingTimeout, ...; validated as in JSON).
  resource_properties properties{};
  /// The start and stop timeouts meta-data advises (and the timeout an action
  /// run without OCF_RESKEY_CRM_meta_timeout gets).
  std::chrono::seconds start_timeout{20};
  std::chrono::seconds stop_timeout{20};
  /// Who owns the resource object between actions.
  process_model model = process_model::resident;
};

/// The environment an action sees (the process's, or a test's).
using environment = std::map<std::string, std::string, std::less<>>;

/// The process environment.
[[nodiscard]] environment process_environment();

/// True for the parameters a cluster manager passes to every agent without
/// their being declared: Pacemaker's `crm_feature_set` and its meta-attributes
/// `CRM_meta_*` (timeout, interval, name, on_node, notify_*, clone, ...).
[[nodiscard]] bool is_manager_parameter(std::string_view name) noexcept;

/// The OCF_RESKEY_ names in `env` that `def` does not declare and that are
/// not the manager's: ignored by every action, warned about in the log.
[[nodiscard]] std::vector<std::string> undeclared_parameters(const agent_definition& def,
                                                             const environment& env);

/// What the environment gives an action, validated.
struct agent_parameters {
  parameter_values values;          ///< the declared parameters, defaults filled in
  resource_properties properties{}; ///< ResApi's (OCF_RESKEY_PendingTimeout, ...)
  std::string state_dir{};          ///< OCF_RESKEY_state_dir, empty when not given
};

/// The parameters in `env`, validated: missing required ones, values their
/// declaration refuses and out-of-range ResApi properties are errors that
/// name the parameter. Undeclared and manager parameters are left out.
[[nodiscard]] result<agent_parameters> read_parameters(const agent_definition& def,
                                                       const environment& env);

/// The OCF 1.1 meta-data XML.
[[nodiscard]] std::string metadata_xml(const agent_definition& def);

/// Runs one action in the calling process; returns the OCF exit code.
/// Meta-data goes to `out`; `err` is the action's stderr (the exit reason,
/// and log lines when no HA_LOGFACILITY/HA_LOGFILE is set). Never throws.
/// The operation is stopped before the action's timeout, but a body that
/// blocks in terminate() is waited for: only `agent_main` bounds that.
int run_action(const agent_definition& def, std::string_view action, const environment& env,
               std::ostream& out, std::ostream& err) noexcept;

/// main() of an agent: the action is argv[1]. A start or stop that has not
/// answered shortly before its timeout records Failed in the state file,
/// prints its exit reason and exits OCF_ERR_GENERIC at once; threads still
/// running (an abandoned body) end with the process.
int agent_main(const agent_definition& def, int argc, char** argv) noexcept;

}  // namespace pendop::ocf

/// Defines main() of an OCF agent whose definition is `define()`.
#define PENDOP_OCF_AGENT(define)                                   \
  int main(int argc, char** argv) {                                \
    return ::pendop::ocf::agent_main(define(), argc, argv);        \
  }
