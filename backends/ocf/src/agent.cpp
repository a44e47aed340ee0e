// SPDX-License-Identifier: MIT
#include <pendop/ocf/agent.hpp>

#include "agent_log.hpp"
#include "agent_support.hpp"
#include "answer_deadline.hpp"
#include "resident_host.hpp"

#include <pendop/host/invoke_operation.hpp>
#include <pendop/ocf/exit_code.hpp>
#include <pendop/posix/asio_scheduler.hpp>
#include <pendop/posix/resource_runner.hpp>

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>

extern char** environ;

namespace pendop::ocf {
namespace {

using detail::action_budget;
using detail::action_timeout;
using detail::agent_log;
using detail::budget_for;
using detail::env_value;
using detail::ms;
using detail::persisted_state;
using detail::read_state;
using detail::remove_state;
using detail::state_path;
using detail::write_state;
using std::chrono::milliseconds;

constexpr std::string_view k_prefix = "OCF_RESKEY_";
constexpr std::string_view k_state_dir = "state_dir";
constexpr std::string_view k_actions = "start, stop, monitor, meta-data, validate-all";

// ResApi properties are parameters too: their names and defaults.
std::vector<std::pair<std::string, long long>> property_parameters(const resource_properties& p) {
  return {{"PendingTimeout", p.pending_timeout.count()},
          {"LooksAlivePollInterval", p.looks_alive_poll_interval.count()},
          {"IsAlivePollInterval", p.is_alive_poll_interval.count()},
          {"DeadlockTimeout", p.deadlock_timeout.count()},
          {"RestartAction", static_cast<long long>(p.restart)},
          {"RestartThreshold", static_cast<long long>(p.restart_threshold)},
          {"RestartPeriod", p.restart_period.count()},
          {"RestartDelay", p.restart_delay.count()},
          {"RetryPeriodOnFailure", p.retry_period_on_failure.count()}};
}

// The ResApi properties that mean something under the agent's process model,
// offered as parameters: PendingTimeout always; the health-poll intervals and
// DeadlockTimeout where a resident host polls and watches. The restart
// policy is Pacemaker's (migration-threshold, failure-timeout, on-fail).
bool is_property(const agent_definition& def, std::string_view name) {
  if (name == "PendingTimeout") return true;
  return def.model == process_model::resident &&
         (name == "LooksAlivePollInterval" || name == "IsAlivePollInterval" ||
          name == "DeadlockTimeout");
}

const parameter* declared(const agent_definition& def, std::string_view name) {
  const auto p = std::find_if(def.parameters.begin(), def.parameters.end(),
                              [&](const parameter& x) { return x.name == name; });
  return p != def.parameters.end() ? &*p : nullptr;
}

// A number parameter with the range 0..1 is an OCF boolean.
bool is_boolean(const parameter& p) {
  return (p.type == parameter_type::dword || p.type == parameter_type::ularge) && p.min == 0 &&
         p.max == 1;
}

// OCF's content type for a declared parameter.
std::string_view ocf_type(const parameter& p) {
  if (is_boolean(p)) return "boolean";
  if (p.type == parameter_type::dword || p.type == parameter_type::ularge) return "integer";
  return "string";
}

// A value as OCF_RESKEY_ text (what set_text reads back).
std::string as_text(const parameter_value& v) {
  switch (v.index()) {
    case 0: return std::to_string(std::get<0>(v));
    case 1: return std::get<1>(v);
    case 2: {
      std::string out;
      for (const auto& line : std::get<2>(v)) out += (out.empty() ? "" : "\n") + line;
      return out;
    }
    default: {
      std::string out;
      for (auto b : std::get<3>(v)) out += fmt::format("{:02x}", b);
      return out;
    }
  }
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<std::string> normalise_boolean(std::string_view v) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") return "1";
  if (v == "0" || v == "false" || v == "no" || v == "off") return "0";
  return std::nullopt;
}

std::optional<long long> integer(std::string_view v) {
  if (v.empty()) return std::nullopt;
  long long n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return n;
}

// --- running one operation ---------------------------------------------------

struct outcome {
  resource_state final = resource_state::unknown;
  std::string error;
};

// One action's operation: Online or Offline of the resource, run by a
// runner that stops it itself at `budget.limit` after `t0` (the agent's
// start), or when it stops reporting for PendingTimeout.
class agent_operation {
 public:
  agent_operation(const agent_definition& def, const resource_properties& props,
                  resource_state from, const action_budget& budget, time_point t0,
                  const environment& env, agent_log& log)
      : props_(props), budget_(budget), t0_(t0), log_(log) {
    const std::string instance = env_value(env, "OCF_RESOURCE_INSTANCE");
    o_.name = fmt::format("{}[{}]", def.name, instance.empty() ? "default" : instance);
    o_.properties = props;
    o_.initial_state = from;
    o_.timers = std::make_shared<posix::asio_scheduler>();
    o_.operation_limit = std::max<duration>(budget.limit - (o_.timers->now() - t0), milliseconds(1));
    o_.stop_wait = budget.stop_wait;
    o_.log = [&log](log_level level, std::string_view text) {  // the body's lines: the OCF log
      switch (level) {
        case log_level::error: log.error(text); break;
        case log_level::warning: log.warning(text); break;
        case log_level::info: log.info(text); break;
        case log_level::debug: log.debug(text); break;
      }
    };
  }

  // Starts Online or Offline: pending, or settled at once (an Offline of an
  // Offline resource, the engine's answer).
  result<started_operation> start(std::shared_ptr<resource> res, bool online) {
    online_ = online;
    auto made = posix::resource_runner::create(
        std::move(res),
        [this](const status_report& r) {
          if (!r.final) {
            log_.debug(to_string(r));
            return;
          }
          std::lock_guard lk(mu_);
          last_ = r;
          cv_.notify_all();
        },
        o_);
    if (!made) return made.error();
    runner_.emplace(std::move(*made));
    return online ? runner_->online() : runner_->offline();
  }

  // Waits for the final state; a stop by the deadline says which one ran out.
  outcome finish() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return last_.has_value(); });
    outcome result{last_->state, last_->error_text};
    if (last_->reason != stop_reason::pending_timeout) return result;
    const std::string what = online_ ? "start" : "stop";
    std::string why;
    if (last_->at - t0_ >= budget_.limit) {
      log_.warning(fmt::format("{} did not finish within {} ms ({} ms timeout less a {} ms "
                               "margin); it was stopped",
                               what, ms(budget_.limit), ms(budget_.timeout), ms(budget_.margin)));
      why = fmt::format("did not finish within {} ms of its {} ms timeout", ms(budget_.limit),
                        ms(budget_.timeout));
    } else {
      why = fmt::format("reported no progress for PendingTimeout ({} ms)",
                        props_.pending_timeout.count());
      log_.warning(fmt::format("{} {}; it was stopped", what, why));
    }
    result.error = result.error.empty() ? why : fmt::format("{} ({})", why, result.error);
    return result;
  }

  // A stop must leave the resource down: the engine's force-down (terminate()
  // on the same instance, then Offline). The process exits after this, so an
  // abandoned body goes with it.
  resource_state force_down() {
    runner_->force_down(stop_reason::terminate_called);
    return runner_->state();
  }

 private:
  const resource_properties& props_;
  const action_budget budget_;
  const time_point t0_;
  agent_log& log_;
  posix::runner_options o_;
  bool online_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<status_report> last_;
  std::optional<posix::resource_runner> runner_;  // destroyed first: its sink uses the above
};

class action_runner {
 public:
  action_runner(const agent_definition& def, std::string_view action, const environment& env,
                std::ostream& out, std::ostream& err, bool exit_at_deadline,
                std::chrono::steady_clock::time_point started)
      : def_(def), action_(action), env_(env), out_(out), log_(def.name, env, err),
        exit_at_deadline_(exit_at_deadline), started_(started) {}

  int run();

 private:
  int fail(exit_code code, const std::string& why) {
    log_.exit_reason(why);
    return static_cast<int>(code);
  }
  int monitor(resource& res, const persisted_state& persisted);
  int start_or_stop(const resource_properties& props, std::shared_ptr<resource> res, const std::string& path,
                    const persisted_state& persisted);

  const agent_definition& def_;
  const std::string action_;
  const environment& env_;
  std::ostream& out_;
  agent_log log_;
  const bool exit_at_deadline_;
  const std::chrono::steady_clock::time_point started_;  // the timeout counts from here
};

int action_runner::run() {
  if (action_ == "meta-data") {
    out_ << metadata_xml(def_) << std::flush;
    return static_cast<int>(exit_code::success);
  }
  if (action_ == "usage" || action_ == "help") {
    out_ << fmt::format("usage: {} {{{}}}\n", def_.name, k_actions);
    return static_cast<int>(exit_code::success);
  }
  const bool known = action_ == "start" || action_ == "stop" || action_ == "monitor" ||
                     action_ == "validate-all";
  if (!known) {
    return fail(exit_code::err_unimplemented,
                fmt::format("action \"{}\" is not implemented (supported: {})", action_, k_actions));
  }
  for (const auto& name : undeclared_parameters(def_, env_)) {
    log_.warning(fmt::format("ignoring parameter \"{}\" (OCF_RESKEY_{}): {} does not declare it",
                             name, name, def_.name));
  }
  auto params = read_parameters(def_, env_);
  if (!params) return fail(exit_code::err_configured, params.error().message);
  auto made = def_.make(params->values);
  if (!made) return fail(exit_code::err_configured, made.error().message);
  if (!*made) return fail(exit_code::err_configured, def_.name + ": the agent made no resource");
  if (def_.model == process_model::per_action) {
    std::string ignored;
    (void)invoke_looks_alive(**made, &ignored);  // whether the type checks anything itself
    if ((*made)->default_health_answered()) {
      return fail(exit_code::err_configured,
                  fmt::format("{} runs per action (process_model::per_action), but its resource "
                              "has no looks_alive() of its own: each action makes a new object, "
                              "so the default would report a dead service as running. Give it a "
                              "looks_alive() that checks what online() started outside the "
                              "process, or run it resident (process_model::resident)",
                              def_.name));
    }
  }
  if (action_ == "validate-all") return static_cast<int>(exit_code::success);

  const std::string path = state_path(def_, params->state_dir, env_);
  const persisted_state persisted = read_state(path);
  if (def_.model == process_model::resident) {
    if (!exit_at_deadline_) {  // run_action: this executable is not the agent's
      return fail(exit_code::err_configured,
                  fmt::format("{} runs resident: its actions run only in the agent's own "
                              "executable (agent_main), which is also its host",
                              def_.name));
    }
    made->reset();  // the host makes its own; this one only validated the parameters
    const detail::action_context a{def_, env_, log_, action_, started_, path, params->properties};
    if (action_ == "start") return detail::resident_start(a, persisted);
    if (action_ == "stop") return detail::resident_stop(a);
    return detail::resident_monitor(a, persisted);
  }
  if (action_ == "monitor") return monitor(**made, persisted);
  return start_or_stop(params->properties, std::shared_ptr<resource>(std::move(*made)), path,
                       persisted);
}

int action_runner::monitor(resource& res, const persisted_state& persisted) {
  if (persisted.state != resource_state::online) {
    const exit_code code = monitor_code(persisted.state, false);
    if (code == exit_code::not_running) {
      // Not a failure for a probe; for a recurring monitor the reason says why.
      log_.exit_reason("not running: no state file (never started, stopped, or the state was "
                       "removed)",
                       agent_log::level::info);
      return static_cast<int>(code);
    }
    if (is_pending(persisted.state)) {
      return fail(code, fmt::format("an earlier action was killed while {} ({})",
                                    to_string(persisted.state),
                                    persisted.reason.empty() ? "no reason recorded"
                                                             : persisted.reason));
    }
    return fail(code, persisted.reason.empty() ? std::string("the resource failed")
                                               : "failed: " + persisted.reason);
  }
  std::string why;
  if (!invoke_looks_alive(res, &why)) {
    return fail(exit_code::err_generic,
                why.empty() ? std::string("looks_alive() returned false") : "looks_alive(): " + why);
  }
  const auto depth = integer(env_value(env_, "OCF_CHECK_LEVEL"));
  if (depth && *depth >= 10 && !invoke_is_alive(res, &why)) {
    return fail(exit_code::err_generic,
                why.empty() ? std::string("is_alive() returned false") : "is_alive(): " + why);
  }
  return static_cast<int>(exit_code::success);
}

int action_runner::start_or_stop(const resource_properties& props, std::shared_ptr<resource> res,
                                 const std::string& path, const persisted_state& persisted) {
  const bool online = action_ == "start";
  // OCF's own rule, not ResApi's: start of a running resource succeeds (the
  // engine refuses an Online of an Online resource).
  if (online && persisted.state == resource_state::online) {
    log_.info("start: already Online");
    return static_cast<int>(exit_code::success);
  }
  const auto t0 = started_;
  const action_budget budget = budget_for(action_timeout(def_, online, env_));
  detail::answer_deadline deadline;
  if (exit_at_deadline_) {
    deadline.arm(t0 + budget.answer_by, [&, online] {
      const std::string why =
          fmt::format("{} did not answer within {} ms of its {} ms timeout: the resource's body or "
                      "terminate() is blocked; exiting so the cluster gets an answer",
                      action_, ms(budget.answer_by), ms(budget.timeout));
      (void)write_state(path, resource_state::failed, why);
      log_.exit_reason(why);
      return static_cast<int>(online ? start_code(resource_state::failed)
                                     : stop_code(resource_state::failed));
    });
  }
  // A pending state left by a killed agent is treated as Failed.
  const resource_state from = is_pending(persisted.state) ? resource_state::failed : persisted.state;
  agent_operation op(def_, props, from, budget, t0, env_, log_);
  auto started = op.start(std::move(res), online);
  if (!started) {
    deadline.claim();
    (void)write_state(path, resource_state::failed, started.error().message);
    return fail(online ? start_code(resource_state::failed) : stop_code(resource_state::failed),
                fmt::format("{} could not start: {}", action_, started.error().message));
  }
  if (!is_pending(*started)) {  // Offline of an Offline resource: nothing to run
    deadline.claim();
    log_.info(fmt::format("{}: already {}", action_, to_string(started->state)));
    if (auto r = remove_state(path); !r) return fail(exit_code::err_generic, r.error().message);
    return static_cast<int>(exit_code::success);
  }
  if (auto w = write_state(path, online ? resource_state::online_pending
                                        : resource_state::offline_pending,
                           fmt::format("{} began", action_));
      !w) {
    op.force_down();
    deadline.claim();
    return fail(exit_code::err_perm, w.error().message);
  }
  log_.info(fmt::format("{}: {} (timeout {} ms)", action_,
                        online ? "bringing the resource online" : "taking the resource offline",
                        ms(budget.timeout)));
  outcome done = op.finish();
  if (!online && done.final != resource_state::offline) {
    log_.warning(fmt::format("stop ended {} ({}); forcing it down with terminate()",
                             to_string(done.final), done.error));
    done.final = op.force_down();
  }
  deadline.claim();
  const auto took = ms(std::chrono::steady_clock::now() - t0);
  if (done.final == resource_state::offline) {
    if (auto r = remove_state(path); !r) return fail(exit_code::err_generic, r.error().message);
  } else if (auto w = write_state(path, done.final, done.error); !w) {
    return fail(exit_code::err_generic, w.error().message);
  }
  const exit_code code = online ? start_code(done.final) : stop_code(done.final);
  if (code != exit_code::success) {
    return fail(code, fmt::format("{} ended {}: {}", action_, to_string(done.final),
                                  done.error.empty() ? std::string("no reason given") : done.error));
  }
  log_.info(fmt::format("{}: {} after {} ms", action_, to_string(done.final), took));
  return static_cast<int>(code);
}

int run(const agent_definition& def, std::string_view action, const environment& env,
        std::ostream& out, std::ostream& err, bool exit_at_deadline,
        std::chrono::steady_clock::time_point started) noexcept {
  try {
    return action_runner(def, action, env, out, err, exit_at_deadline, started).run();
  } catch (const std::exception& e) {
    try {
      err << "ocf-exit-reason:" << action << ": " << e.what() << '\n' << std::flush;
    } catch (...) {
      // stderr itself failed: the exit code is the only answer left.
    }
  } catch (...) {
    try {
      err << "ocf-exit-reason:" << action << ": an exception that is not a std::exception\n"
          << std::flush;
    } catch (...) {
      // stderr itself failed: the exit code is the only answer left.
    }
  }
  return static_cast<int>(exit_code::err_generic);
}

}  // namespace

environment process_environment() {
  environment env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

bool is_manager_parameter(std::string_view name) noexcept {
  return name == "crm_feature_set" || name.starts_with("CRM_meta_");
}

std::vector<std::string> undeclared_parameters(const agent_definition& def,
                                               const environment& env) {
  std::vector<std::string> names;
  for (const auto& [key, value] : env) {
    if (!key.starts_with(k_prefix)) continue;
    const std::string name = key.substr(k_prefix.size());
    if (is_manager_parameter(name) || declared(def, name) || is_property(def, name) ||
        name == k_state_dir) {
      continue;
    }
    names.push_back(name);
  }
  return names;
}

result<agent_parameters> read_parameters(const agent_definition& def, const environment& env) {
  auto values = parameter_values::defaults(def.parameters);
  if (!values) {
    return make_error(values.error().code,
                      fmt::format("{}: the agent's parameters: {}", def.name,
                                  values.error().message));
  }
  agent_parameters out{std::move(*values)};
  // ResApi properties are read with parse_properties' rules, from JSON.
  std::map<std::string, std::string> given;  // property name -> integer text
  for (const auto& [key, value] : env) {
    if (!key.starts_with(k_prefix)) continue;
    const std::string name = key.substr(k_prefix.size());
    if (name == k_state_dir) {
      out.state_dir = value;
    } else if (const parameter* p = declared(def, name)) {
      std::string text = value;
      if (is_boolean(*p)) {
        auto b = normalise_boolean(value);
        if (!b) {
          return make_error(errc::property_wrong_type,
                            fmt::format("{}: \"{}\" is not a boolean (true/false, yes/no, 1/0)",
                                        name, value));
        }
        text = *b;
      }
      if (auto set = out.values.set_text(name, text); !set) return set.error();
    } else if (is_property(def, name)) {
      if (!integer(value)) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: \"{}\" is not an integer", name, value));
      }
      given[name] = value;
    }
  }
  if (const auto missing = out.values.missing(); !missing.empty()) {
    return make_error(errc::invalid_argument,
                      fmt::format("required parameter \"{}\" is missing (OCF_RESKEY_{})",
                                  missing.front(), missing.front()));
  }
  std::string json = "{";
  for (const auto& [name, fallback] : property_parameters(def.properties)) {
    const auto it = given.find(name);  // not given: the agent's default
    json += fmt::format("{}\"{}\":{}", json.size() > 1 ? "," : "", name,
                        it != given.end() ? it->second : std::to_string(fallback));
  }
  json += "}";
  auto props = parse_properties(json);
  if (!props) return props.error();
  out.properties = *props;
  return out;
}

std::string metadata_xml(const agent_definition& def) {
  std::string x;
  x += "<?xml version=\"1.0\"?>\n<!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\">\n";
  x += fmt::format("<resource-agent name=\"{}\" version=\"{}\">\n", xml_escape(def.name),
                   xml_escape(def.version));
  x += "<version>1.1</version>\n";
  x += fmt::format("<longdesc lang=\"en\">{}</longdesc>\n", xml_escape(def.longdesc));
  x += fmt::format("<shortdesc lang=\"en\">{}</shortdesc>\n", xml_escape(def.shortdesc));
  x += "<parameters>\n";
  auto param = [&](const std::string& name, const std::string& shortdesc,
                   const std::string& longdesc, const std::string& type,
                   const std::string& def_value, bool required) {
    x += fmt::format("<parameter name=\"{}\" unique=\"0\" required=\"{}\">\n", xml_escape(name),
                     required ? 1 : 0);
    x += fmt::format("<longdesc lang=\"en\">{}</longdesc>\n", xml_escape(longdesc));
    x += fmt::format("<shortdesc lang=\"en\">{}</shortdesc>\n", xml_escape(shortdesc));
    x += fmt::format("<content type=\"{}\"{} />\n", xml_escape(type),
                     def_value.empty() ? "" : fmt::format(" default=\"{}\"", xml_escape(def_value)));
    x += "</parameter>\n";
  };
  for (const auto& p : def.parameters) {
    std::string longdesc = p.description.empty() ? p.name : p.description;
    if ((p.type == parameter_type::dword || p.type == parameter_type::ularge) && !is_boolean(p)) {
      longdesc += fmt::format(" ({}..{})", p.min, p.max);
    } else if (!p.allowed.empty()) {
      std::string allowed;
      for (const auto& a : p.allowed) allowed += (allowed.empty() ? "" : ", ") + a;
      longdesc += fmt::format(" (one of: {})", allowed);
    } else if (p.type == parameter_type::multi_string) {
      longdesc += " (one value per line)";
    } else if (p.type == parameter_type::binary) {
      longdesc += " (bytes in hex)";
    }
    if (p.applies_at_online) longdesc += " Takes effect at the next start.";
    param(p.name, p.description.empty() ? p.name : p.description, longdesc,
          std::string(ocf_type(p)), p.required ? std::string() : as_text(p.default_value),
          p.required);
  }
  for (const auto& [name, value] : property_parameters(def.properties)) {
    if (!is_property(def, name)) continue;
    param(name, "ResApi property " + name,
          "The Windows Failover Clustering common property " + name +
              " (milliseconds, or a count/action number); validated with ResApi's range.",
          "integer", std::to_string(value), false);
  }
  param(std::string(k_state_dir), "Where the agent keeps its state",
        "Directory for the state file that outlives each action (default: HA_RSCTMP, else "
        "/run/resource-agents).",
        "string", "", false);
  x += "</parameters>\n<actions>\n";
  x += fmt::format("<action name=\"start\" timeout=\"{}s\" />\n", def.start_timeout.count());
  x += fmt::format("<action name=\"stop\" timeout=\"{}s\" />\n", def.stop_timeout.count());
  x += "<action name=\"monitor\" timeout=\"20s\" interval=\"10s\" depth=\"0\" />\n";
  x += "<action name=\"monitor\" timeout=\"20s\" interval=\"60s\" depth=\"10\" />\n";
  x += "<action name=\"meta-data\" timeout=\"5s\" />\n";
  x += "<action name=\"validate-all\" timeout=\"20s\" />\n";
  x += "</actions>\n</resource-agent>\n";
  return x;
}

int run_action(const agent_definition& def, std::string_view action, const environment& env,
               std::ostream& out, std::ostream& err) noexcept {
  return run(def, action, env, out, err, /*exit_at_deadline=*/false,
             std::chrono::steady_clock::now());
}

namespace {

// The agent's executable run by `start` as its instance's resident host.
int resident_host_main(const agent_definition& def) {
  const environment env = process_environment();
  auto params = read_parameters(def, env);
  if (!params) return static_cast<int>(exit_code::err_configured);
  return detail::run_resident_host(def, env, state_path(def, params->state_dir, env));
}

}  // namespace

int agent_main(const agent_definition& def, int argc, char** argv) noexcept {
  const auto started = std::chrono::steady_clock::now();  // Pacemaker's clock started at the fork
  int code = static_cast<int>(exit_code::err_generic);
  try {
    if (argc < 2) {
      std::fprintf(stderr, "ocf-exit-reason:usage: %s {%.*s}\n", argc > 0 ? argv[0] : "agent",
                   static_cast<int>(k_actions.size()), k_actions.data());
      return static_cast<int>(exit_code::err_args);
    }
    if (argv[1] == detail::resident_host_action) {
      code = resident_host_main(def);
    } else {
      code = run(def, argv[1], process_environment(), std::cout, std::cerr,
                 /*exit_at_deadline=*/true, started);
    }
  } catch (...) {
    // run() catches everything; only printing the usage line can get here,
    // and a failing stderr leaves the exit code as the answer.
  }
  // A body abandoned as a zombie may still run: it ends with the process,
  // which neither waits for it nor runs destructors under its feet.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace pendop::ocf
