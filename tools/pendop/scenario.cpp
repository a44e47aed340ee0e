// SPDX-License-Identifier: MIT
#include "scenario.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace pendop_cli {
namespace {

using json = nlohmann::json;

class checker {
 public:
  std::vector<problem> problems;

  void add(std::string path, std::string message) {
    problems.push_back({std::move(path), std::move(message)});
  }

  // Reports keys of `obj` not in `allowed`.
  void only(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) {
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    for (const auto& [k, v] : obj.items()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok) add(path + "." + k, fmt::format("unknown key, allowed: {}", list));
    }
  }

  bool object(const json& v, const std::string& path) {
    if (v.is_object()) return true;
    add(path, fmt::format("expected an object, got {}", v.type_name()));
    return false;
  }

  void ms(const json& obj, const std::string& path, const char* key, long long& out) {
    if (!obj.contains(key)) return;
    const json& v = obj[key];
    if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 86'400'000) {
      add(path + "." + key,
          fmt::format("expected milliseconds (an integer 0..86400000), got {}", v.dump()));
      return;
    }
    out = v.get<long long>();
  }

  void flag(const json& obj, const std::string& path, const char* key, bool& out) {
    if (!obj.contains(key)) return;
    if (!obj[key].is_boolean()) {
      add(path + "." + key, fmt::format("expected true or false, got {}", obj[key].dump()));
      return;
    }
    out = obj[key].get<bool>();
  }

  void text(const json& obj, const std::string& path, const char* key, std::string& out) {
    if (!obj.contains(key)) return;
    if (!obj[key].is_string()) {
      add(path + "." + key, fmt::format("expected a string, got {}", obj[key].dump()));
      return;
    }
    out = obj[key].get<std::string>();
  }

  std::optional<pendop::resource_state> state(const json& v, const std::string& path) {
    if (v.is_string()) {
      if (auto s = pendop::parse_resource_state(v.get<std::string>())) return s;
    }
    add(path, fmt::format("expected a state (Online, Offline, Failed, OnlinePending, "
                          "OfflinePending), got {}",
                          v.dump()));
    return std::nullopt;
  }
};

void parse_resource(checker& c, const json& r, const std::string& path, resource_spec& out) {
  if (!c.object(r, path)) return;
  c.only(r, path, {"name", "type", "properties", "simulated", "exec"});
  c.text(r, path, "name", out.name);
  if (out.name.empty()) c.add(path + ".name", "expected a non-empty name");
  c.text(r, path, "type", out.type);
  if (out.type != "simulated" && out.type != "exec") {
    c.add(path + ".type", fmt::format("expected \"simulated\" or \"exec\", got {}",
                                      r.contains("type") ? r["type"].dump() : "nothing"));
  }
  if (r.contains("properties")) {
    auto p = pendop::parse_properties(r["properties"].dump());
    if (p) {
      out.properties = *p;
    } else {
      c.add(path + ".properties", p.error().message);
    }
  }
  if (r.contains("simulated")) {
    const std::string sp = path + ".simulated";
    const json& s = r["simulated"];
    if (c.object(s, sp)) {
      c.only(s, sp, {"online_ms", "offline_ms", "report_ms", "never_reports", "fail_online",
                     "ignore_terminate", "health_fails_after_ms"});
      c.ms(s, sp, "online_ms", out.simulated.online_ms);
      c.ms(s, sp, "offline_ms", out.simulated.offline_ms);
      c.ms(s, sp, "report_ms", out.simulated.report_ms);
      if (out.simulated.report_ms == 0) c.add(sp + ".report_ms", "must be at least 1");
      c.flag(s, sp, "never_reports", out.simulated.never_reports);
      c.flag(s, sp, "fail_online", out.simulated.fail_online);
      c.flag(s, sp, "ignore_terminate", out.simulated.ignore_terminate);
      c.ms(s, sp, "health_fails_after_ms", out.simulated.health_fails_after_ms);
    }
  }
  if (r.contains("exec")) {
    const std::string ep = path + ".exec";
    const json& e = r["exec"];
    if (c.object(e, ep)) {
      c.only(e, ep, {"agent", "params", "start", "stop", "monitor", "timeout_ms"});
      c.text(e, ep, "agent", out.exec.agent);
      c.text(e, ep, "start", out.exec.start);
      c.text(e, ep, "stop", out.exec.stop);
      c.text(e, ep, "monitor", out.exec.monitor);
      c.ms(e, ep, "timeout_ms", out.exec.timeout_ms);
      if (e.contains("params") && c.object(e["params"], ep + ".params")) {
        for (const auto& [k, v] : e["params"].items()) {
          if (v.is_string()) {
            out.exec.params[k] = v.get<std::string>();
          } else if (v.is_number() || v.is_boolean()) {
            out.exec.params[k] = v.dump();
          } else {
            c.add(ep + ".params." + k, fmt::format("expected a string, got {}", v.dump()));
          }
        }
      }
      if (!out.exec.agent.empty()) {
        const auto colon1 = out.exec.agent.find(':');
        const auto colon2 = out.exec.agent.rfind(':');
        if (out.exec.agent.rfind("ocf:", 0) != 0 || colon1 == colon2) {
          c.add(ep + ".agent", fmt::format("expected \"ocf:PROVIDER:TYPE\", got \"{}\"",
                                           out.exec.agent));
        }
      } else if (out.exec.start.empty() || out.exec.stop.empty()) {
        c.add(ep, "expected \"agent\", or \"start\" and \"stop\" commands");
      }
    }
  }
  if (out.type == "exec" && !r.contains("exec")) c.add(path + ".exec", "required for type \"exec\"");
}

void parse_step(checker& c, const json& s, const std::string& path, step& out,
                const std::set<std::string>& names) {
  if (!c.object(s, path)) return;
  c.only(s, path, {"online", "offline", "terminate", "fail", "wait_ms", "wait_for", "state",
                   "timeout_ms"});
  int actions = 0;
  for (const char* a : {"online", "offline", "terminate", "fail", "wait_for"}) {
    if (!s.contains(a)) continue;
    ++actions;
    out.action = a;
    c.text(s, path, a, out.resource);
    if (!names.contains(out.resource)) {
      c.add(path + "." + a, fmt::format("no resource named {}", s[a].dump()));
    }
  }
  if (s.contains("wait_ms")) {
    ++actions;
    out.action = "wait";
    c.ms(s, path, "wait_ms", out.ms);
  }
  if (actions != 1) {
    c.add(path, "expected exactly one of online, offline, terminate, fail, wait_ms, wait_for");
  }
  if (out.action == "wait_for") {
    out.ms = 30000;
    c.ms(s, path, "timeout_ms", out.ms);
    if (s.contains("state")) {
      if (auto st = c.state(s["state"], path + ".state")) out.state = *st;
    }
  }
}

void parse_expect(checker& c, const json& e, const std::string& path, expectations& out,
                  const std::set<std::string>& names) {
  if (!c.object(e, path)) return;
  c.only(e, path, {"final", "terminates", "restarts", "failures", "zombies"});
  if (e.contains("final") && c.object(e["final"], path + ".final")) {
    for (const auto& [k, v] : e["final"].items()) {
      if (!names.contains(k)) c.add(path + ".final." + k, "no resource of that name");
      if (auto st = c.state(v, path + ".final." + k)) out.final[k] = *st;
    }
  }
  auto counts = [&](const char* key, std::map<std::string, long long>& into) {
    if (!e.contains(key) || !c.object(e[key], path + "." + key)) return;
    for (const auto& [k, v] : e[key].items()) {
      const std::string p = path + "." + key + "." + k;
      if (!names.contains(k)) c.add(p, "no resource of that name");
      if (!v.is_number_integer() || v.get<long long>() < 0) {
        c.add(p, fmt::format("expected a count (an integer >= 0), got {}", v.dump()));
      } else {
        into[k] = v.get<long long>();
      }
    }
  };
  counts("terminates", out.terminates);
  counts("restarts", out.restarts);
  counts("failures", out.failures);
  counts("zombies", out.zombies);
}

}  // namespace

parse_result parse_scenario(const std::string& text) {
  parse_result out;
  checker c;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    out.problems.push_back({"$", fmt::format("malformed JSON at byte {}: {}", e.byte, e.what())});
    return out;
  } catch (const json::exception& e) {  // e.g. a number too large for any type
    out.problems.push_back({"$", fmt::format("malformed JSON: {}", e.what())});
    return out;
  }
  if (!c.object(doc, "$")) {
    out.problems = std::move(c.problems);
    return out;
  }
  c.only(doc, "$", {"resources", "script", "expect", "stop_wait_ms"});
  c.ms(doc, "$", "stop_wait_ms", out.value.stop_wait_ms);
  std::set<std::string> names;
  if (!doc.contains("resources") || !doc["resources"].is_array() || doc["resources"].empty()) {
    c.add("$.resources", "expected a non-empty array of resources");
  } else {
    for (std::size_t i = 0; i < doc["resources"].size(); ++i) {
      resource_spec r;
      const std::string path = fmt::format("$.resources[{}]", i);
      parse_resource(c, doc["resources"][i], path, r);
      if (!r.name.empty() && !names.insert(r.name).second) {
        c.add(path + ".name", fmt::format("\"{}\" is used twice", r.name));
      }
      out.value.resources.push_back(std::move(r));
    }
  }
  if (doc.contains("script")) {
    if (!doc["script"].is_array()) {
      c.add("$.script", "expected an array of steps");
    } else {
      for (std::size_t i = 0; i < doc["script"].size(); ++i) {
        step s;
        parse_step(c, doc["script"][i], fmt::format("$.script[{}]", i), s, names);
        out.value.script.push_back(std::move(s));
      }
    }
  }
  if (doc.contains("expect")) {
    expectations e;
    parse_expect(c, doc["expect"], "$.expect", e, names);
    out.value.expect = std::move(e);
  }
  out.problems = std::move(c.problems);
  return out;
}

}  // namespace pendop_cli
