// SPDX-License-Identifier: MIT
#include <pendop/win32/resource_dll.hpp>

#include <pendop/host/invoke_operation.hpp>
#include <pendop/host/operation_engine.hpp>
#include <pendop/win32/quorum_resource.hpp>
#include <pendop/win32/win32_error.hpp>

#include "clusworker_platform.hpp"
#include "control_codes.hpp"
#include "dll_state.hpp"
#include "function_table.hpp"
#include "parameter_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace pendop::win32 {

namespace {

bool same_type(LPCWSTR a, const std::wstring& b) {
  return a && CompareStringOrdinal(a, -1, b.c_str(), -1, TRUE) == CSTR_EQUAL;
}

LOG_LEVEL to_log_level(log_level l) noexcept {
  switch (l) {
    case log_level::error: return LOG_ERROR;
    case log_level::warning: return LOG_WARNING;
    default: return LOG_INFORMATION;
  }
}

// SetResourceStatus(Ex) for one resource: its answer is the engine's.
exit_state send(const detail::dll_state& dll, RESOURCE_HANDLE handle, const status_report& r) {
  PSET_RESOURCE_STATUS_ROUTINE plain = nullptr;
  PSET_RESOURCE_STATUS_ROUTINE_EX ex = nullptr;
  {
    std::lock_guard lk(dll.mu);
    plain = dll.set_status;
    ex = dll.set_status_ex;
  }
  const auto wait_hint = static_cast<DWORD>(r.progress.wait_hint.count());
  // A failure's own code (a Win32 error the resource returned, or pendop's
  // mapped) for the cluster log and Get-ClusterResource.
  const DWORD app_error = r.final && r.error ? to_win32_error(r.error) : 0;
  DWORD answer = ResourceExitStateContinue;
  if (ex) {
    RESOURCE_STATUS_EX st{to_cluster_state(r.state), r.checkpoint, nullptr, app_error, 0,
                          wait_hint};
    answer = ex(handle, &st);
  } else if (plain) {
    RESOURCE_STATUS st{to_cluster_state(r.state), r.checkpoint, wait_hint, nullptr};
    answer = plain(handle, &st);
  }
  return answer == ResourceExitStateTerminate ? exit_state::terminate : exit_state::proceed;
}

// The engine of one resource: ClusWorker threads, reports to
// SetResourceStatus, lines to LogEvent. A zombie may outlive the adapter,
// so the engine reaches the DLL's state only while it exists.
result<operation_engine> make_engine(const std::shared_ptr<detail::dll_state>& dll,
                                     LPCWSTR name, RESOURCE_HANDLE handle,
                                     std::unique_ptr<resource> res,
                                     std::shared_ptr<detail::failure_channel> failure) {
  auto platform = detail::clusworker_platform::create(dll->api);
  if (!platform) return platform.error();
  engine_options o;
  o.name = narrow(name);
  o.pending_timeout = dll->type.properties.pending_timeout;
  o.stop_wait = dll->type.terminate_wait;
  o.report_start = false;  // Online/Offline return ERROR_IO_PENDING or the error
  o.on_failure = [failure](std::uint64_t, std::string why) { failure->report(std::move(why)); };
  const std::weak_ptr<detail::dll_state> weak = dll;
  return operation_engine::create(
      std::shared_ptr<resource>(std::move(res)), std::move(*platform),
      [weak, handle](const status_report& r) {
        const auto s = weak.lock();
        return s ? send(*s, handle, r) : exit_state::terminate;
      },
      std::move(o),
      [weak, handle](log_level level, std::string_view text) {
        if (const auto s = weak.lock()) s->log(handle, to_log_level(level), text);
      });
}

}  // namespace

resource_dll::resource_dll(resource_type type, clusworker_api api, cluster_registry_api registry)
    : state_(std::make_shared<detail::dll_state>(std::move(type), api, registry)) {}

resource_dll::~resource_dll() { detail::clear_current(this); }

resource_dll& resource_dll::module(resource_type (*define)()) {
  static resource_dll dll(define());
  return dll;
}

namespace {

// Startup refuses a type whose parameter declarations contradict themselves.
DWORD check_declarations(const detail::dll_state& s, PLOG_EVENT_ROUTINE log_event) noexcept {
  if (s.defaults) return PD_ERROR_SUCCESS;
  if (log_event) {
    try {
      log_event(nullptr, LOG_ERROR, L"%1!ws!\n",
                widen("the resource type's parameters: " + s.declaration_error).c_str());
    } catch (...) {
      // The answer below says enough.
    }
  }
  return PD_ERROR_INVALID_DATA;
}

DWORD pick_table(DWORD min_version, DWORD max_version, bool quorum,
                 CLRES_FUNCTION_TABLE** table) {
  if (min_version <= CLRES_VERSION_V2_00 && CLRES_VERSION_V2_00 <= max_version) {
    *table = detail::v2_table(quorum);
    return PD_ERROR_SUCCESS;
  }
  if (min_version <= CLRES_VERSION_V1_00 && CLRES_VERSION_V1_00 <= max_version) {
    *table = detail::v1_table(quorum);
    return PD_ERROR_SUCCESS;
  }
  return PD_ERROR_REVISION_MISMATCH;
}

}  // namespace

DWORD resource_dll::startup(LPCWSTR type, DWORD min_version, DWORD max_version,
                            PSET_RESOURCE_STATUS_ROUTINE set_status, PLOG_EVENT_ROUTINE log_event,
                            CLRES_FUNCTION_TABLE** table) noexcept {
  if (!table) return PD_ERROR_INVALID_PARAMETER;
  *table = nullptr;
  if (!same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  if (const DWORD bad = check_declarations(*state_, log_event)) return bad;
  const DWORD rc = pick_table(min_version, max_version, state_->type.quorum_capable, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = set_status;
    state_->set_status_ex = nullptr;
    state_->log_event = log_event;
  }
  detail::set_current(this);
  return PD_ERROR_SUCCESS;
}

DWORD resource_dll::startup_ex(LPCWSTR type, DWORD min_version, DWORD max_version,
                               CLRES_CALLBACK_FUNCTION_TABLE* callbacks,
                               CLRES_FUNCTION_TABLE** table) noexcept {
  if (!table || !callbacks) return PD_ERROR_INVALID_PARAMETER;
  *table = nullptr;
  if (!same_type(type, state_->type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
  if (const DWORD bad = check_declarations(*state_, callbacks->LogEvent)) return bad;
  const DWORD rc = pick_table(min_version, max_version, state_->type.quorum_capable, table);
  if (rc != PD_ERROR_SUCCESS) return rc;
  {
    std::lock_guard lk(state_->mu);
    state_->set_status = nullptr;
    state_->set_status_ex = callbacks->SetResourceStatusEx;
    state_->log_event = callbacks->LogEvent;
  }
  detail::set_current(this);
  return PD_ERROR_SUCCESS;
}

RESID resource_dll::open(LPCWSTR name, HKEY key, RESOURCE_HANDLE handle) noexcept {
  SetLastError(PD_ERROR_SUCCESS);
  RESID id = detail::guarded(*state_, handle, "Open", RESID{nullptr}, [&]() -> RESID {
    if (!name || !state_->defaults) {
      SetLastError(PD_ERROR_INVALID_PARAMETER);
      return nullptr;
    }
    auto fail = [&](const error& e) -> RESID {
      state_->log(handle, LOG_ERROR,
                  fmt::format("Open of \"{}\" failed: {}", narrow(name), e.message));
      SetLastError(to_win32_error(e.code));
      return nullptr;
    };
    auto store = detail::parameter_store::open(state_->registry, key, *state_->defaults);
    if (!store) return fail(store.error());
    // A stored value that its declaration refuses leaves the resource
    // configurable (SET_PRIVATE_PROPERTIES can repair it); Online refuses it.
    auto values = store->read();
    if (!values) {
      state_->log(handle, LOG_WARNING,
                  fmt::format("Open of \"{}\": private properties: {}; the defaults apply until "
                              "they are repaired",
                              narrow(name), values.error().message));
      values = *state_->defaults;
    }
    auto made = state_->type.make(name, *values);
    if (made && !*made) made = make_error(errc::invalid_argument, "the factory returned no resource");
    if (made && state_->type.quorum_capable && !dynamic_cast<quorum_resource*>(made->get())) {
      made = make_error(errc::invalid_argument,
                        "the type is quorum-capable but the factory made a resource that is not "
                        "a pendop::win32::quorum_resource");
    }
    if (!made) return fail(made.error());
    auto failure = std::make_shared<detail::failure_channel>();
    auto engine = make_engine(state_, name, handle, std::move(*made), failure);
    if (!engine) return fail(engine.error());
    auto inst = std::make_shared<detail::instance>(name, handle, std::move(*engine),
                                                   std::move(*store), std::move(*values),
                                                   std::move(failure));
    const RESID made_id = inst.get();
    std::lock_guard lk(state_->mu);
    state_->instances.emplace(made_id, std::move(inst));
    return made_id;
  });
  if (!id && GetLastError() == PD_ERROR_SUCCESS) SetLastError(PD_ERROR_GEN_FAILURE);  // it threw
  return id;
}

void resource_dll::close(RESID id) noexcept {
  detail::guarded_void(*state_, nullptr, "Close", [&] {
    auto inst = state_->find(id);
    if (!inst) return;
    // ResApi: Close must leave the resource offline, calling Terminate if
    // needed; the Resource Monitor decides the state itself.
    inst->engine.close(final_report::withhold);
    std::lock_guard lk(state_->mu);
    state_->instances.erase(id);
  });
}

namespace {

bool busy(const detail::instance& inst) {
  return inst.engine.pending() || inst.engine.state() == resource_state::online;
}

// Before an Online starts: the stored values, taken up by the resource when
// they changed since it last took values. Called with config_mu held. An
// error (a stored value its declaration refuses, a required property never
// set, the resource refusing the values) fails the Online, logged.
DWORD take_stored_values(const detail::dll_state& s, detail::instance& inst) {
  if (busy(inst)) return PD_ERROR_SUCCESS;  // the engine answers this Online itself
  auto fail = [&](DWORD code, std::string_view why) {
    s.log(inst.handle, LOG_ERROR, fmt::format("Online refused: {}", why));
    return code;
  };
  auto stored = inst.store.read();
  if (!stored) return fail(detail::property_error(stored.error()), stored.error().message);
  if (const auto missing = stored->missing(); !missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    return fail(PD_ERROR_INVALID_PARAMETER,
                fmt::format("required private properties are not set: {}", names));
  }
  if (*stored == inst.applied) return PD_ERROR_SUCCESS;
  if (auto taken = inst.engine.subject().apply(*stored); !taken) {
    return fail(to_win32_error(taken.error().code),
                fmt::format("the resource refused its private properties: {}",
                            taken.error().message));
  }
  inst.applied = std::move(*stored);
  return PD_ERROR_SUCCESS;
}

DWORD start_checked(const detail::dll_state& s, RESID id, operation_kind kind,
                    operation_details details, LPHANDLE event_handle) noexcept {
  return detail::guarded(s, nullptr, kind == operation_kind::online ? "Online" : "Offline",
                         DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
                           auto inst = s.find(id);
                           if (!inst) return PD_ERROR_INVALID_PARAMETER;
                           // No apply from ResourceControl while a body starts.
                           std::lock_guard lk(inst->config_mu);
                           if (kind == operation_kind::online) {
                             const DWORD taken = take_stored_values(s, *inst);
                             if (taken != PD_ERROR_SUCCESS) return taken;
                             if (!busy(*inst)) inst->failure->arm();
                             // The event a failure_signal sets (asynchronous
                             // failure detection); the monitor then calls IsAlive.
                             if (event_handle) *event_handle = inst->failure->event.get();
                           }
                           auto started = inst->engine.start(kind, {}, std::move(details));
                           if (!started) return to_win32_error(started.error().code);
                           return is_pending(*started) ? DWORD{PD_ERROR_IO_PENDING}
                                                       : DWORD{PD_ERROR_SUCCESS};
                         });
}

}  // namespace

DWORD resource_dll::online(RESID id, LPHANDLE event_handle, DWORD flags) noexcept {
  if (event_handle) *event_handle = nullptr;
  operation_details d;
  d.flags = flags;
  return start_checked(*state_, id, operation_kind::online, std::move(d), event_handle);
}

DWORD resource_dll::offline(RESID id, LPCWSTR destination_node, DWORD flags) noexcept {
  return detail::guarded(*state_, nullptr, "Offline", DWORD{PD_ERROR_GEN_FAILURE}, [&] {
    operation_details d;
    d.flags = flags;
    if (destination_node) d.destination_node = narrow(destination_node);
    return start_checked(*state_, id, operation_kind::offline, std::move(d), nullptr);
  });
}

void resource_dll::terminate(RESID id) noexcept {
  detail::guarded_void(*state_, nullptr, "Terminate", [&] {
    if (auto inst = state_->find(id)) {
      inst->engine.terminate(stop_reason::terminate_called, final_report::withhold);
    }
  });
}

namespace {

// LooksAlive and IsAlive: the resource's answer; a throw counts as "not
// alive" (invoke_* catch it) and is logged with the resource's handle.
BOOL health(const detail::dll_state& s, RESID id, std::string_view entry,
            bool (*check)(resource&, std::string*) noexcept) noexcept {
  return detail::guarded(s, nullptr, entry, BOOL{FALSE}, [&]() -> BOOL {
    auto inst = s.find(id);
    if (!inst) return FALSE;
    // A failure the resource signalled stands until its next Online.
    if (const std::string reported = inst->failure->reported(); !reported.empty()) {
      s.log(inst->handle, LOG_ERROR, fmt::format("{}: the resource reported a failure: {}", entry,
                                                 reported));
      return FALSE;
    }
    std::string why;
    std::lock_guard lk(inst->config_mu);  // never concurrent with resource::apply
    if (check(inst->engine.subject(), &why)) return TRUE;
    if (!why.empty()) s.log(inst->handle, LOG_ERROR, why);
    return FALSE;
  });
}

}  // namespace

BOOL resource_dll::looks_alive(RESID id) noexcept {
  return health(*state_, id, "LooksAlive", &invoke_looks_alive);
}

BOOL resource_dll::is_alive(RESID id) noexcept {
  return health(*state_, id, "IsAlive", &invoke_is_alive);
}

namespace {

DWORD characteristics(const detail::dll_state& s) noexcept {
  return s.type.quorum_capable ? CLUS_CHAR_QUORUM : CLUS_CHAR_UNKNOWN;
}

std::span<const std::uint8_t> input_of(PVOID in, DWORD in_size) noexcept {
  return in ? std::span(static_cast<const std::uint8_t*>(in), in_size)
            : std::span<const std::uint8_t>();
}

// The stored values and what `input` (a property list) would make of them.
struct proposal {
  parameter_values before;
  parameter_values after;
  std::vector<std::string> named;  // the properties the list names
};

// A stored value its declaration refuses reads as its default here, so that
// a SET naming it repairs it.
result<proposal> propose(detail::instance& inst, std::span<const std::uint8_t> input) {
  auto list = decode_property_list(input);
  if (!list) return list.error();
  auto before = inst.store.read(detail::parameter_store::bad_value::use_default);
  if (!before) return before.error();
  auto after = before->with_property_list(*list);
  if (!after) return after.error();
  std::vector<std::string> named;
  for (const auto& e : *list) named.push_back(to_utf8(e.name));
  return proposal{std::move(*before), std::move(*after), std::move(named)};
}

DWORD refuse(const detail::dll_state& s, const detail::instance& inst, std::string_view control,
             const error& e) {
  s.log(inst.handle, LOG_WARNING, fmt::format("{} refused: {}", control, e.message));
  return detail::property_error(e);
}

// SET_PRIVATE_PROPERTIES: all or nothing, stored in the cluster key. Offline
// resources take the values at their next Online (ERROR_SUCCESS); an Online
// one takes changes at once unless one of them waits for the next Online, or
// an operation is pending (ERROR_RESOURCE_PROPERTIES_STORED).
DWORD set_private_properties(const detail::dll_state& s, detail::instance& inst,
                             std::span<const std::uint8_t> input) {
  constexpr std::string_view control = "SET_PRIVATE_PROPERTIES";
  std::lock_guard lk(inst.config_mu);
  auto p = propose(inst, input);
  if (!p) return refuse(s, inst, control, p.error());
  // Every named property is written (a repaired value may equal its default);
  // only the changed ones count for what the resource has to take up.
  std::vector<const parameter*> named;
  for (const auto& n : p->named) {
    const parameter* d = p->after.find(n);
    if (std::find(named.begin(), named.end(), d) == named.end()) named.push_back(d);
  }
  if (auto stored = inst.store.write(p->after, named); !stored) {
    s.log(inst.handle, LOG_ERROR, fmt::format("{} failed: {}", control, stored.error().message));
    return to_win32_error(stored.error().code);
  }
  const auto changed = p->after.changed_from(p->before);
  if (changed.empty()) return PD_ERROR_SUCCESS;
  std::string names;
  for (const parameter* c : changed) names += (names.empty() ? "" : ", ") + c->name;
  if (!busy(inst)) {
    s.log(inst.handle, LOG_INFORMATION,
          fmt::format("private properties stored, taken up at the next Online: {}", names));
    return PD_ERROR_SUCCESS;
  }
  const bool waits = inst.engine.pending() ||
                     std::any_of(changed.begin(), changed.end(),
                                 [](const parameter* c) { return c->applies_at_online; });
  if (waits) {
    s.log(inst.handle, LOG_INFORMATION,
          fmt::format("private properties stored, taken up at the next Online: {}", names));
    return PD_ERROR_RESOURCE_PROPERTIES_STORED;
  }
  if (auto taken = inst.engine.subject().apply(p->after); !taken) {
    s.log(inst.handle, LOG_ERROR,
          fmt::format("private properties stored ({}), but the resource refused them: {}", names,
                      taken.error().message));
    return to_win32_error(taken.error().code);
  }
  inst.applied = std::move(p->after);
  s.log(inst.handle, LOG_INFORMATION, fmt::format("private properties applied: {}", names));
  return PD_ERROR_SUCCESS;
}

}  // namespace

DWORD resource_dll::resource_control(RESID id, DWORD code, PVOID in, DWORD in_size, PVOID out,
                                     DWORD out_size, LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return detail::guarded(*state_, nullptr, "ResourceControl", DWORD{PD_ERROR_GEN_FAILURE},
                         [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    const detail::dll_state& s = *state_;
    const auto input = input_of(in, in_size);
    switch (code) {
      case CLUSCTL_RESOURCE_GET_CHARACTERISTICS:
        return detail::answer(detail::dword_bytes(characteristics(s)), out, out_size, returned);
      case CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES:
        return detail::answer(detail::dependency_list(s.type.required_dependencies), out,
                              out_size, returned);
      case CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES:
        return detail::answer(detail::property_names(s.type.parameters), out, out_size, returned);
      case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS:
        return detail::answer(detail::property_formats(s.type.parameters), out, out_size,
                              returned);
      case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES: {
        auto values = inst->store.read();
        if (!values) return refuse(s, *inst, "GET_PRIVATE_PROPERTIES", values.error());
        return detail::answer(encode_property_list(values->to_property_list()), out, out_size,
                              returned);
      }
      case CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES: {
        auto p = propose(*inst, input);
        return p ? DWORD{PD_ERROR_SUCCESS}
                 : refuse(s, *inst, "VALIDATE_PRIVATE_PROPERTIES", p.error());
      }
      case CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES:
        return set_private_properties(s, *inst, input);
      default:
        return PD_ERROR_INVALID_FUNCTION;  // the monitor's default processing
    }
  });
}

DWORD resource_dll::resource_type_control(LPCWSTR type, DWORD code, PVOID, DWORD, PVOID out,
                                          DWORD out_size, LPDWORD returned) noexcept {
  if (returned) *returned = 0;
  return detail::guarded(*state_, nullptr, "ResourceTypeControl", DWORD{PD_ERROR_GEN_FAILURE},
                         [&]() -> DWORD {
    const detail::dll_state& s = *state_;
    if (!same_type(type, s.type.name)) return PD_ERROR_CLUSTER_RESNAME_NOT_FOUND;
    switch (code) {
      case CLUSCTL_RESOURCE_TYPE_GET_CHARACTERISTICS:
        return detail::answer(detail::dword_bytes(characteristics(s)), out, out_size, returned);
      case CLUSCTL_RESOURCE_TYPE_GET_REQUIRED_DEPENDENCIES:
        return detail::answer(detail::dependency_list(s.type.required_dependencies), out,
                              out_size, returned);
      case CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS:
        return detail::answer(detail::property_formats(s.type.parameters), out, out_size,
                              returned);
      default:
        return PD_ERROR_INVALID_FUNCTION;  // the monitor's default processing
    }
  });
}

DWORD resource_dll::cancel(RESID id, DWORD) noexcept {
  return detail::guarded(*state_, nullptr, "Cancel", DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    // Cancel ends the operation and reports its final state: nobody else will.
    if (!inst->engine.stop_pending(stop_reason::terminate_called, final_report::send)) {
      return PD_ERROR_INVALID_STATE;
    }
    return PD_ERROR_SUCCESS;
  });
}

DWORD resource_dll::arbitrate(RESID id, PQUORUM_RESOURCE_LOST lost) noexcept {
  return detail::guarded(*state_, nullptr, "Arbitrate", DWORD{PD_ERROR_GEN_FAILURE},
                         [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    auto* q = dynamic_cast<quorum_resource*>(&inst->engine.subject());
    if (!q) return PD_ERROR_INVALID_FUNCTION;  // not a quorum-capable type
    const RESOURCE_HANDLE handle = inst->handle;
    auto won = q->arbitrate([lost, handle] {
      if (lost) lost(handle);  // QuorumResourceLost
    });
    if (!won) {
      state_->log(handle, LOG_ERROR, fmt::format("Arbitrate failed: {}", won.error().message));
      return to_win32_error(won.error().code);
    }
    return PD_ERROR_SUCCESS;
  });
}

DWORD resource_dll::release(RESID id) noexcept {
  return detail::guarded(*state_, nullptr, "Release", DWORD{PD_ERROR_GEN_FAILURE}, [&]() -> DWORD {
    auto inst = state_->find(id);
    if (!inst) return PD_ERROR_INVALID_PARAMETER;
    auto* q = dynamic_cast<quorum_resource*>(&inst->engine.subject());
    if (!q) return PD_ERROR_INVALID_FUNCTION;
    auto released = q->release();
    if (!released) {
      state_->log(inst->handle, LOG_ERROR,
                  fmt::format("Release failed: {}", released.error().message));
      return to_win32_error(released.error().code);
    }
    return PD_ERROR_SUCCESS;
  });
}

std::size_t resource_dll::instances() const noexcept {
  std::lock_guard lk(state_->mu);
  return state_->instances.size();
}

std::size_t resource_dll::zombies(RESID id) const noexcept {
  auto inst = state_->find(id);
  return inst ? inst->engine.zombies() : 0;
}

}  // namespace pendop::win32
