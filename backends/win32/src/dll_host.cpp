// SPDX-License-Identifier: MIT
#include <pendop/win32/dll_host.hpp>

#include <pendop/detail/pending_watchdog.hpp>
#include <pendop/states.hpp>
#include <pendop/win32/win32_error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace pendop::win32 {

std::string host_event::to_json() const {
  nlohmann::ordered_json j;
  j["t_ms"] = t_ms;
  j["event"] = event;
  if (!resource.empty()) j["resource"] = resource;
  if (!state.empty()) {
    j["state"] = state;
    j["checkpoint"] = checkpoint;
  }
  j["rc"] = rc;
  if (!text.empty()) j["text"] = text;
  if (!properties.empty()) {
    auto& props = j["properties"] = nlohmann::ordered_json::object();
    for (const auto& p : properties) {
      if (p.values.empty()) continue;
      const property_value& v = p.values.front();
      switch (v.syntax) {
        case property_syntax::sz:
        case property_syntax::expand_sz:
        case property_syntax::expanded_sz: props[to_utf8(p.name)] = to_utf8(v.text); break;
        case property_syntax::multi_sz: {
          auto& list = props[to_utf8(p.name)] = nlohmann::ordered_json::array();
          for (const auto& t : v.texts) list.push_back(to_utf8(t));
          break;
        }
        case property_syntax::binary: {
          std::string hex;
          for (auto b : v.bytes) hex += fmt::format("{:02x}", b);
          props[to_utf8(p.name)] = hex;
          break;
        }
        default: props[to_utf8(p.name)] = v.number; break;
      }
    }
  }
  if (!names.empty()) j["names"] = names;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace detail {

// One opened resource; its address is the RESOURCE_HANDLE the DLL gets.
struct slot {
  host_state* host = nullptr;
  std::string name;
  RESID id = nullptr;
  HKEY key = nullptr;            // the ResourceKey the host made, closed after Close
  bool open = false;
  bool terminated = false;       // Terminate called: reports are answered Terminate
  DWORD reports = 0;
  DWORD answer_terminate_from = 0;
  bool final_seen = false;
  // PendingTimeout as the engine keeps it (armed by Online/Offline, moved
  // by each report), on the steady clock: this host plays the monitor.
  pending_watchdog watchdog;
};

// The watchdog's time: the steady clock, as pendop's time_point.
time_point steady_now() noexcept {
  return time_point(std::chrono::duration_cast<duration>(
      std::chrono::steady_clock::now().time_since_epoch()));
}

// The test cluster database of the clusapi.dll double, when that is the
// clusapi.dll this process loads (Wine's own is all stubs, and a real one
// has no such exports): ResourceKeys for the resources the host opens.
struct test_cluster {
  HMODULE module = nullptr;
  HKEY(WINAPI* key)(LPCWSTR path) = nullptr;
  LONG(WINAPI* close)(HKEY key) = nullptr;

  test_cluster() {
    module = LoadLibraryW(L"clusapi.dll");
    if (!module) return;
    key = reinterpret_cast<decltype(key)>(
        reinterpret_cast<void*>(GetProcAddress(module, "PendopTestClusterKey")));
    close = reinterpret_cast<decltype(close)>(
        reinterpret_cast<void*>(GetProcAddress(module, "ClusterRegCloseKey")));
    if (!key || !close) key = nullptr;
  }
  ~test_cluster() {
    if (module) FreeLibrary(module);
  }
  test_cluster(const test_cluster&) = delete;
  test_cluster& operator=(const test_cluster&) = delete;

  // "Resources\<name>" with its "Parameters" subkey, as a cluster creates a
  // resource's key before it opens the resource; null without the double.
  HKEY resource_key(const std::wstring& name) const {
    if (!key) return nullptr;
    const std::wstring path = L"Resources\\" + name;
    if (HKEY params = key((path + L"\\Parameters").c_str())) close(params);
    return key(path.c_str());
  }
};

struct host_state {
  HMODULE module = nullptr;
  std::unique_ptr<test_cluster> cluster;  // with options::cluster_keys
  CLRES_FUNCTION_TABLE* table = nullptr;
  dll_host::options opts;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<host_event> events;
  std::vector<std::unique_ptr<slot>> slots;

  void record(host_event e) {
    e.t_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                 .count();
    std::function<void(const host_event&)> sink;
    {
      std::lock_guard lk(mu);
      events.push_back(e);
      sink = opts.on_event;
    }
    cv.notify_all();
    if (sink) sink(e);
  }

  slot* find(RESID id) {
    std::lock_guard lk(mu);
    for (auto& s : slots) {
      if (s->id == id && s->open) return s.get();
    }
    return nullptr;
  }

  std::string name_of(RESID id) {
    std::lock_guard lk(mu);
    for (auto& s : slots) {
      if (s->id == id) return s->name;
    }
    return fmt::format("{}", id);
  }

  // Records the report and marks the resource settled in one step, so an
  // `await` that sees the final state also sees its report.
  DWORD on_status(slot* s, int state, DWORD checkpoint) {
    const auto st = from_cluster_state(state);
    host_event e;
    e.event = "status";
    e.resource = s->name;
    e.state = st ? std::string(to_string(*st)) : fmt::format("{}", state);
    e.checkpoint = checkpoint;
    std::function<void(const host_event&)> sink;
    {
      std::lock_guard lk(mu);
      ++s->reports;
      s->watchdog.on_report(steady_now());
      e.rc = (s->terminated ||
              (s->answer_terminate_from != 0 && s->reports >= s->answer_terminate_from))
                 ? ResourceExitStateTerminate
                 : ResourceExitStateContinue;
      e.t_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                   .count();
      events.push_back(e);
      if (st && !is_pending(*st)) {
        s->final_seen = true;
        s->watchdog.disarm();
      }
      sink = opts.on_event;
    }
    cv.notify_all();
    if (sink) sink(e);
    return e.rc;
  }
};

namespace {

DWORD WINAPI set_status(RESOURCE_HANDLE h, RESOURCE_STATUS* st) {
  if (!h || !st) return ResourceExitStateTerminate;
  auto* s = static_cast<slot*>(h);
  return s->host->on_status(s, st->ResourceState, st->CheckPoint);
}

DWORD WINAPI set_status_ex(RESOURCE_HANDLE h, RESOURCE_STATUS_EX* st) {
  if (!h || !st) return ResourceExitStateTerminate;
  auto* s = static_cast<slot*>(h);
  return s->host->on_status(s, st->ResourceState, st->CheckPoint);
}

// LogEvent with a NULL handle (a message from Startup) has no slot to name
// its host, and the callback carries no context of its own: the host calling
// Startup on this thread is named here for that call only (each host its
// own thread's, so hosts on several threads never see each other's).
thread_local host_state* starting_host = nullptr;


void __cdecl log_event(RESOURCE_HANDLE h, LOG_LEVEL level, LPCWSTR format, ...) {
  if (!format) return;
  auto* s = static_cast<slot*>(h);
  host_state* host = s ? s->host : starting_host;
  if (!host) return;
  va_list args;
  va_start(args, format);
  wchar_t buffer[1024];
  const DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_STRING, format, 0, 0, buffer,
                                 static_cast<DWORD>(std::size(buffer)), &args);
  va_end(args);
  std::wstring text(buffer, n);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r')) text.pop_back();
  host_event e;
  e.event = "log";
  e.resource = s ? s->name : std::string();
  e.rc = static_cast<DWORD>(level);
  e.text = narrow(text);
  host->record(std::move(e));
}

// What StartupEx gets; a DLL may keep the pointer for as long as it is
// loaded, by any number of hosts, so it is one immutable table.
const CLRES_CALLBACK_FUNCTION_TABLE callbacks{&log_event, &set_status_ex, {}};

host_event call_event(std::string what, std::string resource, DWORD rc) {
  host_event e;
  e.event = std::move(what);
  e.resource = std::move(resource);
  e.rc = rc;
  return e;
}

}  // namespace
}  // namespace detail

dll_host::dll_host(std::shared_ptr<detail::host_state> s) noexcept : state_(std::move(s)) {}

result<std::unique_ptr<dll_host>> dll_host::load(options o) {
  auto st = std::make_shared<detail::host_state>();
  st->opts = std::move(o);
  if (st->opts.cluster_keys) st->cluster = std::make_unique<detail::test_cluster>();
  st->module = LoadLibraryW(st->opts.dll.c_str());
  if (!st->module) {
    const DWORD rc = GetLastError();
    return error{from_win32_error(rc),
                 fmt::format("LoadLibrary(\"{}\") failed with {}", narrow(st->opts.dll), rc)};
  }
  std::unique_ptr<dll_host> host(new dll_host(st));
  DWORD rc = 0;
  detail::starting_host = st.get();
  struct reset_starting {
    ~reset_starting() { detail::starting_host = nullptr; }
  } reset_on_return;
  if (st->opts.startup_ex) {
    auto fn = reinterpret_cast<PSTARTUP_EX_ROUTINE>(
        reinterpret_cast<void*>(GetProcAddress(st->module, "StartupEx")));
    if (!fn) return error{from_win32_error(GetLastError()), "the DLL does not export StartupEx"};
    rc = fn(st->opts.type.c_str(), st->opts.min_version, st->opts.max_version,
            const_cast<CLRES_CALLBACK_FUNCTION_TABLE*>(&detail::callbacks), &st->table);
  } else {
    auto fn = reinterpret_cast<PSTARTUP_ROUTINE>(
        reinterpret_cast<void*>(GetProcAddress(st->module, "Startup")));
    if (!fn) return error{from_win32_error(GetLastError()), "the DLL does not export Startup"};
    rc = fn(st->opts.type.c_str(), st->opts.min_version, st->opts.max_version, &detail::set_status,
            &detail::log_event, &st->table);
  }
  auto e = detail::call_event(st->opts.startup_ex ? "startup_ex" : "startup", "", rc);
  e.text = st->table ? fmt::format("table version 0x{:x}, size {}", st->table->Version,
                                   st->table->TableSize)
                     : std::string();
  st->record(std::move(e));
  if (rc != PD_ERROR_SUCCESS || !st->table) {
    return error{from_win32_error(rc),
                 fmt::format("{}(\"{}\", 0x{:x}, 0x{:x}) returned {}",
                             st->opts.startup_ex ? "StartupEx" : "Startup", narrow(st->opts.type),
                             st->opts.min_version, st->opts.max_version, rc)};
  }
  return host;
}

dll_host::~dll_host() {
  std::vector<RESID> open_ids;
  {
    std::lock_guard lk(state_->mu);
    for (auto& s : state_->slots) {
      if (s->open) open_ids.push_back(s->id);
    }
  }
  for (RESID id : open_ids) close(id);
  if (state_->module) FreeLibrary(state_->module);
  state_->cluster.reset();
}

const CLRES_FUNCTION_TABLE& dll_host::table() const noexcept { return *state_->table; }

namespace {
bool v2(const CLRES_FUNCTION_TABLE& t) { return t.Version == CLRES_VERSION_V2_00; }
}  // namespace

RESID dll_host::open(const std::wstring& name, HKEY key) {
  auto s = std::make_unique<detail::slot>();
  s->host = state_.get();
  s->name = narrow(name);
  detail::slot* raw = s.get();
  {
    std::lock_guard lk(state_->mu);
    state_->slots.push_back(std::move(s));
  }
  if (!key && state_->cluster) {
    key = state_->cluster->resource_key(name);
    std::lock_guard lk(state_->mu);
    raw->key = key;
  }
  const auto& t = *state_->table;
  RESID id = v2(t) ? t.V2Functions.Open(name.c_str(), key, raw, 0)
                   : t.V1Functions.Open(name.c_str(), key, raw);
  const DWORD rc = id ? PD_ERROR_SUCCESS : GetLastError();
  HKEY unused = nullptr;
  {
    std::lock_guard lk(state_->mu);
    raw->id = id;
    raw->open = id != nullptr;
    if (!id) unused = std::exchange(raw->key, nullptr);
  }
  if (unused) state_->cluster->close(unused);
  state_->record(detail::call_event("open", raw->name, rc));
  return id;
}

namespace {

// A new pending operation: the window starts now, and reports count again.
void begin_pending(detail::host_state& st, RESID id) {
  if (auto* s = st.find(id)) {
    std::lock_guard lk(st.mu);
    s->terminated = false;
    s->final_seen = false;
    s->watchdog.arm(detail::steady_now());
  }
}

}  // namespace

DWORD dll_host::online(RESID id) {
  begin_pending(*state_, id);
  const auto& t = *state_->table;
  HANDLE event = nullptr;
  const DWORD rc = v2(t) ? t.V2Functions.Online(id, &event, 0, nullptr, 0, 0)
                         : t.V1Functions.Online(id, &event);
  state_->record(detail::call_event("online", state_->name_of(id), rc));
  return rc;
}

DWORD dll_host::offline(RESID id) {
  begin_pending(*state_, id);
  const auto& t = *state_->table;
  const DWORD rc = v2(t) ? t.V2Functions.Offline(id, nullptr, 0, nullptr, 0, 0)
                         : t.V1Functions.Offline(id);
  state_->record(detail::call_event("offline", state_->name_of(id), rc));
  return rc;
}

void dll_host::terminate(RESID id) {
  if (auto* s = state_->find(id)) {
    std::lock_guard lk(state_->mu);
    s->terminated = true;
  }
  state_->record(detail::call_event("terminate", state_->name_of(id), 0));
  state_->table->V1Functions.Terminate(id);  // same slot in V1 and V2
  state_->record(detail::call_event("terminate_returned", state_->name_of(id), 0));
}

void dll_host::close(RESID id) {
  state_->table->V1Functions.Close(id);
  std::vector<HKEY> keys;
  {
    std::lock_guard lk(state_->mu);
    for (auto& s : state_->slots) {
      if (s->id != id || !s->open) continue;
      s->open = false;
      if (s->key) keys.push_back(std::exchange(s->key, nullptr));
    }
  }
  for (HKEY k : keys) state_->cluster->close(k);
  state_->record(detail::call_event("close", state_->name_of(id), 0));
}

BOOL dll_host::looks_alive(RESID id) {
  const BOOL r = state_->table->V1Functions.LooksAlive(id);
  state_->record(detail::call_event("looks_alive", state_->name_of(id), static_cast<DWORD>(r)));
  return r;
}

BOOL dll_host::is_alive(RESID id) {
  const BOOL r = state_->table->V1Functions.IsAlive(id);
  state_->record(detail::call_event("is_alive", state_->name_of(id), static_cast<DWORD>(r)));
  return r;
}

DWORD dll_host::cancel(RESID id) {
  const auto& t = *state_->table;
  const DWORD rc = v2(t) ? t.V2Functions.Cancel(id, 0) : PD_ERROR_INVALID_FUNCTION;
  state_->record(detail::call_event("cancel", state_->name_of(id), rc));
  return rc;
}

namespace {

// The names of a MULTI_SZ (ENUM_PRIVATE_PROPERTIES).
std::vector<std::string> multi_sz_names(std::span<const std::uint8_t> b) {
  std::vector<std::string> out;
  std::u16string cur;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
    const auto c = static_cast<char16_t>(b[i] | (b[i + 1] << 8));
    if (c != u'\0') {
      cur.push_back(c);
    } else if (!cur.empty()) {
      out.push_back(to_utf8(cur));
      cur.clear();
    }
  }
  return out;
}

// The CLUSPROP_SYNTAX_NAME entries of a value list (required dependencies).
std::vector<std::string> value_list_names(std::span<const std::uint8_t> b) {
  std::vector<std::string> out;
  auto dword = [&](std::size_t at) {
    return static_cast<std::uint32_t>(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
                                      (static_cast<std::uint32_t>(b[at + 3]) << 24));
  };
  std::size_t at = 0;
  while (at + 8 <= b.size()) {
    const std::uint32_t syntax = dword(at);
    const std::uint32_t length = dword(at + 4);
    if (syntax == 0 || at + 8 + length > b.size()) break;
    if (syntax == static_cast<std::uint32_t>(property_syntax::name)) {
      auto names = multi_sz_names(b.subspan(at + 8, length));
      out.insert(out.end(), names.begin(), names.end());
    }
    at += 8 + ((length + 3) & ~std::uint32_t{3});
  }
  return out;
}

// What a control answer says, for its event.
void describe_answer(host_event& e, DWORD code, std::span<const std::uint8_t> out) {
  e.text = fmt::format("0x{:08x}", code);
  if (e.rc != PD_ERROR_SUCCESS) return;
  switch (code) {
    case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES:
    case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS:
    case CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS:
      if (auto list = decode_property_list(out)) {
        e.properties = std::move(*list);
      } else {
        e.text += ": " + list.error().message;
      }
      break;
    case CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES: e.names = multi_sz_names(out); break;
    case CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES:
    case CLUSCTL_RESOURCE_TYPE_GET_REQUIRED_DEPENDENCIES: e.names = value_list_names(out); break;
    case CLUSCTL_RESOURCE_GET_CHARACTERISTICS:
    case CLUSCTL_RESOURCE_TYPE_GET_CHARACTERISTICS:
      if (out.size() == 4) {
        e.text += fmt::format(": characteristics 0x{:x}",
                              out[0] | (out[1] << 8) | (out[2] << 16) | (out[3] << 24));
      }
      break;
    default: break;
  }
}

// Asks twice, as a cluster does: no buffer, then the size ERROR_MORE_DATA named.
template <class Call>
dll_host::control_answer ask(Call&& call) {
  dll_host::control_answer a;
  DWORD needed = 0;
  a.rc = call(nullptr, 0, &needed);
  if (a.rc == PD_ERROR_MORE_DATA) {
    a.out.resize(needed);
    DWORD returned = 0;
    a.rc = call(a.out.data(), needed, &returned);
    a.out.resize(a.rc == PD_ERROR_SUCCESS ? std::min<std::size_t>(returned, needed) : 0);
  } else {
    a.out.clear();
  }
  return a;
}

}  // namespace

dll_host::control_answer dll_host::control(RESID id, DWORD code, std::span<const std::uint8_t> in) {
  const auto& t = *state_->table;
  auto fn = v2(t) ? t.V2Functions.ResourceControl : t.V1Functions.ResourceControl;
  auto* in_ptr = in.empty() ? nullptr : const_cast<std::uint8_t*>(in.data());
  const auto a = ask([&](PVOID out, DWORD size, LPDWORD returned) {
    return fn ? fn(id, code, in_ptr, static_cast<DWORD>(in.size()), out, size, returned)
              : PD_ERROR_INVALID_FUNCTION;
  });
  auto e = detail::call_event("control", state_->name_of(id), a.rc);
  describe_answer(e, code, a.out);
  state_->record(std::move(e));
  return a;
}

dll_host::control_answer dll_host::type_control(DWORD code, std::span<const std::uint8_t> in) {
  const auto& t = *state_->table;
  auto fn = v2(t) ? t.V2Functions.ResourceTypeControl : t.V1Functions.ResourceTypeControl;
  auto* in_ptr = in.empty() ? nullptr : const_cast<std::uint8_t*>(in.data());
  const auto a = ask([&](PVOID out, DWORD size, LPDWORD returned) {
    return fn ? fn(state_->opts.type.c_str(), code, in_ptr, static_cast<DWORD>(in.size()), out,
                   size, returned)
              : PD_ERROR_INVALID_FUNCTION;
  });
  auto e = detail::call_event("type_control", "", a.rc);
  describe_answer(e, code, a.out);
  state_->record(std::move(e));
  return a;
}

void dll_host::answer_terminate_from(RESID id, DWORD n) {
  if (auto* s = state_->find(id)) {
    std::lock_guard lk(state_->mu);
    s->answer_terminate_from = n;
  }
}

dll_host::outcome dll_host::await(RESID id, milliseconds pending_timeout) {
  detail::slot* s = state_->find(id);
  if (!s) return outcome::settled;
  std::unique_lock lk(state_->mu);
  if (s->final_seen) return outcome::settled;
  // The window that began at Online/Offline (or the last report) is this long.
  const milliseconds was = s->watchdog.timeout();
  const auto armed = s->watchdog.deadline();
  s->watchdog.set_timeout(pending_timeout);
  if (armed) s->watchdog.arm(*armed - was);
  while (!s->final_seen) {
    const auto deadline = s->watchdog.deadline();
    if (!deadline) return outcome::settled;
    const auto wait = *deadline - detail::steady_now();
    if (wait > duration::zero()) {
      (void)state_->cv.wait_for(lk, wait);
      continue;
    }
    if (s->watchdog.poll(detail::steady_now()) != pending_watchdog::status::expired) continue;
    lk.unlock();
    host_event e = detail::call_event("pending_timeout", s->name, 0);
    e.text = fmt::format("no report for {} ms: calling Terminate", pending_timeout.count());
    state_->record(std::move(e));
    terminate(id);
    return outcome::pending_timeout;
  }
  return outcome::settled;
}

std::vector<host_event> dll_host::events() const {
  std::lock_guard lk(state_->mu);
  return state_->events;
}

std::vector<host_event> dll_host::reports(RESID id) const {
  const std::string name = state_->name_of(id);
  std::vector<host_event> out;
  for (const auto& e : events()) {
    if (e.event == "status" && e.resource == name) out.push_back(e);
  }
  return out;
}

}  // namespace pendop::win32
