// SPDX-License-Identifier: MIT
#include "check_rules.hpp"

#include <pendop/host/property_list.hpp>
#include <pendop/win32/dll_host.hpp>
#include <pendop/win32/win32_error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <windows.h>
#include <tlhelp32.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>
#include <thread>

namespace pendop::win32 {

std::string finding::to_json() const {
  nlohmann::ordered_json j;  // in the order people read them
  j["rule"] = rule;
  j["mode"] = mode;
  j["result"] = result;
  j["message"] = message;
  return j.dump();
}

bool finding::from_json(const std::string& line, finding& out) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  for (const char* key : {"rule", "mode", "result", "message"}) {
    if (!j.contains(key) || !j[key].is_string()) return false;
  }
  out = {j["rule"], j["mode"], j["result"], j["message"]};
  return true;
}

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// Threads of this process (the DLL's workers among them).
int thread_count() {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snap == INVALID_HANDLE_VALUE) return -1;
  THREADENTRY32 te{};
  te.dwSize = sizeof te;
  int n = 0;
  const DWORD me = GetCurrentProcessId();
  for (BOOL more = Thread32First(snap, &te); more; more = Thread32Next(snap, &te)) {
    if (te.th32OwnerProcessID == me) ++n;
  }
  CloseHandle(snap);
  return n;
}

// Waits up to `limit` for the thread count to fall to `baseline`; returns
// the count at the end.
int threads_after(int baseline, milliseconds limit) {
  const auto until = clock_type::now() + limit;
  int n = thread_count();
  while (n > baseline && clock_type::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    n = thread_count();
  }
  return n;
}

bool is_final(const std::string& state) {
  return state == "Online" || state == "Offline" || state == "Failed";
}

// Collects a scenario's findings.
class verdicts {
 public:
  verdicts(const check_options& o, const finding_sink& sink)
      : o_(o), sink_(sink), mode_(o.v1 ? "V1" : "V2") {}

  void pass(std::string rule, std::string message) { add(std::move(rule), "pass", std::move(message)); }
  void fail(std::string rule, std::string message) { add(std::move(rule), "fail", std::move(message)); }
  void skip(std::string rule, std::string message) { add(std::move(rule), "skip", std::move(message)); }
  void skip_all(const std::vector<std::string>& rules, const std::string& why) {
    for (const auto& r : rules) skip(r, why);
  }

  // ResApi's 300 ms for an entry point, or `base_ms`, times --budget-scale.
  [[nodiscard]] double budget(double base_ms = 300) const { return base_ms * o_.budget_scale; }

  // An entry point's time against its budget.
  void timed(const std::string& rule, std::string_view entry, double took_ms,
             double base_ms = 300) {
    const double limit = budget(base_ms);
    if (took_ms <= limit) {
      pass(rule, fmt::format("{} returned in {:.1f} ms (budget {:.0f} ms)", entry, took_ms, limit));
      return;
    }
    const bool health = entry == "LooksAlive" || entry == "IsAlive";
    fail(rule, fmt::format("{} took {:.1f} ms, over its {:.0f} ms budget: {}", entry, took_ms,
                           limit,
                           health ? "answer from a cached result, checked on a thread of your own"
                                  : "return at once and do longer work on a ClusWorker thread "
                                    "(ERROR_IO_PENDING where the entry point allows it)"));
  }

  [[nodiscard]] const check_options& options() const { return o_; }

 private:
  void add(std::string rule, const char* result, std::string message) {
    sink_(finding{std::move(rule), mode_, result, std::move(message)});
  }

  const check_options& o_;
  const finding_sink& sink_;
  std::string mode_;
};

result<std::unique_ptr<dll_host>> load(const check_options& o, std::wstring type,
                                       DWORD max_version = 0, DWORD min_version = 0) {
  dll_host::options ho;
  ho.dll = o.dll;
  ho.type = std::move(type);
  ho.startup_ex = !o.v1;
  ho.min_version = min_version ? min_version : CLRES_VERSION_V1_00;
  ho.max_version = max_version ? max_version : (o.v1 ? CLRES_VERSION_V1_00 : CLRES_VERSION_V2_00);
  return dll_host::load(std::move(ho));
}

// The checks on one pending operation's reports: rising checkpoints,
// exactly one final state, last; returns what is wrong ("" if nothing).
std::string report_problems(const std::vector<host_event>& rs) {
  std::size_t finals = 0;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    if (i > 0 && rs[i].checkpoint <= rs[i - 1].checkpoint) {
      return fmt::format("report {} has CheckPoint {} after {}: each report's CheckPoint must be "
                         "higher than the one before", i + 1, rs[i].checkpoint, rs[i - 1].checkpoint);
    }
    if (is_final(rs[i].state)) {
      ++finals;
      if (i + 1 != rs.size()) {
        return fmt::format("{} more report(s) after the final state {}: report nothing once the "
                           "operation has ended", rs.size() - i - 1, rs[i].state);
      }
    }
  }
  if (finals != 1) return fmt::format("{} final states reported, expected exactly one", finals);
  return {};
}

// Online or Offline of `id`: its budget, ERROR_IO_PENDING or success, and
// (if pending) its reports up to exactly one final state, within the
// PendingTimeout. Returns the final state ("" if none).
std::string run_operation(verdicts& v, dll_host& h, RESID id, bool online) {
  const char* entry = online ? "Online" : "Offline";
  const std::string rule = online ? "pending.online" : "pending.offline";
  const std::size_t before = h.reports(id).size();
  const auto t0 = clock_type::now();
  const DWORD rc = online ? h.online(id) : h.offline(id);
  v.timed(online ? "budget.online" : "budget.offline", entry, ms_since(t0));
  const std::string want = online ? "Online" : "Offline";
  if (rc == PD_ERROR_SUCCESS) {
    v.pass(rule, fmt::format("{} completed at once (ERROR_SUCCESS)", entry));
    return want;
  }
  if (rc != PD_ERROR_IO_PENDING) {
    v.fail(rule, fmt::format("{} returned {} ({}): expected ERROR_IO_PENDING (997) or "
                             "ERROR_SUCCESS", entry, rc, from_win32_error(rc).message()));
    return {};
  }
  const auto t1 = clock_type::now();
  const auto how = h.await(id, v.options().pending_timeout);
  const double took = ms_since(t1);
  auto all = h.reports(id);
  std::vector<host_event> rs(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  if (how == dll_host::outcome::pending_timeout) {
    v.fail(rule, fmt::format("{} pending: no report for {} ms (the PendingTimeout), after {} "
                             "report(s); Terminate was called. Report progress with "
                             "SetResourceStatus more often than the PendingTimeout",
                             entry, v.options().pending_timeout.count(), rs.size()));
    return {};
  }
  if (const auto problem = report_problems(rs); !problem.empty()) {
    v.fail(rule, fmt::format("{} pending: {}", entry, problem));
    return rs.empty() ? std::string() : rs.back().state;
  }
  const std::string final_state = rs.back().state;
  if (final_state != want) {
    v.fail(rule, fmt::format("{} pending ended {} after {:.0f} ms and {} report(s)", entry,
                             final_state, took, rs.size()));
  } else {
    v.pass(rule, fmt::format("ERROR_IO_PENDING, then {} report(s) with rising CheckPoints and one "
                             "final state, {}, after {:.0f} ms", rs.size(), final_state, took));
  }
  return final_state;
}

// Waits up to `limit` for `id` to have more than `n` reports.
void await_reports(dll_host& h, RESID id, std::size_t n, milliseconds limit) {
  const auto until = clock_type::now() + limit;
  while (h.reports(id).size() <= n && clock_type::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

RESID open_timed(verdicts& v, dll_host& h, const std::wstring& name, bool record) {
  const auto t0 = clock_type::now();
  RESID id = h.open(name);
  if (record) v.timed("budget.open", "Open", ms_since(t0));
  return id;
}

// Opens `name`; a NULL RESID fails `rule`, which then has nothing to check.
RESID open_for(verdicts& v, dll_host& h, const wchar_t* name, const std::string& rule) {
  RESID id = h.open(name);
  if (!id) v.fail(rule, "Open returned NULL: nothing to check");
  return id;
}

// Brings `id` Online (waiting out a pending Online); false, with `rule`
// skipped for `why`, and the resource closed, when it does not get there.
bool bring_online(verdicts& v, dll_host& h, RESID id, const std::string& rule,
                  const char* why) {
  const DWORD rc = h.online(id);
  if (rc == PD_ERROR_IO_PENDING) (void)h.await(id, v.options().pending_timeout);
  const auto rs = h.reports(id);
  if (rc == PD_ERROR_SUCCESS || (!rs.empty() && rs.back().state == "Online")) return true;
  v.skip(rule, why);
  h.close(id);
  return false;
}

// --- scenarios ----------------------------------------------------------------

void startup(verdicts& v) {
  const auto& o = v.options();
  auto h = load(o, o.type);
  if (!h) {
    v.fail("load", fmt::format("the DLL did not load or start: {}", h.error().message));
    return;
  }
  const auto& t = (*h)->table();
  const DWORD want_version = o.v1 ? CLRES_VERSION_V1_00 : CLRES_VERSION_V2_00;
  const DWORD want_size = o.v1 ? sizeof(CLRES_V1_FUNCTIONS) : sizeof(CLRES_V2_FUNCTIONS);
  if (t.Version != want_version || t.TableSize != want_size) {
    v.fail("startup.table", fmt::format("{} returned table version {:#x}, size {}; expected "
                                        "{:#x}, size {} (CLRES_V{}_FUNCTION_SIZE)",
                                        o.v1 ? "Startup" : "StartupEx", t.Version, t.TableSize,
                                        want_version, want_size, o.v1 ? 1 : 2));
  } else {
    v.pass("startup.table", fmt::format("table version {:#x}, size {}", t.Version, t.TableSize));
  }
  h->reset();
  // A range the DLL cannot serve (versions 3 and up do not exist).
  auto future = load(o, o.type, 0x300, 0x300);
  if (future) {
    v.fail("startup.version", "Startup accepted version range 0x300..0x300: refuse a range "
                              "without a version you implement with ERROR_REVISION_MISMATCH (1306)");
  } else if (future.error().code.value() != static_cast<int>(PD_ERROR_REVISION_MISMATCH)) {
    v.fail("startup.version", fmt::format("version range 0x300..0x300 was refused with {}, "
                                          "expected ERROR_REVISION_MISMATCH (1306)",
                                          future.error().code.value()));
  } else {
    v.pass("startup.version", "version range 0x300..0x300 refused with ERROR_REVISION_MISMATCH");
  }
  if (future) future->reset();
  auto stranger = load(o, L"pendop_check: no such type");
  if (stranger) {
    v.fail("startup.type", "Startup accepted the type \"pendop_check: no such type\": refuse "
                           "types the DLL does not implement");
  } else {
    v.pass("startup.type", fmt::format("an unknown type is refused ({})",
                                       stranger.error().code.value()));
  }
}

void lifecycle(verdicts& v, dll_host& h) {
  RESID id = open_timed(v, h, L"pendop_check_lifecycle", true);
  if (!id) {
    v.fail("pending.online", "Open returned NULL: nothing to check");
    return;
  }
  const std::string state = run_operation(v, h, id, /*online=*/true);
  if (state == "Online") {
    auto t0 = clock_type::now();
    const BOOL looks = h.looks_alive(id);
    v.timed("budget.looks_alive", "LooksAlive", ms_since(t0));
    t0 = clock_type::now();
    const BOOL is = h.is_alive(id);
    v.timed("budget.is_alive", "IsAlive", ms_since(t0), 300);
    if (looks && is) {
      v.pass("health.after_online", "LooksAlive and IsAlive answer TRUE right after Online");
    } else {
      v.fail("health.after_online",
             fmt::format("right after a successful Online, LooksAlive answered {} and IsAlive {}: "
                         "a resource that has just come Online must answer TRUE (FALSE makes the "
                         "monitor fail it and call Terminate)",
                         looks ? "TRUE" : "FALSE", is ? "TRUE" : "FALSE"));
    }
    (void)run_operation(v, h, id, /*online=*/false);
  } else {
    v.skip_all({"budget.looks_alive", "budget.is_alive", "health.after_online", "budget.offline",
                "pending.offline"},
               "Online did not succeed");
  }
  const auto t0 = clock_type::now();
  h.close(id);
  v.timed("budget.close", "Close", ms_since(t0));
}

// Terminate while an Online (or, with `offline`, an Offline) is pending.
void terminate_pending(verdicts& v, dll_host& h, bool offline) {
  const std::string rule = offline ? "terminate.offline_pending" : "terminate.online_pending";
  RESID id = open_for(v, h, offline ? L"pendop_check_terminate_offline"
                                     : L"pendop_check_terminate_online", rule);
  if (!id) return;
  if (offline &&
      !bring_online(v, h, id, rule, "Online did not succeed, so there is no Offline to terminate")) {
    return;
  }
  const int baseline = thread_count();
  const std::size_t before = h.reports(id).size();
  const DWORD rc = offline ? h.offline(id) : h.online(id);
  if (rc != PD_ERROR_IO_PENDING) {
    v.skip(rule, fmt::format("{} returned {} rather than ERROR_IO_PENDING: nothing pending to "
                             "terminate", offline ? "Offline" : "Online", rc));
    h.close(id);
    return;
  }
  await_reports(h, id, before, std::chrono::milliseconds(static_cast<long>(v.budget(200))));
  const auto t0 = clock_type::now();
  h.terminate(id);
  const double took = ms_since(t0);
  if (!offline) v.timed("budget.terminate", "Terminate", took);
  const std::size_t at_return = h.reports(id).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(v.budget(500))));
  const auto rs = h.reports(id);
  const std::size_t after = rs.size() - at_return;
  bool online_after = false;
  for (std::size_t i = at_return; i < rs.size(); ++i) online_after |= rs[i].state == "Online";
  const int threads = threads_after(baseline, std::chrono::milliseconds(
                                                  static_cast<long>(v.budget(1000))));
  if (online_after) {
    v.fail(rule, "the resource reported Online after Terminate had returned: a terminated "
                 "operation must never end Online");
  } else if (after > 1) {
    v.fail(rule, fmt::format("{} reports after Terminate had returned (each answered "
                             "ResourceExitStateTerminate): the worker must stop at the first such "
                             "answer, or when ClusWorkerCheckTerminate says so",
                             after));
  } else if (threads > baseline) {
    v.fail(rule, fmt::format("{} more thread(s) still running {:.0f} ms after Terminate returned "
                             "({:.1f} ms): the worker ignores ClusWorkerCheckTerminate",
                             threads - baseline, v.budget(1000), took));
  } else {
    v.pass(rule, fmt::format("Terminate returned in {:.1f} ms; {} report(s) after it (answered "
                             "ResourceExitStateTerminate); the worker's thread is gone",
                             took, after));
  }
  h.close(id);
}

void close_online(verdicts& v, dll_host& h) {
  RESID id = open_for(v, h, L"pendop_check_close", "close.online");
  if (!id || !bring_online(v, h, id, "close.online", "Online did not succeed")) return;
  const int baseline = thread_count();
  const auto t0 = clock_type::now();
  h.close(id);
  const double took = ms_since(t0);
  const int threads = threads_after(baseline, std::chrono::milliseconds(
                                                  static_cast<long>(v.budget(1000))));
  if (took > v.budget()) {
    v.fail("close.online", fmt::format("Close of an Online resource took {:.1f} ms, over its "
                                       "{:.0f} ms budget", took, v.budget()));
  } else if (threads > baseline) {
    v.fail("close.online", fmt::format("{} more thread(s) running after Close of an Online "
                                       "resource", threads - baseline));
  } else {
    v.pass("close.online", fmt::format("Close of an Online resource returned in {:.1f} ms", took));
  }
}

void cancel(verdicts& v, dll_host& h) {
  if (v.options().v1) {
    v.skip("cancel", "V1 tables have no Cancel");
    return;
  }
  RESID id = open_for(v, h, L"pendop_check_cancel", "cancel");
  if (!id) return;
  const std::size_t before = h.reports(id).size();
  if (h.online(id) != PD_ERROR_IO_PENDING) {
    v.skip("cancel", "Online did not return ERROR_IO_PENDING: nothing to cancel");
    h.close(id);
    return;
  }
  if (!h.table().V2Functions.Cancel) {
    v.skip("cancel", "the V2 table's Cancel is NULL");
    h.terminate(id);
    h.close(id);
    return;
  }
  const auto t0 = clock_type::now();
  const DWORD rc = h.cancel(id);
  const double took = ms_since(t0);
  const auto until = clock_type::now() + std::chrono::milliseconds(
                                             static_cast<long>(v.budget(1000)));
  std::string final_state;
  while (final_state.empty() && clock_type::now() < until) {
    const auto rs = h.reports(id);
    for (std::size_t i = before; i < rs.size(); ++i) {
      if (is_final(rs[i].state)) final_state = rs[i].state;
    }
    if (final_state.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (took > v.budget()) {
    v.fail("cancel", fmt::format("Cancel took {:.1f} ms, over its {:.0f} ms budget", took,
                                 v.budget()));
  } else if (rc != PD_ERROR_SUCCESS) {
    v.fail("cancel", fmt::format("Cancel of a pending Online returned {} ({})", rc,
                                 from_win32_error(rc).message()));
  } else if (final_state.empty()) {
    v.fail("cancel", fmt::format("no final state within {:.0f} ms of Cancel: report the "
                                 "cancelled operation's end, so the monitor need not wait out "
                                 "the PendingTimeout", v.budget(1000)));
  } else {
    v.pass("cancel", fmt::format("Cancel returned in {:.1f} ms and the operation ended {}", took,
                                 final_state));
  }
  h.terminate(id);
  h.close(id);
}

std::set<std::u16string> names_of(const std::vector<property_entry>& list) {
  std::set<std::u16string> out;
  for (const auto& e : list) out.insert(e.name);
  return out;
}

std::set<std::u16string> names_of_multi_sz(const std::vector<std::uint8_t>& bytes) {
  std::set<std::u16string> out;
  std::u16string cur;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    const char16_t c = static_cast<char16_t>(bytes[i] | (bytes[i + 1] << 8));
    if (c == 0) {
      if (cur.empty()) break;
      out.insert(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

std::string joined(const std::set<std::u16string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + to_utf8(n);
  return out.empty() ? "none" : out;
}

void properties(verdicts& v, dll_host& h) {
  const std::vector<std::string> rules = {"properties.round_trip", "properties.formats",
                                          "properties.more_data", "properties.malformed"};
  RESID id = open_for(v, h, L"pendop_check_properties", "properties.round_trip");
  if (!id) return;
  const auto enumerated = h.control(id, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES);
  const auto got = h.control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  if (enumerated.rc == PD_ERROR_INVALID_FUNCTION && got.rc == PD_ERROR_INVALID_FUNCTION) {
    v.skip_all(rules, "the DLL has no private properties (ENUM and GET answer "
                      "ERROR_INVALID_FUNCTION)");
    h.close(id);
    return;
  }
  // A short buffer: ERROR_MORE_DATA and the size needed, which then fits.
  const auto& t = h.table();
  auto control = v.options().v1 ? t.V1Functions.ResourceControl : t.V2Functions.ResourceControl;
  std::vector<std::uint8_t> buffer(4);
  DWORD returned = 0;
  const DWORD short_rc = control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, nullptr, 0,
                                 buffer.data(), 4, &returned);
  if (short_rc == PD_ERROR_SUCCESS) {
    v.skip("properties.more_data", "the property list fits in 4 bytes");
  } else if (short_rc != PD_ERROR_MORE_DATA) {
    v.fail("properties.more_data", fmt::format("GET_PRIVATE_PROPERTIES into a 4-byte buffer "
                                               "answered {}, expected ERROR_MORE_DATA (234)",
                                               short_rc));
  } else if (returned <= 4) {
    v.fail("properties.more_data", fmt::format("ERROR_MORE_DATA for a 4-byte buffer, but "
                                               "BytesReturned says {}: set it to the size the "
                                               "answer needs, or the monitor cannot ask again",
                                               returned));
  } else {
    const DWORD needed = returned;
    buffer.assign(needed, 0);
    const DWORD full_rc = control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, nullptr, 0,
                                  buffer.data(), needed, &returned);
    if (full_rc != PD_ERROR_SUCCESS || returned != needed) {
      v.fail("properties.more_data", fmt::format("ERROR_MORE_DATA named {} bytes, but a buffer of "
                                                 "that size answered {} with {} bytes", needed,
                                                 full_rc, returned));
    } else {
      v.pass("properties.more_data", fmt::format("a 4-byte buffer gets ERROR_MORE_DATA and the {} "
                                                 "bytes needed, which then suffice", needed));
    }
  }
  auto list = decode_property_list(got.out);
  if (got.rc == PD_ERROR_MORE_DATA) {
    v.skip_all({"properties.round_trip", "properties.formats", "properties.malformed"},
               "GET_PRIVATE_PROPERTIES cannot be read: ERROR_MORE_DATA names no size "
               "(properties.more_data)");
    h.close(id);
    return;
  }
  if (got.rc != PD_ERROR_SUCCESS || !list) {
    v.fail("properties.round_trip",
           fmt::format("GET_PRIVATE_PROPERTIES answered {} with {} bytes that are {}", got.rc,
                       got.out.size(), list ? "a property list" : list.error().message));
    v.skip_all({"properties.formats", "properties.malformed"},
               "GET_PRIVATE_PROPERTIES gave no property list");
    h.close(id);
    return;
  }
  // Round trip: ENUM names GET's properties; VALIDATE and SET take GET's
  // values back; GET then answers the same.
  const auto enum_names = names_of_multi_sz(enumerated.out);
  const auto get_names = names_of(*list);
  const auto validated = h.control(id, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, got.out);
  const auto set = h.control(id, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, got.out);
  const auto again = h.control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  if (enumerated.rc != PD_ERROR_SUCCESS || enum_names != get_names) {
    v.fail("properties.round_trip", fmt::format("ENUM_PRIVATE_PROPERTIES ({}) names {}, GET "
                                                "answers {}: the two must name the same properties",
                                                enumerated.rc, joined(enum_names), joined(get_names)));
  } else if (validated.rc != PD_ERROR_SUCCESS) {
    v.fail("properties.round_trip", fmt::format("VALIDATE_PRIVATE_PROPERTIES of the values GET "
                                                "answered was refused with {}", validated.rc));
  } else if (set.rc != PD_ERROR_SUCCESS && set.rc != PD_ERROR_RESOURCE_PROPERTIES_STORED) {
    v.fail("properties.round_trip", fmt::format("SET_PRIVATE_PROPERTIES of the values GET answered "
                                                "was refused with {}", set.rc));
  } else if (again.out != got.out) {
    v.fail("properties.round_trip", "GET after SET of GET's own values answers differently");
  } else {
    v.pass("properties.round_trip",
           fmt::format("{} properties ({}): ENUM and GET agree, VALIDATE and SET take GET's "
                       "values, GET answers the same after", get_names.size(), joined(get_names)));
  }
  // Formats: one per property, in the syntax GET answers with.
  const auto fmts = h.control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS);
  auto formats = decode_property_list(fmts.out);
  if (fmts.rc != PD_ERROR_SUCCESS || !formats) {
    v.fail("properties.formats", fmt::format("GET_PRIVATE_PROPERTY_FMTS answered {} ({})", fmts.rc,
                                             formats ? "a property list" : formats.error().message));
  } else {
    std::string problem;
    for (const auto& e : *list) {
      const auto it = std::find_if(formats->begin(), formats->end(),
                                   [&](const property_entry& f) { return f.name == e.name; });
      if (it == formats->end() || it->values.empty()) {
        problem = fmt::format("{} has no format", to_utf8(e.name));
        break;
      }
      const auto format = static_cast<std::uint64_t>(e.values.front().syntax) & 0xFFFF;
      if (it->values.front().number != format) {
        problem = fmt::format("{}: format {} in FMTS, but GET answers it with format {}",
                              to_utf8(e.name), it->values.front().number, format);
        break;
      }
    }
    if (problem.empty() && names_of(*formats) != get_names) {
      problem = fmt::format("FMTS names {}, GET {}", joined(names_of(*formats)), joined(get_names));
    }
    if (problem.empty()) {
      v.pass("properties.formats", "GET_PRIVATE_PROPERTY_FMTS gives each property GET's format");
    } else {
      v.fail("properties.formats", "GET_PRIVATE_PROPERTY_FMTS disagrees with GET: " + problem);
    }
  }
  // A malformed list: a count of five, then half a name.
  const std::vector<std::uint8_t> bad = {5, 0, 0, 0, 3, 0, 4, 0, 200, 0, 0, 0, 'X'};
  const auto refused = h.control(id, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bad);
  const auto after = h.control(id, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES);
  if (refused.rc == PD_ERROR_SUCCESS || refused.rc == PD_ERROR_RESOURCE_PROPERTIES_STORED) {
    v.fail("properties.malformed", fmt::format("SET_PRIVATE_PROPERTIES of a malformed list "
                                               "answered {}: refuse it (ERROR_INVALID_DATA)",
                                               refused.rc));
  } else if (after.out != again.out) {
    v.fail("properties.malformed", "a refused malformed SET changed what GET answers");
  } else {
    v.pass("properties.malformed", fmt::format("a malformed list is refused ({}) and changes "
                                               "nothing", refused.rc));
  }
  h.close(id);
}

void characteristics(verdicts& v, dll_host& h) {
  RESID id = open_for(v, h, L"pendop_check_characteristics", "characteristics.quorum");
  if (!id) return;
  const auto a = h.control(id, CLUSCTL_RESOURCE_GET_CHARACTERISTICS);
  DWORD chars = 0;
  if (a.rc == PD_ERROR_SUCCESS && a.out.size() >= sizeof(DWORD)) {
    std::memcpy(&chars, a.out.data(), sizeof chars);
  }
  const auto& t = h.table();
  const bool arbitrate = v.options().v1 ? t.V1Functions.Arbitrate : t.V2Functions.Arbitrate;
  const bool release = v.options().v1 ? t.V1Functions.Release : t.V2Functions.Release;
  const bool quorum = (chars & CLUS_CHAR_QUORUM) != 0;
  if (!quorum && (arbitrate || release)) {
    v.fail("characteristics.quorum",
           fmt::format("the table has {}{}{} but GET_CHARACTERISTICS ({:#x}) lacks "
                       "CLUS_CHAR_QUORUM: leave Arbitrate and Release NULL unless the resource "
                       "can be the quorum", arbitrate ? "Arbitrate" : "",
                       arbitrate && release ? " and " : "", release ? "Release" : "", chars));
  } else if (quorum && !(arbitrate && release)) {
    v.fail("characteristics.quorum", fmt::format("CLUS_CHAR_QUORUM is set ({:#x}) but Arbitrate "
                                                 "or Release is NULL", chars));
  } else {
    v.pass("characteristics.quorum",
           fmt::format("characteristics {:#x}; Arbitrate and Release {}", chars,
                       quorum ? "set, as CLUS_CHAR_QUORUM needs" : "NULL"));
  }
  h.close(id);
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {
      "startup", "lifecycle", "terminate_online", "terminate_offline", "close_online",
      "cancel", "properties", "characteristics"};
  return names;
}

std::vector<std::string> scenario_rules(const std::string& scenario) {
  if (scenario == "startup") return {"startup.table", "startup.version", "startup.type"};
  if (scenario == "lifecycle") {
    return {"budget.open", "budget.online", "pending.online", "budget.looks_alive",
            "budget.is_alive", "health.after_online", "budget.offline", "pending.offline",
            "budget.close"};
  }
  if (scenario == "terminate_online") return {"budget.terminate", "terminate.online_pending"};
  if (scenario == "terminate_offline") return {"terminate.offline_pending"};
  if (scenario == "close_online") return {"close.online"};
  if (scenario == "cancel") return {"cancel"};
  if (scenario == "properties") {
    return {"properties.round_trip", "properties.formats", "properties.more_data",
            "properties.malformed"};
  }
  if (scenario == "characteristics") return {"characteristics.quorum"};
  return {};
}

void run_scenario(const std::string& scenario, const check_options& o, const finding_sink& sink) {
  verdicts v(o, sink);
  if (scenario == "startup") {
    startup(v);
    return;
  }
  auto h = load(o, o.type);
  if (!h) {
    v.fail("load", fmt::format("the DLL did not load or start: {}", h.error().message));
    return;
  }
  dll_host& host = **h;
  if (scenario == "lifecycle") lifecycle(v, host);
  if (scenario == "terminate_online") terminate_pending(v, host, /*offline=*/false);
  if (scenario == "terminate_offline") terminate_pending(v, host, /*offline=*/true);
  if (scenario == "close_online") close_online(v, host);
  if (scenario == "cancel") cancel(v, host);
  if (scenario == "properties") properties(v, host);
  if (scenario == "characteristics") characteristics(v, host);
}

}  // namespace pendop::win32
