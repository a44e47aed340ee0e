// SPDX-License-Identifier: MIT
#include "agent_log.hpp"

#include <fmt/format.h>

#include <syslog.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <utility>

namespace pendop::ocf::detail {
namespace {

std::string env_value(const environment& env, std::string_view key) {
  const auto it = env.find(key);
  return it != env.end() ? it->second : std::string();
}

std::optional<int> facility_code(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, int>, 20> k_facilities{{
      {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
      {"daemon", LOG_DAEMON}, {"ftp", LOG_FTP},           {"kern", LOG_KERN},
      {"lpr", LOG_LPR},       {"mail", LOG_MAIL},         {"news", LOG_NEWS},
      {"syslog", LOG_SYSLOG}, {"user", LOG_USER},         {"uucp", LOG_UUCP},
      {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2},
      {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5},
      {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
  }};
  for (const auto& [n, code] : k_facilities) {
    if (n == name) return code;
  }
  return std::nullopt;
}

std::string_view level_name(agent_log::level lv) {
  switch (lv) {
    case agent_log::level::debug: return "DEBUG";
    case agent_log::level::info: return "INFO";
    case agent_log::level::warning: return "WARNING";
    case agent_log::level::error: return "ERROR";
  }
  return "INFO";
}

int syslog_priority(agent_log::level lv) {
  switch (lv) {
    case agent_log::level::debug: return LOG_DEBUG;
    case agent_log::level::info: return LOG_INFO;
    case agent_log::level::warning: return LOG_WARNING;
    case agent_log::level::error: return LOG_ERR;
  }
  return LOG_INFO;
}

// ha_log's date: `date "+$HA_DATEFMT"` (default "%b %d %T ", as
// resource-agents' ocf-directories), so a pendop agent's lines read like
// every other agent's. Besides strftime's conversions it takes GNU date's
// fractional seconds, `%N` (nanoseconds) and `%3N`..`%9N` (that many digits):
// "%F %T.%3N " gives "2026-12-06 12:00:00.123". Trailing blanks are dropped,
// as the shell's `echo $(hadate)` drops them.
std::string ha_date(const std::string& format) {
  const auto now = std::chrono::system_clock::now();
  const auto since_epoch = now.time_since_epoch();
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         since_epoch - std::chrono::duration_cast<std::chrono::seconds>(since_epoch))
                         .count();
  std::string expanded;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const bool digits = i + 2 < format.size() && format[i] == '%' && format[i + 1] >= '1' &&
                        format[i + 1] <= '9' && format[i + 2] == 'N';
    if (digits || format.compare(i, 2, "%N") == 0) {
      const int width = digits ? format[i + 1] - '0' : 9;
      expanded += fmt::format("{:09}", nanos).substr(0, static_cast<std::size_t>(width));
      i += digits ? 2 : 1;
    } else if (format.compare(i, 2, "%%") == 0) {
      expanded += "%%";
      ++i;
    } else {
      expanded += format[i];
    }
  }
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::array<char, 128> buf{};
  std::size_t n = expanded.empty() ? 0 : std::strftime(buf.data(), buf.size(), expanded.c_str(), &tm);
  while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) --n;
  return std::string(buf.data(), n);
}

void append_line(const std::string& path, std::string_view line) {
  if (std::FILE* f = std::fopen(path.c_str(), "a")) {
    std::fwrite(line.data(), 1, line.size(), f);
    std::fclose(f);
  }
}

}  // namespace

agent_log::agent_log(std::string_view agent_name, const environment& env, std::ostream& err)
    : err_(err) {
  const std::string instance = env_value(env, "OCF_RESOURCE_INSTANCE");
  tag_ = instance.empty() ? fmt::format("{}[{}]", agent_name, ::getpid())
                          : fmt::format("{}({})[{}]", agent_name, instance, ::getpid());
  reason_prefix_ = env_value(env, "OCF_EXIT_REASON_PREFIX");
  if (reason_prefix_.empty()) reason_prefix_ = "ocf-exit-reason:";
  if (const std::string f = env_value(env, "HA_LOGFACILITY"); !f.empty() && f != "none") {
    facility_ = facility_code(f);
  }
  logfile_ = env_value(env, "HA_LOGFILE");
  if (const auto it = env.find("HA_DATEFMT"); it != env.end()) date_format_ = it->second;
  debuglog_ = env_value(env, "HA_DEBUGLOG");
  const std::string dbg = env_value(env, "HA_debug");
  debug_ = !dbg.empty() && dbg != "0";
}

void agent_log::write(level lv, std::string_view msg, bool to_stderr) {
  if (lv == level::debug && !debug_) return;
  std::lock_guard lk(mu_);
  write_locked(lv, msg, to_stderr);
}

void agent_log::write_locked(level lv, std::string_view msg, bool to_stderr) {
  const std::string text = fmt::format("{}: {}", level_name(lv), msg);
  if (facility_) ::syslog(*facility_ | syslog_priority(lv), "%s: %s", tag_.c_str(), text.c_str());
  if (!logfile_.empty()) {
    append_line(logfile_, fmt::format("{} {}:    {}\n", ha_date(date_format_), tag_, text));
  }
  if (lv == level::debug && !debuglog_.empty() && debuglog_ != logfile_) {
    append_line(debuglog_, fmt::format("{}:\t{} {}\n", tag_, ha_date(date_format_), text));
  }
  if (to_stderr && !facility_ && logfile_.empty()) err_ << text << '\n' << std::flush;
}

void agent_log::exit_reason(std::string_view msg, level lv) {
  std::lock_guard lk(mu_);
  if (reason_given_) {
    write_locked(lv, msg, /*to_stderr=*/true);
    return;
  }
  reason_given_ = true;
  err_ << reason_prefix_ << msg << '\n' << std::flush;
  write_locked(lv, msg, /*to_stderr=*/false);  // stderr has it already
}

}  // namespace pendop::ocf::detail
