// SPDX-License-Identifier: MIT
// pendop_bench_win32: the resource DLL's exports under Wine (or Windows),
// each against raw Win32 threads measured in the same run. Prints one JSON
// metric per line (merged into pendop-bench.json by scripts/bench).
//
//   win32_dispatch   Online() until ERROR_IO_PENDING   vs CreateThread
//   win32_terminate  Terminate() of a body blocked in operation::wait_for
//                    vs SetEvent + WaitForSingleObject on a raw thread
#include <pendop/host/property_list.hpp>
#include <pendop/win32/resapi.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "bench_stats.hpp"

namespace w = pendop::win32;
using clock_type = std::chrono::steady_clock;
using pendop_bench::metric;
using pendop_bench::percentile;

namespace {

HANDLE g_final = nullptr;        // set by the status callback on a final state
std::atomic<int> g_reports{0};

DWORD WINAPI on_status(w::RESOURCE_HANDLE, w::RESOURCE_STATUS_EX* st) {
  g_reports.fetch_add(1);
  if (st->ResourceState != 129 && st->ResourceState != 130) SetEvent(g_final);
  return w::ResourceExitStateContinue;
}

double us_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

// Waits for the final report of `what`; a report that never comes is a
// failure with a message, never a hang.
bool await_final(const char* what, int round) {
  if (WaitForSingleObject(g_final, 30'000) == WAIT_OBJECT_0) return true;
  std::fprintf(stderr, "pendop_bench_win32: no final report of %s in round %d within 30 s "
               "(%d reports so far)\n", what, round, g_reports.load());
  return false;
}

DWORD WINAPI nothing(LPVOID) { return 0; }
DWORD WINAPI wait_event(LPVOID e) { return WaitForSingleObject(static_cast<HANDLE>(e), INFINITE); }

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int n = quick ? 20 : 500;
  g_final = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  HMODULE dll = LoadLibraryW(L"pendop_example_resource.dll");
  if (!dll) {
    std::fprintf(stderr, "pendop_bench_win32: cannot load pendop_example_resource.dll (%lu)\n",
                 GetLastError());
    return 1;
  }
  auto startup = reinterpret_cast<w::PSTARTUP_EX_ROUTINE>(
      reinterpret_cast<void*>(GetProcAddress(dll, "StartupEx")));
  static w::CLRES_CALLBACK_FUNCTION_TABLE callbacks{nullptr, &on_status, {}};
  w::CLRES_FUNCTION_TABLE* table = nullptr;
  if (!startup || startup(L"pendop Example", w::CLRES_VERSION_V1_00, w::CLRES_VERSION_V2_00,
                          &callbacks, &table) != 0) {
    std::fprintf(stderr, "pendop_bench_win32: StartupEx failed\n");
    return 1;
  }
  const auto& f = table->V2Functions;

  // The example's settings are private properties, set as a cluster sets them.
  auto open_with = [&](const wchar_t* name, std::uint64_t online_ms, std::uint64_t offline_ms,
                       std::uint64_t report_ms) -> w::RESID {
    w::RESID id = f.Open(name, nullptr, nullptr, 0);
    std::vector<pendop::property_entry> list;
    for (const auto& [key, value] : {std::pair{u"online_ms", online_ms},
                                     std::pair{u"offline_ms", offline_ms},
                                     std::pair{u"report_ms", report_ms}}) {
      list.push_back({key, {{.syntax = pendop::property_syntax::dword, .number = value}}});
    }
    auto bytes = pendop::encode_property_list(list);
    DWORD returned = 0;
    if (!id || f.ResourceControl(id, w::CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, bytes.data(),
                                 static_cast<DWORD>(bytes.size()), nullptr, 0,
                                 &returned) != w::PD_ERROR_SUCCESS) {
      std::fprintf(stderr, "pendop_bench_win32: cannot set the example's properties\n");
      std::exit(1);
    }
    return id;
  };

  std::vector<double> mine, raw;
  w::RESID quick_res = open_with(L"quick", 0, 0, 200);
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    HANDLE h = CreateThread(nullptr, 0, &nothing, nullptr, 0, nullptr);
    raw.push_back(us_since(t0));
    WaitForSingleObject(h, INFINITE);
    CloseHandle(h);

    t0 = clock_type::now();
    const DWORD rc = f.Online(quick_res, nullptr, 0, nullptr, 0, 0);
    mine.push_back(us_since(t0));
    if (rc != w::PD_ERROR_IO_PENDING) return 1;
    if (!await_final("Online", i)) return 1;
    (void)f.Offline(quick_res, nullptr, 0, nullptr, 0, 0);
    if (!await_final("Offline", i)) return 1;
  }
  f.Close(quick_res);
  const metric dispatch{"win32_dispatch_p99", "us", percentile(mine, 0.99),
                        "raw CreateThread under the same Wine", percentile(raw, 0.99), 2.0, ""};

  mine.clear();
  raw.clear();
  w::RESID slow = open_with(L"slow", 600000, 500, 600000);
  HANDLE go = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  for (int i = 0; i < n; ++i) {
    ResetEvent(go);
    HANDLE h = CreateThread(nullptr, 0, &wait_event, go, 0, nullptr);
    Sleep(1);
    auto t0 = clock_type::now();
    SetEvent(go);
    WaitForSingleObject(h, INFINITE);
    raw.push_back(us_since(t0));
    CloseHandle(h);

    (void)f.Online(slow, nullptr, 0, nullptr, 0, 0);
    Sleep(1);
    t0 = clock_type::now();
    f.Terminate(slow);
    mine.push_back(us_since(t0));
  }
  f.Close(slow);
  const metric terminate{"win32_terminate_p99", "us", percentile(mine, 0.99),
                         "raw SetEvent + WaitForSingleObject under the same Wine",
                         percentile(raw, 0.99), 2.0, ""};
  std::printf("%s\n%s\n", dispatch.to_json().c_str(), terminate.to_json().c_str());
  return 0;
}
