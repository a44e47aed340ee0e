// SPDX-License-Identifier: MIT
// The ResApi protocol end to end: pendop_example_resource.dll loaded by the
// test host (which plays rhs.exe), with the test-double resutils.dll; and
// the adapter itself with counting ClusWorker functions.
#include <pendop/host/property_list.hpp>
#include <pendop/win32/dll_host.hpp>
#include <pendop/win32/quorum_resource.hpp>
#include <pendop/win32/resource_dll.hpp>

#include <doctest/doctest.h>

#include "log_event_recorder.hpp"
#include "scripted_resource.hpp"

#include <atomic>
#include <vector>
#include <mutex>
#include <cstdarg>
#include <cstdint>
#include <string_view>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using pendop::win32::dll_host;
using pendop::win32::RESID;
namespace w = pendop::win32;

namespace {

const wchar_t* const k_dll = L"pendop_example_resource.dll";
const wchar_t* const k_type = L"pendop Example";

std::unique_ptr<dll_host> load(bool startup_ex = true) {
  dll_host::options o;
  o.dll = k_dll;
  o.type = k_type;
  o.startup_ex = startup_ex;
  auto h = dll_host::load(std::move(o));
  REQUIRE_MESSAGE(h, (h ? std::string() : h.error().message));
  return std::move(*h);
}

std::vector<std::string> states(const std::vector<w::host_event>& reports) {
  std::vector<std::string> out;
  for (const auto& r : reports) out.push_back(r.state);
  return out;
}

bool has_event(const dll_host& h, const std::string& event, const std::string& text_part = {}) {
  for (const auto& e : h.events()) {
    if (e.event == event && e.text.find(text_part) != std::string::npos) return true;
  }
  return false;
}

// A DWORD property list from "key=value;key=value".
std::vector<std::uint8_t> dword_list(std::string_view settings) {
  std::vector<pendop::property_entry> list;
  while (!settings.empty()) {
    const auto semi = settings.find(';');
    const std::string_view item = settings.substr(0, semi);
    settings = semi == std::string_view::npos ? std::string_view{} : settings.substr(semi + 1);
    const auto eq = item.find('=');
    REQUIRE(eq != std::string_view::npos);
    pendop::property_value v;
    v.number = std::stoull(std::string(item.substr(eq + 1)));
    list.push_back({pendop::to_utf16(item.substr(0, eq)), {v}});
  }
  return pendop::encode_property_list(list);
}

// Opens a resource of the example DLL (no cluster key) and sets its private
// properties from "key=value;...", as Set-ClusterParameter would; they are
// taken up at its first Online.
RESID open_set(dll_host& h, std::string_view settings) {
  static int opened = 0;  // the host tells resources apart by name
  RESID id = h.open(L"Example" + std::to_wstring(++opened));
  REQUIRE(id != nullptr);
  if (!settings.empty()) {
    REQUIRE(h.control(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, dword_list(settings)).rc ==
            w::PD_ERROR_SUCCESS);
  }
  return id;
}

}  // namespace

TEST_SUITE("win32/resource_dll") {

TEST_CASE("StartupEx returns the V2 table when version 2 is accepted, else V1") {
  auto v2 = load(true);
  CHECK(v2->table().Version == w::CLRES_VERSION_V2_00);
  CHECK(v2->table().TableSize == sizeof(w::CLRES_V2_FUNCTIONS));
  dll_host::options o;
  o.dll = k_dll;
  o.type = k_type;
  o.max_version = w::CLRES_VERSION_V1_00;
  auto v1 = dll_host::load(o);
  REQUIRE(v1);
  CHECK((*v1)->table().Version == w::CLRES_VERSION_V1_00);
  CHECK((*v1)->table().TableSize == sizeof(w::CLRES_V1_FUNCTIONS));
}

TEST_CASE("Startup with an unsupported version range is ERROR_REVISION_MISMATCH") {
  dll_host::options o;
  o.dll = k_dll;
  o.type = k_type;
  o.min_version = 0x300;
  o.max_version = 0x400;
  auto h = dll_host::load(o);
  REQUIRE_FALSE(h);
  CHECK(h.error().code.value() == 1306);
}

TEST_CASE("Startup of an unknown type is ERROR_CLUSTER_RESNAME_NOT_FOUND") {
  dll_host::options o;
  o.dll = k_dll;
  o.type = L"Some Other Type";
  o.startup_ex = false;
  auto h = dll_host::load(o);
  REQUIRE_FALSE(h);
  CHECK(h.error().code.value() == 5080);
}

TEST_CASE("Online returns ERROR_IO_PENDING well within 300 ms, then reports CheckPoints") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=400;report_ms=100");
  REQUIRE(id);
  const auto start = std::chrono::steady_clock::now();
  CHECK(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(std::chrono::steady_clock::now() - start < 300ms);
  CHECK(h->await(id, 10s) == dll_host::outcome::settled);
  const auto reports = h->reports(id);
  REQUIRE(reports.size() == 5);
  for (std::size_t i = 0; i < reports.size(); ++i) CHECK(reports[i].checkpoint == i + 1);
  CHECK(states(reports) == std::vector<std::string>{"OnlinePending", "OnlinePending",
                                                    "OnlinePending", "OnlinePending", "Online"});
}

TEST_CASE("two hosts at once, each on its own thread, see only their own resources") {
  // Loaded one after the other (a monitor calls Startup once per type);
  // then both drive their resource at the same time, each on its own thread
  // (no doctest assertion runs on the other one).
  std::unique_ptr<dll_host> hosts[2] = {load(), load()};
  REQUIRE(hosts[0]);
  REQUIRE(hosts[1]);
  RESID a = hosts[0]->open(L"First");
  RESID b = hosts[1]->open(L"Second");
  REQUIRE(a);
  REQUIRE(b);
  DWORD other_rc = 0;
  dll_host::outcome other_end = dll_host::outcome::pending_timeout;
  std::thread other([&] {
    other_rc = hosts[1]->online(b);
    other_end = hosts[1]->await(b, 10s);
  });
  CHECK(hosts[0]->online(a) == w::PD_ERROR_IO_PENDING);
  CHECK(hosts[0]->await(a, 10s) == dll_host::outcome::settled);
  other.join();
  CHECK(other_rc == w::PD_ERROR_IO_PENDING);
  CHECK(other_end == dll_host::outcome::settled);
  const std::string names[2] = {"First", "Second"};
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    for (const auto& e : hosts[i]->events()) {
      if (!e.resource.empty()) CHECK(e.resource == names[i]);
    }
    const auto reports = hosts[i]->reports(i == 0 ? a : b);
    REQUIRE_FALSE(reports.empty());
    CHECK(reports.back().state == "Online");
  }
  hosts[0].reset();  // the DLL stays loaded for the other host, which goes on
  CHECK(hosts[1]->offline(b) == w::PD_ERROR_IO_PENDING);
  CHECK(hosts[1]->await(b, 10s) == dll_host::outcome::settled);
  CHECK(hosts[1]->reports(b).back().state == "Offline");
}

TEST_CASE("Startup (V1 callbacks) reports through SetResourceStatus") {
  auto h = load(false);
  RESID id = open_set(*h, "online_ms=100;report_ms=50");
  REQUIRE(id);
  CHECK(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(h->reports(id).back().state == "Online");
}

TEST_CASE("Offline reports OfflinePending CheckPoints, then Offline once") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=50;offline_ms=200;report_ms=100");
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  REQUIRE(h->offline(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  const auto all = states(h->reports(id));
  CHECK(std::vector<std::string>(all.end() - 3, all.end()) ==
        std::vector<std::string>{"OfflinePending", "OfflinePending", "Offline"});
}

TEST_CASE("Terminate during a pending Online stops the worker: nothing is reported after it") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=60000;report_ms=100");
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  while (h->reports(id).empty()) std::this_thread::sleep_for(10ms);
  const auto start = std::chrono::steady_clock::now();
  h->terminate(id);
  CHECK(std::chrono::steady_clock::now() - start < 2s);  // the body woke at once
  // Terminate returned after the worker exited (ClusWorkerTerminateEx), so
  // nothing can be reported after it: no waiting on the wall clock needed.
  CHECK_FALSE(has_event(*h, "log", "abandoned"));
  for (const auto& r : h->reports(id)) CHECK(r.state == "OnlinePending");
  // The resource can be brought online again.
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  h->terminate(id);
}

TEST_CASE("ResourceExitStateTerminate is honoured: the worker stops reporting") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=2000;report_ms=50");
  h->answer_terminate_from(id, 2);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  while (h->reports(id).size() < 2) std::this_thread::sleep_for(10ms);
  h->terminate(id);  // waits for the worker: whatever it reported is in now
  const auto reports = h->reports(id);
  CHECK(reports.size() == 2);
  CHECK(reports.back().rc == w::ResourceExitStateTerminate);
  CHECK(reports.back().state == "OnlinePending");
}

TEST_CASE("ResourceExitStateTerminate on the very first report: one report, no final state") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=2000;report_ms=50");
  h->answer_terminate_from(id, 1);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  // The worker settles the stop itself: Online works again once it has
  // (bounded polling, not a fixed sleep).
  const auto until = std::chrono::steady_clock::now() + 10s;
  DWORD again = w::PD_ERROR_INVALID_STATE;
  while (again != w::PD_ERROR_IO_PENDING && std::chrono::steady_clock::now() < until) {
    again = h->online(id);
    if (again != w::PD_ERROR_IO_PENDING) std::this_thread::sleep_for(10ms);
  }
  REQUIRE(again == w::PD_ERROR_IO_PENDING);
  while (h->reports(id).size() < 2) std::this_thread::sleep_for(10ms);
  h->terminate(id);  // waits for the second worker
  // Each operation made one report, answered Terminate, and no final state.
  const auto reports = h->reports(id);
  REQUIRE(reports.size() == 2);
  for (const auto& r : reports) {
    CHECK(r.rc == w::ResourceExitStateTerminate);
    CHECK(r.state == "OnlinePending");
    CHECK(r.checkpoint == 1);
  }
}

TEST_CASE("the host's PendingTimeout calls Terminate on a resource that stops reporting") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=60000;report_ms=30000");
  const auto start = std::chrono::steady_clock::now();  // the window opens with the Online call
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(h->await(id, 300ms) == dll_host::outcome::pending_timeout);
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(has_event(*h, "terminate_returned"));
  CHECK(h->reports(id).empty());
}

TEST_CASE("a failing Online reports Failed once, with the reason in the cluster log") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=300;report_ms=50;fail_online=1");
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  CHECK(states(h->reports(id)) == std::vector<std::string>{"OnlinePending", "Failed"});
  CHECK(has_event(*h, "log", "Online failed: fail_online=1: refusing to come online"));
}

TEST_CASE("a worker that ignores Terminate is abandoned after terminate_wait and logged") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=4000;report_ms=100;ignore_terminate=1");
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  while (h->reports(id).empty()) std::this_thread::sleep_for(10ms);
  const auto start = std::chrono::steady_clock::now();
  h->terminate(id);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 1900ms);  // terminate_wait of the example type: 2 s
  CHECK(took < 3900ms);   // ... not the body's 4 s
  CHECK(has_event(*h, "log", "ignored terminate for 2000ms and was abandoned (zombie 1)"));
  for (const auto& r : h->reports(id)) CHECK(r.state == "OnlinePending");
}

TEST_CASE("LooksAlive and IsAlive answer what the resource says") {
  auto h = load();
  RESID good = open_set(*h, "online_ms=0");
  RESID bad = open_set(*h, "online_ms=0;looks_alive=0;is_alive=0");
  for (RESID id : {good, bad}) {
    REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
    REQUIRE(h->await(id, 10s) == dll_host::outcome::settled);
  }
  CHECK(h->looks_alive(good) == TRUE);
  CHECK(h->is_alive(good) == TRUE);
  CHECK(h->looks_alive(bad) == FALSE);
  CHECK(h->is_alive(bad) == FALSE);
}

TEST_CASE("NULL, foreign and closed RESIDs are refused, never dereferenced") {
  auto h = load();
  RESID closed = open_set(*h, "");
  h->close(closed);
  for (RESID id : {RESID{}, reinterpret_cast<RESID>(0x1234), closed}) {
    CHECK(h->table().V2Functions.Online(id, nullptr, 0, nullptr, 0, 0) ==
          w::PD_ERROR_INVALID_PARAMETER);
    CHECK(h->table().V2Functions.Offline(id, nullptr, 0, nullptr, 0, 0) ==
          w::PD_ERROR_INVALID_PARAMETER);
    CHECK(h->table().V2Functions.LooksAlive(id) == FALSE);
    CHECK(h->table().V2Functions.IsAlive(id) == FALSE);
    CHECK(h->table().V2Functions.Cancel(id, 0) == w::PD_ERROR_INVALID_PARAMETER);
    h->table().V2Functions.Terminate(id);  // no crash
    h->table().V2Functions.Close(id);
  }
}

TEST_CASE("any resource name opens: settings are private properties, not the name") {
  auto h = load();
  for (const wchar_t* name : {L"Example1", L"", L"online_ms=soon", L"a;b=c"}) {
    RESID id = h->open(name);
    CHECK(id != nullptr);
    h->close(id);
  }
}

TEST_CASE("Online while an Online is pending is ERROR_INVALID_STATE") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=60000;report_ms=1000");
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(h->online(id) == w::PD_ERROR_INVALID_STATE);
  CHECK(h->offline(id) == w::PD_ERROR_INVALID_STATE);
  h->terminate(id);
}

TEST_CASE("unknown control codes ask for the monitor's default processing") {
  auto h = load();
  RESID id = open_set(*h, "");
  DWORD returned = 7;
  CHECK(h->table().V2Functions.ResourceControl(id, 0x1000000, nullptr, 0, nullptr, 0, &returned) ==
        w::PD_ERROR_INVALID_FUNCTION);
  CHECK(returned == 0);
  CHECK(h->table().V2Functions.ResourceTypeControl(k_type, 0x2000000, nullptr, 0, nullptr, 0,
                                                   &returned) == w::PD_ERROR_INVALID_FUNCTION);
  CHECK(h->table().V2Functions.ResourceTypeControl(L"Other", 0x2000000, nullptr, 0, nullptr, 0,
                                                   &returned) == 5080);
}

// Non-NULL Arbitrate/Release would make the monitor's default
// CLUSCTL_RESOURCE_GET_CHARACTERISTICS report CLUS_CHAR_QUORUM.
TEST_CASE("Arbitrate and Release are NULL: the resource is not offered as a quorum") {
  auto h = load();
  const bool arbitrate = h->table().V2Functions.Arbitrate != nullptr;
  const bool release = h->table().V2Functions.Release != nullptr;
  CHECK_FALSE(arbitrate);
  CHECK_FALSE(release);
  dll_host::options o;
  o.dll = k_dll;
  o.type = k_type;
  o.max_version = w::CLRES_VERSION_V1_00;
  auto v1 = dll_host::load(o);
  REQUIRE(v1);
  CHECK((*v1)->table().Version == w::CLRES_VERSION_V1_00);
  const bool v1_arbitrate = (*v1)->table().V1Functions.Arbitrate != nullptr;
  const bool v1_release = (*v1)->table().V1Functions.Release != nullptr;
  CHECK_FALSE(v1_arbitrate);
  CHECK_FALSE(v1_release);
}

TEST_CASE("Cancel stops a pending operation and reports its final state: with nothing pending it is ERROR_INVALID_STATE") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=60000;report_ms=100");
  CHECK(h->cancel(id) == w::PD_ERROR_INVALID_STATE);
  REQUIRE(h->online(id) == w::PD_ERROR_IO_PENDING);
  CHECK(h->cancel(id) == w::PD_ERROR_SUCCESS);
  // The monitor gets the final state: it does not wait out the PendingTimeout.
  const auto reports = h->reports(id);
  REQUIRE_FALSE(reports.empty());
  CHECK(reports.back().state == "Offline");
  for (std::size_t i = 0; i + 1 < reports.size(); ++i) CHECK(reports[i].state == "OnlinePending");
}

TEST_CASE("Offline of an Offline resource is ERROR_SUCCESS and runs nothing") {
  auto h = load();
  RESID id = open_set(*h, "online_ms=50;offline_ms=50;report_ms=10");
  CHECK(h->offline(id) == w::PD_ERROR_SUCCESS);
  CHECK(h->reports(id).empty());
}

TEST_CASE("two resources of one DLL run side by side with their own CheckPoints") {
  auto h = load();
  RESID a = open_set(*h, "online_ms=300;report_ms=100");
  RESID b = open_set(*h, "online_ms=500;report_ms=100");
  REQUIRE(h->online(a) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->online(b) == w::PD_ERROR_IO_PENDING);
  REQUIRE(h->await(a, 10s) == dll_host::outcome::settled);
  REQUIRE(h->await(b, 10s) == dll_host::outcome::settled);
  CHECK(h->reports(a).size() == 4);
  CHECK(h->reports(b).size() == 6);
  CHECK(h->reports(b).back().checkpoint == 6);
}

}  // TEST_SUITE

// --- the adapter alone, with counting ClusWorker functions ----------------------

extern "C" {
__declspec(dllimport) DWORD WINAPI ClusWorkerCreate(w::CLUS_WORKER*, w::PWORKER_START_ROUTINE,
                                                    PVOID);
__declspec(dllimport) BOOL WINAPI ClusWorkerCheckTerminate(w::CLUS_WORKER*);
__declspec(dllimport) void WINAPI ClusWorkerTerminate(w::CLUS_WORKER*);
__declspec(dllimport) DWORD WINAPI ClusWorkerTerminateEx(w::CLUS_WORKER*, DWORD, BOOL);
}

namespace {

std::atomic<int> g_creates{0};
std::atomic<int> g_terminate_exs{0};
std::atomic<DWORD> g_create_error{0};
std::atomic<int> g_reports{0};
std::atomic<int> g_last_state{-2};
std::atomic<DWORD> g_last_app_error{0};

bool logged(const std::wstring& part) { return pendop_test::log_events().has(part); }


DWORD WINAPI counting_create(w::CLUS_WORKER* wk, w::PWORKER_START_ROUTINE r, PVOID p) {
  ++g_creates;
  if (const DWORD e = g_create_error.load()) return e;
  return ClusWorkerCreate(wk, r, p);
}
DWORD WINAPI counting_terminate_ex(w::CLUS_WORKER* wk, DWORD t, BOOL only) {
  ++g_terminate_exs;
  return ClusWorkerTerminateEx(wk, t, only);
}
DWORD WINAPI record_status(w::RESOURCE_HANDLE, w::RESOURCE_STATUS_EX* st) {
  ++g_reports;
  g_last_app_error = st->ApplicationSpecificErrorCode;
  g_last_state = st->ResourceState;
  return w::ResourceExitStateContinue;
}

w::clusworker_api counting_api() {
  w::clusworker_api api;
  api.create = &counting_create;
  api.check_terminate = &ClusWorkerCheckTerminate;
  api.terminate = &ClusWorkerTerminate;
  api.terminate_ex = &counting_terminate_ex;
  return api;
}

void reset_counters() {
  {
    pendop_test::log_events().clear();
  }
  g_creates = 0;
  g_terminate_exs = 0;
  g_create_error = 0;
  g_reports = 0;
  g_last_state = -2;
  g_last_app_error = 0;
}

w::resource_type scripted_type(pendop_test::scripted_resource::body body) {
  w::resource_type t;
  t.name = L"Scripted";
  t.make = [body](std::wstring_view, const pendop::parameter_values&) -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(
        std::make_unique<pendop_test::scripted_resource>(body));
  };
  t.terminate_wait = 5s;
  return t;
}

void start(w::resource_dll& dll) {
  static w::CLRES_CALLBACK_FUNCTION_TABLE callbacks{&pendop_test::record_log_event, &record_status, {}};
  w::CLRES_FUNCTION_TABLE* table = nullptr;
  REQUIRE(dll.startup_ex(L"scripted", w::CLRES_VERSION_V1_00, w::CLRES_VERSION_V2_00, &callbacks,
                         &table) == w::PD_ERROR_SUCCESS);
}

void await_final() {
  while (g_last_state == -2 || g_last_state == 129 || g_last_state == 130) Sleep(1);
}

}  // namespace

TEST_SUITE("win32/adapter") {

TEST_CASE("Online creates one ClusWorker: Terminate waits through ClusWorkerTerminateEx") {
  reset_counters();
  w::resource_dll dll(scripted_type([](pendop::operation& op) {
                        (void)op.wait_for(1h);
                        return pendop::ok();
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  REQUIRE(id);
  CHECK(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  CHECK(g_creates == 1);
  dll.terminate(id);
  CHECK(g_terminate_exs >= 1);
  CHECK(g_reports == 0);  // after Terminate the monitor decides; nothing is reported
  dll.close(id);
  CHECK(dll.instances() == 0);
}

TEST_CASE("a failed ClusWorkerCreate is returned by Online, and a later Online works") {
  reset_counters();
  w::resource_dll dll(scripted_type([](pendop::operation&) { return pendop::ok(); }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  g_create_error = ERROR_NOT_ENOUGH_MEMORY;
  CHECK(dll.online(id, nullptr) == ERROR_NOT_ENOUGH_MEMORY);
  g_create_error = 0;
  CHECK(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(g_last_state == 2);  // Online
  dll.close(id);
}

TEST_CASE("a line the body logs reaches LogEvent") {
  reset_counters();
  w::resource_dll dll(scripted_type([](pendop::operation& op) {
                        op.log(pendop::log_level::warning, "replaying the journal");
                        return pendop::ok();
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  CHECK(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(logged(L"replaying the journal"));
  dll.close(id);
}

TEST_CASE("OnlineV2 and OfflineV2 flags and the destination node reach the body") {
  reset_counters();
  std::mutex mu;
  std::vector<pendop::operation_details> seen;
  auto record = [&](pendop::operation& op) {
    std::lock_guard lk(mu);
    seen.push_back(op.details());
    return pendop::ok();
  };
  w::resource_type t = scripted_type(record);
  t.make = [&](std::wstring_view, const pendop::parameter_values&)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(
        std::make_unique<pendop_test::scripted_resource>(record, record));
  };
  w::resource_dll dll(std::move(t), counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  REQUIRE(dll.online(id, nullptr, 0x2) == w::PD_ERROR_IO_PENDING);
  await_final();
  g_last_state = -2;
  REQUIRE(dll.offline(id, L"node2", 0x8) == w::PD_ERROR_IO_PENDING);
  await_final();
  std::lock_guard lk(mu);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].flags == 0x2);  // CLUS_RESDLL_ONLINE_RETURN_TO_SOURCE_NODE_ON_ERROR
  CHECK(seen[0].destination_node.empty());
  CHECK(seen[1].flags == 0x8);
  CHECK(seen[1].destination_node == "node2");
  dll.close(id);
}

TEST_CASE("a failure the resource signals sets Online's event, and IsAlive answers FALSE") {
  reset_counters();
  std::mutex mu;
  pendop::failure_signal signal;
  w::resource_dll dll(scripted_type([&](pendop::operation& op) {
                        std::lock_guard lk(mu);
                        signal = op.failure_reporter();
                        return pendop::ok();
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  HANDLE event = nullptr;
  REQUIRE(dll.online(id, &event, 0) == w::PD_ERROR_IO_PENDING);
  REQUIRE(event != nullptr);
  await_final();
  CHECK(WaitForSingleObject(event, 0) == WAIT_TIMEOUT);
  CHECK(dll.is_alive(id) == TRUE);
  {
    std::lock_guard lk(mu);
    REQUIRE(signal);
    signal.fail("the disk went away");
  }
  CHECK(WaitForSingleObject(event, 0) == WAIT_OBJECT_0);
  CHECK(dll.is_alive(id) == FALSE);
  CHECK(dll.looks_alive(id) == FALSE);
  CHECK(logged(L"IsAlive: the resource reported a failure: the disk went away"));
  // The monitor terminates it; the next Online starts clean.
  dll.terminate(id);
  g_last_state = -2;
  HANDLE again = nullptr;
  REQUIRE(dll.online(id, &again, 0) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(again == event);
  CHECK(WaitForSingleObject(event, 0) == WAIT_TIMEOUT);
  CHECK(dll.is_alive(id) == TRUE);
  dll.close(id);
}

TEST_CASE("a body that throws ends Failed: the exception never crosses the export") {
  reset_counters();
  w::resource_dll dll(scripted_type([](pendop::operation&) -> pendop::result<void> {
                        throw std::runtime_error("boom");
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  CHECK(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(g_last_state == 4);  // Failed
  CHECK(g_reports == 1);
  dll.close(id);
}

TEST_CASE("a failure's error code reaches RESOURCE_STATUS_EX.ApplicationSpecificErrorCode") {
  reset_counters();
  std::atomic<bool> fail{true};
  w::resource_dll dll(scripted_type([&](pendop::operation&) -> pendop::result<void> {
                        if (fail) return std::error_code(112, std::system_category());  // disk full
                        return pendop::ok();
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  REQUIRE(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(g_last_state == 4);  // Failed
  CHECK(g_last_app_error == 112);
  fail = false;
  g_last_state = -2;
  REQUIRE(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  CHECK(g_last_state == 2);  // Online
  CHECK(g_last_app_error == 0);
  dll.close(id);
}

TEST_CASE("an exception escaping an export is logged with the entry point and answered with an error") {
  reset_counters();
  w::resource_type type = scripted_type(pendop_test::scripted_resource::ok_body());
  type.make = [](std::wstring_view, const pendop::parameter_values&) -> pendop::result<std::unique_ptr<pendop::resource>> {
    throw 42;  // not even a std::exception
  };
  w::resource_dll dll(std::move(type), counting_api());
  start(dll);
  SetLastError(0);
  CHECK(dll.open(L"r", nullptr, nullptr) == nullptr);
  CHECK(GetLastError() == w::PD_ERROR_GEN_FAILURE);
  CHECK(logged(L"Open failed: an exception that is not a std::exception"));
}

TEST_CASE("Close of an Online resource terminates it first") {
  reset_counters();
  auto terminates = std::make_shared<std::atomic<int>>(0);
  w::resource_type type = scripted_type(pendop_test::scripted_resource::ok_body());
  type.make = [terminates](std::wstring_view, const pendop::parameter_values&) -> pendop::result<std::unique_ptr<pendop::resource>> {
    struct counted final : pendop::resource {
      explicit counted(std::shared_ptr<std::atomic<int>> n) : n_(std::move(n)) {}
      pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
      pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
      void terminate() noexcept override { ++*n_; }
      std::shared_ptr<std::atomic<int>> n_;
    };
    return std::unique_ptr<pendop::resource>(std::make_unique<counted>(terminates));
  };
  w::resource_dll dll(std::move(type), counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  REQUIRE(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  await_final();
  REQUIRE(g_last_state == 2);  // Online
  dll.close(id);
  CHECK(*terminates == 1);
  CHECK(dll.instances() == 0);
}

TEST_CASE("Close of a pending resource terminates it first") {
  reset_counters();
  std::atomic<bool> stopped{false};
  w::resource_dll dll(scripted_type([&](pendop::operation& op) {
                        (void)op.wait_for(1h);
                        stopped = op.stop_requested();
                        return pendop::ok();
                      }),
                      counting_api());
  start(dll);
  RESID id = dll.open(L"r", nullptr, nullptr);
  REQUIRE(dll.online(id, nullptr) == w::PD_ERROR_IO_PENDING);
  dll.close(id);
  CHECK(stopped);
  CHECK(dll.instances() == 0);
}

namespace {

// A quorum resource that records what the adapter asks.
class test_quorum final : public w::quorum_resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> arbitrate(std::function<void()> lost) override {
    lost_ = std::move(lost);
    return pendop::ok();
  }
  pendop::result<void> release() override {
    ++releases;
    return pendop::make_error(pendop::errc::operation_failed, "the device is busy");
  }
  void lose() { lost_(); }
  int releases = 0;

 private:
  std::function<void()> lost_;
};

std::atomic<w::RESOURCE_HANDLE> g_lost{nullptr};
void WINAPI quorum_lost(w::RESOURCE_HANDLE h) { g_lost = h; }

}  // namespace

TEST_CASE("a quorum-capable type: Arbitrate and Release in the tables, CLUS_CHAR_QUORUM") {
  reset_counters();
  test_quorum* made = nullptr;
  w::resource_type t = scripted_type([](pendop::operation&) { return pendop::ok(); });
  t.quorum_capable = true;
  t.make = [&](std::wstring_view, const pendop::parameter_values&)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    auto r = std::make_unique<test_quorum>();
    made = r.get();
    return std::unique_ptr<pendop::resource>(std::move(r));
  };
  w::resource_dll dll(std::move(t), counting_api());
  static w::CLRES_CALLBACK_FUNCTION_TABLE callbacks{&pendop_test::record_log_event,
                                                    &record_status, {}};
  w::CLRES_FUNCTION_TABLE* table = nullptr;
  REQUIRE(dll.startup_ex(L"scripted", w::CLRES_VERSION_V1_00, w::CLRES_VERSION_V2_00, &callbacks,
                         &table) == w::PD_ERROR_SUCCESS);
  const bool arbitrate = table->V2Functions.Arbitrate != nullptr;
  const bool release = table->V2Functions.Release != nullptr;
  REQUIRE(arbitrate);
  REQUIRE(release);
  auto* handle = reinterpret_cast<w::RESOURCE_HANDLE>(0x51);
  RESID id = table->V2Functions.Open(L"quorum", nullptr, handle, 0);
  REQUIRE(id != nullptr);
  REQUIRE(made != nullptr);
  CHECK(table->V2Functions.Arbitrate(id, &quorum_lost) == w::PD_ERROR_SUCCESS);
  made->lose();
  CHECK(g_lost.load() == handle);  // QuorumResourceLost with the resource's handle
  pendop_test::log_events().clear();
  CHECK(table->V2Functions.Release(id) != w::PD_ERROR_SUCCESS);  // the resource refused
  CHECK(made->releases == 1);
  CHECK(logged(L"Release failed: the device is busy"));
  DWORD chars = 7;
  DWORD returned = 0;
  CHECK(dll.resource_control(id, w::CLUSCTL_RESOURCE_GET_CHARACTERISTICS, nullptr, 0, &chars,
                             sizeof chars, &returned) == w::PD_ERROR_SUCCESS);
  CHECK(returned == 4);
  CHECK(chars == w::CLUS_CHAR_QUORUM);
  table->V2Functions.Close(id);
}

TEST_CASE("a quorum-capable type whose factory makes a plain resource fails Open, saying why") {
  reset_counters();
  w::resource_type t = scripted_type([](pendop::operation&) { return pendop::ok(); });
  t.quorum_capable = true;
  w::resource_dll dll(std::move(t), counting_api());
  start(dll);
  pendop_test::log_events().clear();
  CHECK(dll.open(L"r", nullptr, nullptr) == nullptr);
  CHECK(GetLastError() == w::PD_ERROR_INVALID_PARAMETER);
  CHECK(logged(L"the type is quorum-capable but the factory made a resource that is not"));
  // A plain type has neither entry, and Arbitrate through the adapter is refused.
  w::resource_dll plain(scripted_type([](pendop::operation&) { return pendop::ok(); }),
                        counting_api());
  start(plain);
  RESID id = plain.open(L"r", nullptr, nullptr);
  CHECK(plain.arbitrate(id, &quorum_lost) == w::PD_ERROR_INVALID_FUNCTION);
  CHECK(plain.release(id) == w::PD_ERROR_INVALID_FUNCTION);
  plain.close(id);
}

}  // TEST_SUITE
