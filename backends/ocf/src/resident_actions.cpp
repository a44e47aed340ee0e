// SPDX-License-Identifier: MIT
// start, stop and monitor of a resident agent: each asks the instance's host
// over its channel, within the action's budget (agent_support.hpp).
#include "agent_log.hpp"
#include "agent_support.hpp"
#include "resident_host.hpp"

#include <pendop/ocf/exit_code.hpp>
#include <pendop/posix/host_channel.hpp>

#include <fmt/format.h>

#include <thread>

namespace pendop::ocf::detail {

namespace {

using steady = std::chrono::steady_clock;
using posix::channel_message;

int code(exit_code c) { return static_cast<int>(c); }

int fail(const action_context& a, exit_code c, const std::string& why) {
  a.log.exit_reason(why);
  return code(c);
}

std::string field(const channel_message& m, std::string_view key) {
  const auto it = m.find(key);
  return it != m.end() ? it->second : std::string();
}

resource_state state_of(const channel_message& m) {
  return parse_resource_state(field(m, "state")).value_or(resource_state::unknown);
}

duration left(steady::time_point until) {
  return std::max<duration>(std::chrono::duration_cast<duration>(until - steady::now()),
                            std::chrono::milliseconds(1));
}

// Why the host did not answer: gone (and how it ended), or hung.
std::string no_answer(const host_files& files, const error& e) {
  if (e.code == make_error_code(errc::unknown_resource)) {
    // Its supervisor records how it ended a moment after it did.
    for (int i = 0; i < 100 && !host_ending(files) && host_supervised(files); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (auto how = host_ending(files)) return "the resident host ended: " + *how;
    return "the resident host is gone (nothing listens on " + files.socket + ")";
  }
  return "the resident host did not answer: " + e.message;
}

// The final state of an Online or Offline the host ran, or why none came.
struct asked {
  std::optional<channel_message> reply;
  std::string trouble;
};

asked ask(const host_files& files, channel_message request, steady::time_point until) {
  auto r = posix::channel_request(files.socket, std::move(request), left(until));
  if (!r) return {std::nullopt, no_answer(files, r.error())};
  if (field(*r, "ok") != "true") {
    return {std::nullopt, "the resident host refused: " + field(*r, "error")};
  }
  return {std::move(*r), {}};
}

}  // namespace

int resident_start(const action_context& a, const persisted_state& persisted) {
  const action_budget budget = budget_for(action_timeout(a.def, true, a.env));
  const auto limit_at = a.started + std::chrono::duration_cast<steady::duration>(budget.limit);
  const auto answer_at = a.started + std::chrono::duration_cast<steady::duration>(budget.answer_by);
  const host_files files(a.state_path);
  // A host already running (a start after a failed one, or a repeated start).
  const auto briefly = std::min(answer_at, steady::now() + std::chrono::seconds(2));
  auto status = ask(files, {{"op", "status"}}, briefly);
  if (status.reply && state_of(*status.reply) == resource_state::online &&
      persisted.state == resource_state::online) {
    a.log.info("start: already Online");
    return code(exit_code::success);
  }
  if (!status.reply) {
    (void)kill_host(files, answer_at);  // a hung or half-dead host of an earlier start
    remove_host_files(files);
    if (auto spawned = spawn_host(files, a.env, answer_at); !spawned) {
      (void)kill_host(files, answer_at);
      (void)write_state(a.state_path, resource_state::failed, spawned.error().message);
      return fail(a, exit_code::err_generic, spawned.error().message);
    }
  }
  if (auto w = write_state(a.state_path, resource_state::online_pending, "start began"); !w) {
    return fail(a, exit_code::err_perm, w.error().message);
  }
  a.log.info(fmt::format("start: bringing the resource online in the resident host (timeout {} ms)",
                         ms(budget.timeout)));
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(left(limit_at));
  auto online = ask(files,
                    {{"op", "online"},
                     {"limit_ms", std::to_string(limit.count())},
                     {"wait_ms", std::to_string(ms(left(answer_at)))}},
                    answer_at);
  if (!online.reply) {
    (void)write_state(a.state_path, resource_state::failed, online.trouble);
    return fail(a, exit_code::err_generic, "start: " + online.trouble);
  }
  const resource_state fin = state_of(*online.reply);
  const std::string error = field(*online.reply, "error");
  if (fin == resource_state::online) {
    if (auto w = write_state(a.state_path, fin); !w) {
      return fail(a, exit_code::err_generic, w.error().message);
    }
    a.log.info(fmt::format("start: Online after {} ms (resident host {})",
                           ms(steady::now() - a.started), field(*online.reply, "pid")));
    return code(exit_code::success);
  }
  std::string why = error;
  if (is_pending(fin)) {
    // The body has not returned even after its stop: the host keeps it
    // until the cluster's stop ends the host's process group.
    why = fmt::format("did not finish within {} ms of its {} ms timeout, and has not returned "
                      "since it was stopped",
                      ms(budget.limit), ms(budget.timeout));
  } else if (field(*online.reply, "reason") == "pending_timeout") {
    const std::string stopped =
        steady::now() >= limit_at
            ? fmt::format("did not finish within {} ms of its {} ms timeout", ms(budget.limit),
                          ms(budget.timeout))
            : fmt::format("reported no progress for PendingTimeout ({} ms)",
                          a.properties.pending_timeout.count());
    a.log.warning(fmt::format("start {}; it was stopped", stopped));
    why = error.empty() ? stopped : fmt::format("{} ({})", stopped, error);
  }
  const resource_state recorded = is_pending(fin) ? resource_state::failed : fin;
  (void)write_state(a.state_path, recorded, why);
  return fail(a, start_code(recorded),
              fmt::format("start ended {}: {}", to_string(recorded),
                          why.empty() ? "no reason given" : why));
}

int resident_stop(const action_context& a) {
  const action_budget budget = budget_for(action_timeout(a.def, false, a.env));
  const auto limit_at = a.started + std::chrono::duration_cast<steady::duration>(budget.limit);
  const auto answer_at = a.started + std::chrono::duration_cast<steady::duration>(budget.answer_by);
  const host_files files(a.state_path);
  // The host waits until the limit, where the engine stops the Offline, and
  // its answer has until half-way to the answer deadline to arrive (a reply
  // due at the very instant the asking gives up is lost on a busy machine);
  // the other half is for ending the host's processes.
  const auto reply_by = limit_at + (answer_at - limit_at) / 2;
  auto offline = ask(files,
                     {{"op", "offline"},
                      {"limit_ms", std::to_string(ms(left(limit_at)))},
                      {"wait_ms", std::to_string(ms(left(limit_at)))}},
                     reply_by);
  if (offline.reply && state_of(*offline.reply) == resource_state::offline) {
    (void)ask(files, {{"op", "exit"}}, limit_at);
  } else if (offline.reply) {
    a.log.warning(fmt::format("stop ended {} ({}); forcing it down with terminate(), then "
                              "ending the resident host's processes",
                              field(*offline.reply, "state"), field(*offline.reply, "error")));
    (void)ask(files, {{"op", "terminate"}}, limit_at);
  } else if (!host_ending(files)) {
    a.log.warning("stop: " + offline.trouble + "; ending the resident host");
  }
  // Nothing of the resource outlives a successful stop: the host's whole
  // process group goes, a body that ignored terminate with it.
  if (!kill_host(files, answer_at)) {
    (void)write_state(a.state_path, resource_state::failed, "the resident host could not be ended");
    return fail(a, exit_code::err_generic,
                "stop: the resident host's processes are still there after SIGKILL");
  }
  remove_host_files(files);
  if (auto r = remove_state(a.state_path); !r) {
    return fail(a, exit_code::err_generic, r.error().message);
  }
  a.log.info(fmt::format("stop: Offline after {} ms", ms(steady::now() - a.started)));
  return code(exit_code::success);
}

int resident_monitor(const action_context& a, const persisted_state& persisted) {
  if (persisted.state == resource_state::offline) {
    a.log.exit_reason(
        "not running: no state file (never started, stopped, or the state was removed)",
                      agent_log::level::info);
    return code(exit_code::not_running);
  }
  const action_budget budget = budget_for(action_timeout(a.def, true, a.env));
  const auto answer_at = a.started + std::chrono::duration_cast<steady::duration>(budget.answer_by);
  const host_files files(a.state_path);
  const auto depth = parse_integer(env_value(a.env, "OCF_CHECK_LEVEL")).value_or(0);
  auto check = ask(files, {{"op", "check"}, {"depth", std::to_string(depth)}}, answer_at);
  if (!check.reply) return fail(a, exit_code::err_generic, check.trouble);
  const resource_state st = state_of(*check.reply);
  const std::string error = field(*check.reply, "error");
  if (st == resource_state::online && field(*check.reply, "alive") == "true") {
    return code(exit_code::success);
  }
  if (st == resource_state::online) return fail(a, exit_code::err_generic, error);
  // The action that ended it wrote the fuller reason into the state file.
  const std::string reason =
      persisted.state == resource_state::failed && !persisted.reason.empty() ? persisted.reason
                                                                             : error;
  if (is_pending(st)) {
    return fail(a, exit_code::err_generic,
                fmt::format("the resource is {} in the resident host", to_string(st)));
  }
  return fail(a, monitor_code(st, false),
              reason.empty() ? fmt::format("the resource is {}", to_string(st))
                             : "failed: " + reason);
}

}  // namespace pendop::ocf::detail
