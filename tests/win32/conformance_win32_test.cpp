// SPDX-License-Identifier: MIT
// The conformance rules against the Win32 resource DLL adapter, under Wine,
// through the function table StartupEx returns (the entry points a Resource
// Monitor calls) and the CLRES callbacks (SetResourceStatusEx, LogEvent).
// ClusWorkers come from the test-double resutils.dll beside the executable.
#include <pendop/win32/resource_dll.hpp>
#include <pendop/win32/win32_error.hpp>

#include "rules.hpp"

#include <windows.h>

#include <condition_variable>
#include <cstdarg>
#include <mutex>

namespace {

namespace w = pendop::win32;
using namespace pendop_conformance;

// The DLL gets a fresh resource per Open; the rules keep theirs to count calls.
class forwarding final : public pendop::resource {
 public:
  explicit forwarding(std::shared_ptr<scripted_resource> r) : r_(std::move(r)) {}
  pendop::result<void> online(pendop::operation& op) override { return r_->online(op); }
  pendop::result<void> offline(pendop::operation& op) override { return r_->offline(op); }
  void terminate() noexcept override { r_->terminate(); }

 private:
  std::shared_ptr<scripted_resource> r_;
};

// A Resource Monitor stand-in that records what the DLL tells it. The
// RESOURCE_HANDLE given to Open is the host itself.
class resource_dll_host {
 public:
  static constexpr host_traits traits{.reports_start = false,
                                      .reports_terminate = false,
                                      .answers_terminate = true,
                                      .cancel = true,
                                      .close = true};

  resource_dll_host(std::shared_ptr<scripted_resource> res, host_config c) {
    w::resource_type t;
    t.name = L"Conformance";
    t.make = [res](std::wstring_view, const pendop::parameter_values&) -> pendop::result<std::unique_ptr<pendop::resource>> {
      return std::unique_ptr<pendop::resource>(std::make_unique<forwarding>(res));
    };
    t.properties.pending_timeout = c.pending_timeout;
    t.terminate_wait = std::chrono::duration_cast<pendop::milliseconds>(c.stop_wait);
    dll_ = std::make_unique<w::resource_dll>(std::move(t));
    static w::CLRES_CALLBACK_FUNCTION_TABLE callbacks{&log_event, &set_status, {}};
    REQUIRE(dll_->startup_ex(L"conformance", w::CLRES_VERSION_V1_00, w::CLRES_VERSION_V2_00,
                             &callbacks, &table_) == w::PD_ERROR_SUCCESS);
    REQUIRE(table_->Version == w::CLRES_VERSION_V2_00);
    id_ = table_->V2Functions.Open(L"conformance", nullptr, this, 0);
    REQUIRE(id_ != nullptr);
  }

  ~resource_dll_host() {
    if (!closed_) table_->V2Functions.Close(id_);
  }

  resource_dll_host(const resource_dll_host&) = delete;
  resource_dll_host& operator=(const resource_dll_host&) = delete;

  start_answer online() {
    HANDLE event = nullptr;
    return answer(table_->V2Functions.Online(id_, &event, 0, nullptr, 0, 0));
  }
  start_answer offline() {
    return answer(table_->V2Functions.Offline(id_, nullptr, 0, nullptr, 0, 0));
  }
  void terminate() { table_->V2Functions.Terminate(id_); }
  start_answer cancel() { return answer(table_->V2Functions.Cancel(id_, 0)); }
  void close() {
    table_->V2Functions.Close(id_);
    closed_ = true;
  }

  std::vector<seen_report> reports() const {
    std::lock_guard lk(mu_);
    return reports_;
  }
  void await_reports(std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, std::chrono::seconds(30), [&] { return reports_.size() >= n; });
  }
  std::size_t zombies() const { return dll_->zombies(id_); }
  std::string last_error() const {
    std::lock_guard lk(mu_);
    return last_error_;
  }
  void answer_terminate_from(std::size_t n) {
    std::lock_guard lk(mu_);
    terminate_from_ = n;
  }

 private:
  static start_answer answer(DWORD rc) {
    if (rc == w::PD_ERROR_IO_PENDING) return {start_answer::kind::pending, {}};
    if (rc == w::PD_ERROR_SUCCESS) return {start_answer::kind::settled, {}};
    return {start_answer::kind::refused, "Win32 error " + std::to_string(rc)};
  }

  static DWORD WINAPI set_status(w::RESOURCE_HANDLE h, w::RESOURCE_STATUS_EX* st) {
    auto* self = static_cast<resource_dll_host*>(h);
    std::lock_guard lk(self->mu_);
    const auto state = pendop::from_cluster_state(st->ResourceState);
    self->reports_.push_back({state ? *state : resource_state::unknown, st->CheckPoint});
    self->cv_.notify_all();
    return self->terminate_from_ != 0 && self->reports_.size() >= self->terminate_from_
               ? w::ResourceExitStateTerminate
               : w::ResourceExitStateContinue;
  }

  // pendop logs "%1!ws!" with one string argument.
  static void __cdecl log_event(w::RESOURCE_HANDLE h, w::LOG_LEVEL level, LPCWSTR format, ...) {
    if (!h || level != w::LOG_ERROR) return;
    va_list args;
    va_start(args, format);
    const wchar_t* text = va_arg(args, const wchar_t*);
    va_end(args);
    auto* self = static_cast<resource_dll_host*>(h);
    std::lock_guard lk(self->mu_);
    self->last_error_ = w::narrow(text ? text : L"");
  }

  std::unique_ptr<w::resource_dll> dll_;
  w::CLRES_FUNCTION_TABLE* table_ = nullptr;
  w::RESID id_ = nullptr;
  bool closed_ = false;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<seen_report> reports_;
  std::string last_error_;
  std::size_t terminate_from_ = 0;  // 0: always Continue
};

}  // namespace

TYPE_TO_STRING(resource_dll_host);

TEST_SUITE("conformance") {
PENDOP_CONFORMANCE_SUITE(resource_dll_host);
PENDOP_CONFORMANCE_RESOURCE_DLL(resource_dll_host);
PENDOP_CONFORMANCE_CLOSE(resource_dll_host);
}
