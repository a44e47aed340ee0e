// SPDX-License-Identifier: MIT
#include "agent_support.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace pendop::ocf::detail {

using std::chrono::milliseconds;

std::optional<long long> parse_integer(std::string_view v) {
  if (v.empty()) return std::nullopt;
  long long n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::string env_value(const environment& env, std::string_view key) {
  const auto it = env.find(key);
  return it != env.end() ? it->second : std::string();
}

long long ms(duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

// --- the action's time budget -------------------------------------------------

action_budget budget_for(duration timeout) {
  const duration margin = std::min<duration>(
      std::clamp<duration>(timeout / 5, milliseconds(500), std::chrono::seconds(10)), timeout / 2);
  return {timeout, std::max<duration>(timeout - margin, milliseconds(10)), margin / 4,
          timeout - margin / 2, margin};
}

duration action_timeout(const agent_definition& def, bool online, const environment& env) {
  if (auto t = parse_integer(env_value(env, "OCF_RESKEY_CRM_meta_timeout")); t && *t > 0) {
    return milliseconds(*t);
  }
  return online ? def.start_timeout : def.stop_timeout;
}

// --- the state file ------------------------------------------------------------

std::string state_path(const agent_definition& def, const std::string& state_dir,
                       const environment& env) {
  std::string dir;
  if (!state_dir.empty()) {
    dir = state_dir;
  } else if (auto h = env_value(env, "HA_RSCTMP"); !h.empty()) {
    dir = h;
  } else {
    dir = "/run/resource-agents";
    if (::access("/run", W_OK) != 0) dir = "/tmp";
  }
  ::mkdir(dir.c_str(), 0755);  // may exist already
  std::string instance = env_value(env, "OCF_RESOURCE_INSTANCE");
  if (instance.empty()) instance = "default";
  std::replace(instance.begin(), instance.end(), '/', '_');
  return fmt::format("{}/pendop-{}-{}.state", dir, def.name, instance);
}

persisted_state read_state(const std::string& path) {
  std::ifstream in(path);
  persisted_state s;
  std::string name;
  if (!std::getline(in, name) || name.empty()) return s;
  s.state = parse_resource_state(name).value_or(resource_state::failed);
  std::getline(in, s.reason);
  return s;
}

result<void> write_state(const std::string& path, resource_state s, std::string_view reason) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    return make_error(errc::invalid_argument,
                      fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  std::string one_line(reason);
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  const std::string text = fmt::format("{}\n{}\n", to_string(s), one_line);
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size() &&
                       std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    return make_error(errc::invalid_argument,
                      fmt::format("cannot replace {}: {}", path, std::strerror(err)));
  }
  return ok();
}

result<void> remove_state(const std::string& path) {
  if (std::remove(path.c_str()) != 0 && errno != ENOENT) {
    return make_error(errc::invalid_argument,
                      fmt::format("cannot remove {}: {}", path, std::strerror(errno)));
  }
  return ok();
}

}  // namespace pendop::ocf::detail
