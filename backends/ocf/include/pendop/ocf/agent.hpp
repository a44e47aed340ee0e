// SPDX-License-Identifier: MIT
// An OCF resource agent (for Pacemaker) made from a `pendop::resource` type.
// Each action is one process, as OCF requires:
//
//   start / stop  run online()/offline() through the pending-operation
//                 runner and return once a final state is reached; progress
//                 goes to stderr (Pacemaker's log) with stage and percent.
//                 OCF_RESKEY_CRM_meta_timeout bounds the whole operation: the
//                 runner stops it with a margin, so the agent exits cleanly
//                 before Pacemaker would kill it, and operation::time_left()
//                 is the real time left. Idempotent: start of a started and
//                 stop of a stopped resource succeed.
//   monitor       OCF_NOT_RUNNING when stopped; looks_alive() (and is_alive()
//                 at OCF_CHECK_LEVEL >= 10) decide OCF_SUCCESS or OCF_ERR_GENERIC
//   meta-data     OCF 1.1 XML: the type's parameters and ResApi's properties,
//                 action timeouts derived from PendingTimeout
//   validate-all  OCF_ERR_CONFIGURED with a message naming the bad parameter
//
// The state that outlives a process (Online, Offline, Failed, or pending when
// an agent was killed mid-action) is kept in a file written atomically under
// the `state_dir` parameter, else HA_RSCTMP, else /run/resource-agents, else /tmp.
//
// An agent is one line: PENDOP_OCF_AGENT(my_agent)  // agent_definition my_agent();
#pragma once

#include <pendop/properties.hpp>
#include <pendop/resource.hpp>
#include <pendop/result.hpp>

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pendop::ocf {

/// One agent parameter (OCF_RESKEY_<name>).
struct parameter {
  std::string name;
  std::string shortdesc;
  std::string longdesc;
  std::string type = "string";  ///< "string", "integer" or "boolean"
  std::string default_value;    ///< empty: no default
  bool required = false;
};

/// Parameter values by name, defaults filled in, booleans as "0"/"1".
using parameter_values = std::map<std::string, std::string, std::less<>>;

/// Makes the resource from validated parameters; an error is OCF_ERR_CONFIGURED.
using resource_factory =
    std::function<result<std::unique_ptr<resource>>(const parameter_values& values)>;

/// What an agent author declares.
struct agent_definition {
  std::string name;       ///< the agent's name ("pendop-example")
  std::string version = "1.0";
  std::string shortdesc;
  std::string longdesc;
  std::vector<parameter> parameters;
  resource_factory make;
  /// Defaults of the ResApi properties, which are parameters too
  /// (OCF_RESKEY_PendingTimeout, ...; validated as in JSON).
  resource_properties properties{};
};

/// The environment an action sees (the process's, or a test's).
using environment = std::map<std::string, std::string, std::less<>>;

/// The process environment.
[[nodiscard]] environment process_environment();

/// The parameters in `env`, validated: unknown OCF_RESKEY_ names, missing
/// required ones, malformed integers/booleans and out-of-range ResApi
/// properties are errors that name the parameter.
[[nodiscard]] result<parameter_values> read_parameters(const agent_definition& def,
                                                       const environment& env);

/// The ResApi properties among `values` (validated with parse_properties' rules).
[[nodiscard]] result<resource_properties> read_properties(const agent_definition& def,
                                                          const parameter_values& values);

/// The OCF 1.1 meta-data XML.
[[nodiscard]] std::string metadata_xml(const agent_definition& def);

/// Runs one action; returns the OCF exit code. Meta-data goes to `out`,
/// progress and errors to `log`. Never throws.
int run_action(const agent_definition& def, std::string_view action, const environment& env,
               std::ostream& out, std::ostream& log) noexcept;

/// main() of an agent: the action is argv[1].
int agent_main(const agent_definition& def, int argc, char** argv) noexcept;

}  // namespace pendop::ocf

/// Defines main() of an OCF agent whose definition is `define()`.
#define PENDOP_OCF_AGENT(define)                                   \
  int main(int argc, char** argv) {                                \
    return ::pendop::ocf::agent_main(define(), argc, argv);        \
  }
