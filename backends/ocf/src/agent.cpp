// SPDX-License-Identifier: MIT
#include <pendop/ocf/agent.hpp>

#include <pendop/invoke_operation.hpp>
#include <pendop/ocf/exit_code.hpp>
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
#include <mutex>
#include <iostream>
#include <optional>
#include <ostream>

extern char** environ;

namespace pendop::ocf {
namespace {

constexpr std::string_view k_prefix = "OCF_RESKEY_";
constexpr std::string_view k_state_dir = "state_dir";

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

bool is_integer(std::string_view v) {
  if (v.empty()) return false;
  long long n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc{} && end == v.data() + v.size();
}

// --- the state file ----------------------------------------------------------

std::string state_path(const agent_definition& def, const parameter_values& values,
                       const environment& env) {
  std::string dir;
  if (auto it = values.find(k_state_dir); it != values.end() && !it->second.empty()) {
    dir = it->second;
  } else if (auto h = env.find("HA_RSCTMP"); h != env.end() && !h->second.empty()) {
    dir = h->second;
  } else {
    dir = "/run/resource-agents";
    if (::access("/run", W_OK) != 0) dir = "/tmp";
  }
  ::mkdir(dir.c_str(), 0755);  // may exist already
  const auto inst = env.find("OCF_RESOURCE_INSTANCE");
  const std::string instance = inst != env.end() && !inst->second.empty() ? inst->second : "default";
  return fmt::format("{}/pendop-{}-{}.state", dir, def.name, instance);
}

resource_state read_state(const std::string& path) {
  std::ifstream in(path);
  std::string name;
  if (!(in >> name)) return resource_state::offline;
  return parse_resource_state(name).value_or(resource_state::failed);
}

// Atomic: a reader sees the old state or the new one, never half a file.
result<void> write_state(const std::string& path, resource_state s) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    return make_error(errc::invalid_argument,
                      fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  const std::string text = fmt::format("{}\n", to_string(s));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
                       std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error(errc::invalid_argument,
                      fmt::format("cannot replace {}: {}", path, std::strerror(errno)));
  }
  return ok();
}

// --- running one operation ---------------------------------------------------

struct outcome {
  resource_state final = resource_state::unknown;
  std::string error;
};

// Runs Online or Offline to a final state within the action's timeout.
outcome run_operation(const agent_definition& def, std::unique_ptr<resource> res,
                      const resource_properties& props, resource_state from, bool online,
                      const environment& env, std::ostream& log) {
  // The action's timeout (ms) bounds the operation; stop with a margin that
  // leaves time to wind down before Pacemaker would kill the agent.
  duration timeout = props.pending_timeout;
  if (auto t = env.find("OCF_RESKEY_CRM_meta_timeout"); t != env.end() && is_integer(t->second)) {
    timeout = std::chrono::milliseconds(std::stoll(t->second));
  }
  const duration margin = std::min<duration>(
      std::clamp<duration>(timeout / 5, std::chrono::milliseconds(500), std::chrono::seconds(10)),
      timeout / 2);
  const duration limit = std::max<duration>(timeout - margin, std::chrono::milliseconds(10));

  std::mutex mu;
  std::condition_variable cv;
  outcome result;
  const auto inst = env.find("OCF_RESOURCE_INSTANCE");
  const std::string who =
      fmt::format("{}[{}]", def.name, inst != env.end() ? inst->second : std::string("default"));
  posix::runner_options o;
  o.name = who;
  o.properties = props;
  o.initial_state = from;
  o.operation_limit = limit;
  o.stop_wait = margin / 2;
  auto runner = posix::resource_runner::create(
      std::shared_ptr<resource>(std::move(res)),
      [&](const status_report& r) {
        log << to_string(r) << '\n' << std::flush;
        if (!r.final) return;
        std::lock_guard lk(mu);
        result.final = r.state;
        result.error = r.error_text;
        cv.notify_all();
      },
      o);
  if (!runner) return {resource_state::failed, runner.error().message};
  auto started = online ? runner->online() : runner->offline();
  if (!started) return {resource_state::failed, started.error().message};
  std::unique_lock lk(mu);
  while (result.final == resource_state::unknown) {
    cv.wait_for(lk, std::chrono::milliseconds(20));
    if (result.final != resource_state::unknown) break;
    lk.unlock();
    if (runner->check_pending_timeout()) {
      log << fmt::format("{}: {} did not finish within {} ms (timeout {} ms less a {} ms margin)\n",
                         who, online ? "start" : "stop",
                         std::chrono::duration_cast<std::chrono::milliseconds>(limit).count(),
                         std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count(),
                         std::chrono::duration_cast<std::chrono::milliseconds>(margin).count());
    }
    lk.lock();
  }
  return result;
}

int fail(std::ostream& log, exit_code code, const std::string& why) {
  log << "ERROR: " << why << '\n' << std::flush;
  return static_cast<int>(code);
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

result<parameter_values> read_parameters(const agent_definition& def, const environment& env) {
  parameter_values values;
  for (const auto& p : def.parameters) {
    if (!p.default_value.empty()) values[p.name] = p.default_value;
  }
  for (const auto& [key, value] : env) {
    if (key.rfind(k_prefix, 0) != 0) continue;
    const std::string name = key.substr(k_prefix.size());
    if (name.rfind("CRM_meta_", 0) == 0) continue;  // Pacemaker's own
    const auto p = std::find_if(def.parameters.begin(), def.parameters.end(),
                                [&](const parameter& x) { return x.name == name; });
    const auto props = property_parameters(def.properties);
    const bool is_property = std::any_of(props.begin(), props.end(),
                                         [&](const auto& x) { return x.first == name; });
    if (p == def.parameters.end() && !is_property && name != k_state_dir) {
      std::string known;
      for (const auto& x : def.parameters) known += x.name + ", ";
      for (const auto& x : props) known += x.first + ", ";
      known += k_state_dir;
      return make_error(errc::property_unknown,
                        fmt::format("unknown parameter \"{}\" (known: {})", name, known));
    }
    std::string v = value;
    if (p != def.parameters.end() && p->type == "boolean") {
      auto b = normalise_boolean(v);
      if (!b) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: \"{}\" is not a boolean (true/false, yes/no, 1/0)",
                                      name, value));
      }
      v = *b;
    } else if ((p != def.parameters.end() && p->type == "integer") || is_property) {
      if (!is_integer(v)) {
        return make_error(errc::property_wrong_type,
                          fmt::format("{}: \"{}\" is not an integer", name, value));
      }
    }
    values[name] = v;
  }
  for (const auto& p : def.parameters) {
    if (p.required && !values.contains(p.name)) {
      return make_error(errc::invalid_argument,
                        fmt::format("required parameter \"{}\" is missing (OCF_RESKEY_{})", p.name,
                                    p.name));
    }
  }
  return values;
}

result<resource_properties> read_properties(const agent_definition& def,
                                            const parameter_values& values) {
  std::string json = "{";
  for (const auto& [name, fallback] : property_parameters(def.properties)) {
    const auto it = values.find(name);
    json += fmt::format("{}\"{}\":{}", json.size() > 1 ? "," : "", name,
                        it != values.end() ? it->second : std::to_string(fallback));
  }
  json += "}";
  return parse_properties(json);
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
    param(p.name, p.shortdesc, p.longdesc, p.type, p.default_value, p.required);
  }
  for (const auto& [name, value] : property_parameters(def.properties)) {
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
  const auto op_s =
      std::max<long long>(std::chrono::duration_cast<std::chrono::seconds>(def.properties.pending_timeout)
                              .count(),
                          20);
  x += fmt::format("<action name=\"start\" timeout=\"{}s\" />\n", op_s);
  x += fmt::format("<action name=\"stop\" timeout=\"{}s\" />\n", op_s);
  x += "<action name=\"monitor\" timeout=\"20s\" interval=\"10s\" depth=\"0\" />\n";
  x += "<action name=\"monitor\" timeout=\"20s\" interval=\"60s\" depth=\"10\" />\n";
  x += "<action name=\"meta-data\" timeout=\"5s\" />\n";
  x += "<action name=\"validate-all\" timeout=\"20s\" />\n";
  x += "</actions>\n</resource-agent>\n";
  return x;
}

int run_action(const agent_definition& def, std::string_view action, const environment& env,
               std::ostream& out, std::ostream& log) noexcept {
  try {
    if (action == "meta-data") {
      out << metadata_xml(def) << std::flush;
      return static_cast<int>(exit_code::success);
    }
    if (action == "usage" || action == "help") {
      out << fmt::format("usage: {} start|stop|monitor|meta-data|validate-all\n", def.name);
      return static_cast<int>(exit_code::success);
    }
    const bool known = action == "start" || action == "stop" || action == "monitor" ||
                       action == "validate-all";
    if (!known) {
      return fail(log, exit_code::err_unimplemented,
                  fmt::format("action \"{}\" is not implemented", action));
    }
    auto values = read_parameters(def, env);
    if (!values) return fail(log, exit_code::err_configured, values.error().message);
    auto props = read_properties(def, *values);
    if (!props) return fail(log, exit_code::err_configured, props.error().message);
    auto res = def.make(*values);
    if (!res || !*res) {
      return fail(log, exit_code::err_configured,
                  res ? std::string("the agent made no resource") : res.error().message);
    }
    if (action == "validate-all") return static_cast<int>(exit_code::success);

    const std::string path = state_path(def, *values, env);
    const resource_state persisted = read_state(path);
    if (action == "monitor") {
      if (persisted != resource_state::online) {
        return static_cast<int>(monitor_code(persisted, false));
      }
      std::string why;
      bool alive = invoke_looks_alive(**res, &why);
      const auto depth = env.find("OCF_CHECK_LEVEL");
      if (alive && depth != env.end() && is_integer(depth->second) &&
          std::stoi(depth->second) >= 10) {
        alive = invoke_is_alive(**res, &why);
      }
      if (!alive) log << "monitor: the resource does not look alive" << (why.empty() ? "" : ": " + why) << '\n';
      return static_cast<int>(monitor_code(persisted, alive));
    }

    const bool online = action == "start";
    if (online && persisted == resource_state::online) return 0;    // idempotent
    if (!online && (persisted == resource_state::offline)) return 0;  // idempotent
    // A pending state left by a killed agent is treated as Failed.
    const resource_state from = is_pending(persisted) ? resource_state::failed : persisted;
    if (auto w = write_state(path, online ? resource_state::online_pending
                                          : resource_state::offline_pending);
        !w) {
      return fail(log, exit_code::err_perm, w.error().message);
    }
    outcome done = run_operation(def, std::move(*res), *props, from, online, env, log);
    if (!online && done.final != resource_state::offline) {
      // Stop must leave the resource down: Terminate is the hard stop.
      log << fmt::format("stop ended {} ({}); forced down with Terminate\n",
                         to_string(done.final), done.error);
      if (auto again = def.make(*values); again && *again) (void)invoke_terminate(**again);
      done.final = resource_state::offline;
    }
    if (auto w = write_state(path, done.final); !w) {
      return fail(log, exit_code::err_generic, w.error().message);
    }
    const exit_code code = online ? start_code(done.final) : stop_code(done.final);
    if (code != exit_code::success) {
      log << fmt::format("ERROR: {} ended {}: {}\n", action, to_string(done.final), done.error);
    }
    return static_cast<int>(code);
  } catch (const std::exception& e) {
    return fail(log, exit_code::err_generic, e.what());
  } catch (...) {
    return static_cast<int>(exit_code::err_generic);
  }
}

int agent_main(const agent_definition& def, int argc, char** argv) noexcept {
  try {
    if (argc < 2) {
      std::fprintf(stderr, "usage: %s start|stop|monitor|meta-data|validate-all\n",
                   argc > 0 ? argv[0] : "agent");
      return static_cast<int>(exit_code::err_args);
    }
    return run_action(def, argv[1], process_environment(), std::cout, std::cerr);
  } catch (...) {
    return static_cast<int>(exit_code::err_generic);
  }
}

}  // namespace pendop::ocf
