// SPDX-License-Identifier: MIT
// The test-double resutils.dll keeps the documented ClusWorker semantics
// (docs/resapi.md, "ClusWorker"), which the adapter tests rely on.
#include <pendop/win32/resapi.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using pendop::win32::CLUS_WORKER;
using pendop::win32::PWORKER_START_ROUTINE;

extern "C" {
__declspec(dllimport) DWORD WINAPI ClusWorkerCreate(CLUS_WORKER*, PWORKER_START_ROUTINE, PVOID);
__declspec(dllimport) BOOL WINAPI ClusWorkerCheckTerminate(CLUS_WORKER*);
__declspec(dllimport) void WINAPI ClusWorkerTerminate(CLUS_WORKER*);
__declspec(dllimport) DWORD WINAPI ClusWorkerTerminateEx(CLUS_WORKER*, DWORD, BOOL);
__declspec(dllimport) DWORD ClusWorkersTerminate(CLUS_WORKER**, std::size_t, DWORD, BOOL);
}

namespace {

// Polls the flag like a well-behaved worker.
DWORD WINAPI polite(CLUS_WORKER* w, LPVOID) {
  while (!ClusWorkerCheckTerminate(w)) Sleep(1);
  return 0;
}

// Ignores the flag until the event is set.
DWORD WINAPI stubborn(CLUS_WORKER*, LPVOID event) {
  WaitForSingleObject(static_cast<HANDLE>(event), INFINITE);
  return 0;
}

// Terminates itself.
DWORD WINAPI self_terminating(CLUS_WORKER* w, LPVOID done) {
  ClusWorkerTerminate(w);
  static_cast<std::atomic<bool>*>(done)->store(ClusWorkerCheckTerminate(w) != FALSE);
  return 0;
}

}  // namespace

TEST_SUITE("win32/clusworker") {

TEST_CASE("create runs the routine: terminate sets the flag and waits") {
  CLUS_WORKER w{};
  REQUIRE(ClusWorkerCreate(&w, &polite, nullptr) == ERROR_SUCCESS);
  CHECK(w.hThread != nullptr);
  CHECK_FALSE(ClusWorkerCheckTerminate(&w));
  ClusWorkerTerminate(&w);
  CHECK(w.hThread == nullptr);  // joined and reset: reusable
  REQUIRE(ClusWorkerCreate(&w, &polite, nullptr) == ERROR_SUCCESS);
  CHECK_FALSE(ClusWorkerCheckTerminate(&w));
  ClusWorkerTerminate(&w);
}

TEST_CASE("TerminateEx times out on a worker that ignores the flag") {
  HANDLE release = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  CLUS_WORKER w{};
  REQUIRE(ClusWorkerCreate(&w, &stubborn, release) == ERROR_SUCCESS);
  CHECK(ClusWorkerTerminateEx(&w, 20, FALSE) == WAIT_TIMEOUT);
  CHECK(ClusWorkerCheckTerminate(&w));
  SetEvent(release);
  CHECK(ClusWorkerTerminateEx(&w, 10'000, TRUE) == ERROR_SUCCESS);
  CloseHandle(release);
}

TEST_CASE("TerminateEx with WaitOnly leaves the flag alone") {
  HANDLE release = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  CLUS_WORKER w{};
  REQUIRE(ClusWorkerCreate(&w, &stubborn, release) == ERROR_SUCCESS);
  CHECK(ClusWorkerTerminateEx(&w, 10, TRUE) == WAIT_TIMEOUT);
  CHECK_FALSE(ClusWorkerCheckTerminate(&w));
  SetEvent(release);
  CHECK(ClusWorkerTerminateEx(&w, 10'000, TRUE) == ERROR_SUCCESS);
  CloseHandle(release);
}

TEST_CASE("a second terminate returns while the first still waits") {
  HANDLE release = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  CLUS_WORKER w{};
  REQUIRE(ClusWorkerCreate(&w, &stubborn, release) == ERROR_SUCCESS);
  std::atomic<bool> first_returned{false};
  std::thread first([&] {
    ClusWorkerTerminate(&w);
    first_returned = true;
  });
  while (!ClusWorkerCheckTerminate(&w)) Sleep(1);  // the first caller has set the flag
  ClusWorkerTerminate(&w);                          // returns without waiting
  CHECK_FALSE(first_returned);
  SetEvent(release);
  first.join();
  CHECK(first_returned);
  CloseHandle(release);
}

TEST_CASE("a worker that terminates itself does not deadlock") {
  std::atomic<bool> flag_seen{false};
  CLUS_WORKER w{};
  REQUIRE(ClusWorkerCreate(&w, &self_terminating, &flag_seen) == ERROR_SUCCESS);
  CHECK(ClusWorkerTerminateEx(&w, 10'000, TRUE) == ERROR_SUCCESS);
  CHECK(flag_seen);
}

TEST_CASE("ClusWorkersTerminate stops many within one timeout") {
  CLUS_WORKER a{}, b{};
  REQUIRE(ClusWorkerCreate(&a, &polite, nullptr) == ERROR_SUCCESS);
  REQUIRE(ClusWorkerCreate(&b, &polite, nullptr) == ERROR_SUCCESS);
  CLUS_WORKER* all[] = {&a, &b};
  CHECK(ClusWorkersTerminate(all, 2, 10'000, FALSE) == ERROR_SUCCESS);
  CHECK(a.hThread == nullptr);
  CHECK(b.hThread == nullptr);
}

TEST_CASE("create rejects NULL arguments and a struct still in use") {
  CLUS_WORKER w{};
  CHECK(ClusWorkerCreate(nullptr, &polite, nullptr) == ERROR_INVALID_PARAMETER);
  CHECK(ClusWorkerCreate(&w, nullptr, nullptr) == ERROR_INVALID_PARAMETER);
  REQUIRE(ClusWorkerCreate(&w, &polite, nullptr) == ERROR_SUCCESS);
  CHECK(ClusWorkerCreate(&w, &polite, nullptr) == ERROR_INVALID_PARAMETER);
  ClusWorkerTerminate(&w);
}

}  // TEST_SUITE
