// SPDX-License-Identifier: MIT
#include "scenario.hpp"

#include "win32_binaries.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string_view>

namespace pendop_cli {
namespace {

using json = nlohmann::json;

// A value as shown in a message: its JSON text, cut short when long (a
// scenario is untrusted input; a 50 MB string is not echoed back).
std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', /*ensure_ascii=*/true);
  constexpr std::size_t k_max = 80;
  if (text.size() <= k_max) return text;
  return fmt::format("{}... ({} bytes)", text.substr(0, k_max), text.size());
}

std::string shown(const std::string& s) { return shown(json(s)); }

// The deepest nesting of arrays and objects in `text`, found before parsing
// (a parser and the tree it builds must not recurse 70 000 levels deep).
// Returns the byte at which `limit` is passed, if it is.
std::optional<std::size_t> too_deep(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (in_string) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        in_string = false;
      }
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > limit) return i;
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

// Reports keys that appear twice in one object, with their JSON paths (the
// parser would keep the last one silently).
class duplicate_keys {
 public:
  explicit duplicate_keys(std::vector<problem>& out) : out_(out) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames_.push_back({event == json::parse_event_t::array_start, 0, {}, child_path(), {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case json::parse_event_t::key: {
        auto& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          out_.push_back({top.path + "." + top.key, "duplicate key (each key may appear once)"});
        }
        break;
      }
      case json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }

 private:
  struct frame {
    bool array;
    std::size_t index;
    std::set<std::string> keys;
    std::string path;
    std::string key;
  };
  std::string child_path() const {
    if (frames_.empty()) return "$";
    const auto& top = frames_.back();
    return top.array ? fmt::format("{}[{}]", top.path, top.index) : top.path + "." + top.key;
  }
  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::vector<problem>& out_;
  std::vector<frame> frames_;
};

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Names become file names (OUT/NAME.log) and reach the SVG and the terminal:
// 1-64 of [A-Za-z0-9._-], the first a letter or digit.
bool safe_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && name_char(s[0]) && s[0] != '.' && s[0] != '_' &&
         s[0] != '-' && std::all_of(s.begin(), s.end(), name_char);
}

// An OCF provider or type: a plain file name of [A-Za-z0-9._-], never "." or "..".
bool plain_ocf_part(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && s[0] != '-' &&
         std::all_of(s.begin(), s.end(), name_char);
}

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

  void ms(const json& obj, const std::string& path, const char* key, long long& out,
          long long min = 0) {
    if (!obj.contains(key)) return;
    const json& v = obj[key];
    if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > 86'400'000) {
      add(path + "." + key, fmt::format("expected milliseconds (an integer {}..86400000), got {}",
                                        min, shown(v)));
      return;
    }
    out = v.get<long long>();
  }

  void flag(const json& obj, const std::string& path, const char* key, bool& out) {
    if (!obj.contains(key)) return;
    if (!obj[key].is_boolean()) {
      add(path + "." + key, fmt::format("expected true or false, got {}", shown(obj[key])));
      return;
    }
    out = obj[key].get<bool>();
  }

  void text(const json& obj, const std::string& path, const char* key, std::string& out) {
    if (!obj.contains(key)) return;
    if (!obj[key].is_string()) {
      add(path + "." + key, fmt::format("expected a string, got {}", shown(obj[key])));
      return;
    }
    out = obj[key].get<std::string>();
  }

  // One of the five states a resource settles or waits in.
  std::optional<pendop::resource_state> state(const json& v, const std::string& path) {
    using pendop::resource_state;
    if (v.is_string()) {
      const auto s = pendop::parse_resource_state(v.get<std::string>());
      if (s == resource_state::online || s == resource_state::offline ||
          s == resource_state::failed || s == resource_state::online_pending ||
          s == resource_state::offline_pending) {
        return s;
      }
    }
    add(path, fmt::format("expected a state (Online, Offline, Failed, OnlinePending, "
                          "OfflinePending), got {}",
                          shown(v)));
    return std::nullopt;
  }

  // Each property on its own, so every bad one is named with its own path;
  // then the rules between them (RetryPeriodOnFailure >= RestartPeriod).
  void properties(const json& v, const std::string& path, pendop::resource_properties& out) {
    if (!object(v, path)) return;
    const std::size_t before = problems.size();
    for (const auto& [k, value] : v.items()) {
      // Alone, with the other side of the one rule between properties made vacuous.
      json alone{{k, value}};
      if (k == "RetryPeriodOnFailure") {
        alone["RestartPeriod"] = 0;
      } else {
        alone["RetryPeriodOnFailure"] = 4294967295U;
      }
      auto one = pendop::parse_properties(alone.dump());
      if (one) continue;
      std::string msg = one.error().message;
      if (msg.rfind(k + ": ", 0) == 0) msg.erase(0, k.size() + 2);  // the path names it
      if (one.error().code == pendop::errc::property_unknown) {
        const auto known = msg.find("known: ");
        msg = "unknown property, " + (known != std::string::npos ? msg.substr(known) : msg);
      }
      add(path + "." + k, msg);
    }
    if (problems.size() != before) return;
    if (auto all = pendop::parse_properties(v.dump()); all) {
      out = *all;
    } else {
      add(path, all.error().message);
    }
  }
};

// A private property's value as the host's `set:` command carries it: text
// without ',' (between properties) or control characters; a multi-string's
// parts joined by '|'.
std::optional<std::string> property_text(checker& c, const json& v, const std::string& path) {
  auto plain = [&](const std::string& t, bool part) {
    const bool bad = std::any_of(t.begin(), t.end(), [&](char ch) {
      return ch == ',' || (part && ch == '|') || static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
    });
    if (bad) {
      c.add(path, fmt::format("a value may not hold ','{} or control characters, got {}",
                              part ? ", '|'" : "", shown(t)));
    }
    return !bad;
  };
  if (v.is_string()) {
    const auto t = v.get<std::string>();
    return plain(t, false) ? std::optional(t) : std::nullopt;
  }
  if (v.is_number_unsigned()) return v.dump();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "1" : "0");
  if (v.is_array() && std::all_of(v.begin(), v.end(), [](const json& p) { return p.is_string(); })) {
    std::string joined;
    for (const auto& p : v) {
      if (!plain(p.get<std::string>(), true)) return std::nullopt;
      joined += (joined.empty() ? "" : "|") + p.get<std::string>();
    }
    return joined;
  }
  c.add(path, fmt::format("expected a string, an integer >= 0, true/false or an array of strings, "
                          "got {}",
                          shown(v)));
  return std::nullopt;
}

void parse_dll(checker& c, const json& d, const std::string& path, dll_spec& out) {
  if (!c.object(d, path)) return;
  c.only(d, path, {"path", "resource_type", "private_properties", "startup", "host_dir"});
  c.text(d, path, "path", out.path);
  c.text(d, path, "resource_type", out.resource_type);
  std::error_code ec;
  if (!d.contains("path")) {
    c.add(path + ".path", "required: the resource DLL");
  } else if (d["path"].is_string() && !std::filesystem::is_regular_file(out.path, ec)) {
    c.add(path + ".path", fmt::format("no DLL at {}", shown(out.path)));
  }
  if (!d.contains("resource_type")) {
    c.add(path + ".resource_type", "required: the resource type the DLL implements");
  } else if (d["resource_type"].is_string() &&
             (out.resource_type.empty() || out.resource_type.size() > 256)) {
    c.add(path + ".resource_type", "expected a type name of 1-256 characters");
  }
  if (d.contains("startup")) {
    const json& s = d["startup"];
    if (s == "StartupEx" || s == "Startup") {
      out.startup = s == "Startup";
    } else {
      c.add(path + ".startup", fmt::format("expected \"StartupEx\" or \"Startup\", got {}", shown(s)));
    }
  }
  if (d.contains("private_properties") && c.object(d["private_properties"], path + ".private_properties")) {
    for (const auto& [k, v] : d["private_properties"].items()) {
      const std::string p = path + ".private_properties." + k;
      const bool plain_name = !k.empty() && std::none_of(k.begin(), k.end(), [](char ch) {
        return ch == ',' || ch == '=' || static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
      });
      if (!plain_name) {
        c.add(p, "expected a property name without ',', '=' or control characters");
      } else if (auto t = property_text(c, v, p)) {
        out.private_properties.emplace_back(k, *t);
      }
    }
  }
  std::string given;
  c.text(d, path, "host_dir", given);
  const auto found = find_win32_dir(given, "\"host_dir\"", {"pendop_test_host.exe", "resutils.dll", "clusapi.dll"});
  if (!found.problem.empty()) {
    c.add(path + (given.empty() ? "" : ".host_dir"), found.problem);
  } else if (!wine_installed()) {
    c.add(path, "Wine is not installed (apt-get install wine wine64): a DLL runs under Wine");
  }
  out.host_dir = found.dir;
}

void parse_resource(checker& c, const json& r, const std::string& path, resource_spec& out) {
  if (!c.object(r, path)) return;
  c.only(r, path, {"name", "type", "properties", "simulated", "exec", "dll"});
  c.text(r, path, "name", out.name);
  if (r.contains("name") && r["name"].is_string() && !safe_name(out.name)) {
    c.add(path + ".name",
          fmt::format("expected a name of 1-64 letters, digits, '.', '_' or '-', not starting "
                      "with '.', '_' or '-' (it names files in --out), got {}",
                      shown(out.name)));
    out.name.clear();
  } else if (!r.contains("name")) {
    c.add(path + ".name", "required");
  }
  c.text(r, path, "type", out.type);
  if (out.type != "simulated" && out.type != "exec" && out.type != "dll") {
    c.add(path + ".type", fmt::format("expected \"simulated\", \"exec\" or \"dll\", got {}",
                                      r.contains("type") ? shown(r["type"]) : "nothing"));
  }
  if (r.contains("properties")) c.properties(r["properties"], path + ".properties", out.properties);
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
      c.ms(e, ep, "timeout_ms", out.exec.timeout_ms, 1);
      if (e.contains("params") && c.object(e["params"], ep + ".params")) {
        for (const auto& [k, v] : e["params"].items()) {
          if (v.is_string()) {
            out.exec.params[k] = v.get<std::string>();
          } else if (v.is_number() || v.is_boolean()) {
            out.exec.params[k] = v.dump();
          } else {
            c.add(ep + ".params." + k, fmt::format("expected a string, got {}", shown(v)));
          }
        }
      }
      if (!out.exec.agent.empty()) {
        const auto colon1 = out.exec.agent.find(':');
        const auto colon2 = out.exec.agent.rfind(':');
        const std::string provider =
            colon1 == colon2 ? "" : out.exec.agent.substr(colon1 + 1, colon2 - colon1 - 1);
        const std::string type = out.exec.agent.substr(colon2 + 1);
        if (out.exec.agent.rfind("ocf:", 0) != 0 || colon1 == colon2 ||
            !plain_ocf_part(provider) || !plain_ocf_part(type)) {
          c.add(ep + ".agent",
                fmt::format("expected \"ocf:PROVIDER:TYPE\" with plain names (letters, digits, "
                            "'.', '_', '-'), got {}",
                            shown(out.exec.agent)));
        } else if (const auto at = agent_file(provider, type); !std::filesystem::exists(at)) {
          c.add(ep + ".agent", fmt::format("no agent {} at {} (OCF_ROOT={})",
                                           out.exec.agent, at, ocf_root()));
        }
      } else if (out.exec.start.empty() || out.exec.stop.empty()) {
        c.add(ep, "expected \"agent\", or \"start\" and \"stop\" commands");
      }
    }
  }
  if (r.contains("dll")) parse_dll(c, r["dll"], path + ".dll", out.dll);
  if (out.type == "exec" && !r.contains("exec")) c.add(path + ".exec", "required for type \"exec\"");
  if (out.type == "dll" && !r.contains("dll")) c.add(path + ".dll", "required for type \"dll\"");
}

void parse_step(checker& c, const json& s, const std::string& path, step& out,
                const std::map<std::string, std::string>& names) {
  if (!c.object(s, path)) return;
  c.only(s, path, {"online", "offline", "terminate", "fail", "wait_ms", "wait_for", "state",
                   "timeout_ms"});
  int actions = 0;
  for (const char* a : {"online", "offline", "terminate", "fail", "wait_for"}) {
    if (!s.contains(a)) continue;
    ++actions;
    out.action = a;
    c.text(s, path, a, out.resource);
    const auto r = names.find(out.resource);
    if (r == names.end()) {
      c.add(path + "." + a, fmt::format("no resource named {}", shown(s[a])));
    } else if (out.action == "fail" && r->second != "simulated") {
      c.add(path + ".fail", fmt::format("\"{}\" is an {} resource; fail applies to simulated "
                                        "resources only",
                                        out.resource, r->second));
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
    c.ms(s, path, "timeout_ms", out.ms, 1);
    if (s.contains("state")) {
      if (auto st = c.state(s["state"], path + ".state")) out.state = *st;
    }
  }
}

void parse_expect(checker& c, const json& e, const std::string& path, expectations& out,
                  const std::map<std::string, std::string>& names) {
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
        c.add(p, fmt::format("expected a count (an integer >= 0), got {}", shown(v)));
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

std::string ocf_root() {
  const char* root = std::getenv("OCF_ROOT");
  return root && *root ? root : "/usr/lib/ocf";
}

std::string agent_file(const std::string& provider, const std::string& type) {
  return fmt::format("{}/resource.d/{}/{}", ocf_root(), provider, type);
}

parse_result parse_scenario(const std::string& text) {
  parse_result out;
  checker c;
  if (text.size() > k_max_scenario_bytes) {
    out.problems.push_back({"$", fmt::format("the file is larger than {} bytes, the limit for a "
                                             "scenario",
                                             k_max_scenario_bytes)});
    return out;
  }
  if (const auto at = too_deep(text, k_max_nesting)) {
    out.problems.push_back({"$", fmt::format("arrays and objects nested deeper than {} levels "
                                             "(at byte {})",
                                             k_max_nesting, *at)});
    return out;
  }
  json doc;
  try {
    std::vector<problem> duplicates;
    doc = json::parse(text, duplicate_keys(duplicates));
    if (!duplicates.empty()) {
      out.problems = std::move(duplicates);
      return out;
    }
  } catch (const json::parse_error& e) {
    out.problems.push_back({"$", fmt::format("malformed JSON at byte {}: {}", e.byte,
                                             shown(std::string(e.what())))});
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
  std::map<std::string, std::string> names;  // name -> type
  if (!doc.contains("resources") || !doc["resources"].is_array() || doc["resources"].empty()) {
    c.add("$.resources", "expected a non-empty array of resources");
  } else {
    for (std::size_t i = 0; i < doc["resources"].size(); ++i) {
      resource_spec r;
      const std::string path = fmt::format("$.resources[{}]", i);
      parse_resource(c, doc["resources"][i], path, r);
      if (!r.name.empty() && !names.emplace(r.name, r.type).second) {
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
