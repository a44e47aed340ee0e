// SPDX-License-Identifier: MIT
// The Win32 side of the platform seam, under Wine or Windows: a worker's
// thread carries the resource's name (SetThreadDescription), a thread
// leaving a lot gives way (THREAD_PRIORITY_LOWEST) while a reused one keeps
// its priority, the thread count sees threads come and go, and the process
// fence is trusted on Windows only (Wine before 9 makes it a no-op).
#include <pendop/platform/detached_thread.hpp>
#include <pendop/platform/futex_hash.hpp>
#include <pendop/platform/process_fence.hpp>
#include <pendop/platform/thread_count.hpp>
#include <pendop/platform/thread_name.hpp>
#include <pendop/platform/thread_priority.hpp>
#include <pendop/posix/thread_lot.hpp>
#include <pendop/posix/worker.hpp>

#include <doctest/doctest.h>

#include "await_parked.hpp"
#include "count_latch.hpp"

#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

using namespace std::chrono_literals;
using pendop_test::await_parked;
using pendop::posix::thread_lot;

namespace {

using get_description_fn = HRESULT(WINAPI*)(HANDLE, PWSTR*);

// The calling thread's description, or nullopt where the system has none.
std::optional<std::wstring> my_description() {
  const HMODULE kernel32 = ::GetModuleHandleW(L"kernel32.dll");
  const auto get = reinterpret_cast<get_description_fn>(
      reinterpret_cast<void*>(::GetProcAddress(kernel32, "GetThreadDescription")));
  if (get == nullptr) return std::nullopt;
  PWSTR text = nullptr;
  if (FAILED(get(::GetCurrentThread(), &text)) || text == nullptr) return std::nullopt;
  std::wstring copy(text);
  ::LocalFree(text);
  return copy;
}

bool under_wine() {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace

TEST_SUITE("posix/win32 platform") {

TEST_CASE("a named thread carries its name as its Windows thread description") {
  std::optional<std::wstring> named;
  std::thread([&] {
    pendop::platform::set_current_thread_name("pd:Db\xc3\xa9");  // UTF-8 in, UTF-16 out
    named = my_description();
  }).join();
  if (!named) {
    MESSAGE("GetThreadDescription is not available here: nothing to read back");
    return;
  }
  CHECK(*named == L"pd:Db\u00e9");
}

TEST_CASE("a worker's thread is named after its resource") {
  std::promise<std::optional<std::wstring>> seen;
  pendop::posix::worker w;
  REQUIRE(w.create([&](std::stop_token) { seen.set_value(my_description()); }, "pd:Disk1"));
  const auto named = seen.get_future().get();
  w.terminate();
  if (!named) {
    MESSAGE("GetThreadDescription is not available here: nothing to read back");
    return;
  }
  CHECK(*named == L"pd:Disk1");
}

TEST_CASE("a thread that lowers its priority runs at the lowest and the others keep theirs") {
  const int mine = ::GetThreadPriority(::GetCurrentThread());
  int lowered = 0;
  std::thread([&] {
    pendop::platform::lower_current_thread_priority();
    lowered = ::GetThreadPriority(::GetCurrentThread());
  }).join();
  CHECK(lowered == THREAD_PRIORITY_LOWEST);
  CHECK(::GetThreadPriority(::GetCurrentThread()) == mine);
}

TEST_CASE("a job on a lot's parked thread keeps the normal priority") {
  auto lot = std::make_shared<thread_lot>(1, 10s);
  std::promise<std::thread::id> first_id;
  lot->start([&] { first_id.set_value(std::this_thread::get_id()); });
  const auto first = first_id.get_future().get();
  REQUIRE(await_parked(*lot, 1));
  std::promise<std::pair<std::thread::id, int>> second;
  lot->start([&] {
    second.set_value({std::this_thread::get_id(), ::GetThreadPriority(::GetCurrentThread())});
  });
  const auto [id, priority] = second.get_future().get();
  CHECK(id == first);
  CHECK(priority == THREAD_PRIORITY_NORMAL);
}

TEST_CASE("the thread count sees a thread start and end") {
  const auto before = pendop::platform::process_thread_count();
  REQUIRE(before.has_value());
  pendop_test::count_latch started(1);
  pendop_test::count_latch release(1);
  std::thread t([&] {
    started.count_down();
    release.wait();
  });
  started.wait();
  CHECK(pendop::platform::process_thread_count() == *before + 1);
  release.count_down();
  t.join();
  CHECK(pendop::platform::process_thread_count() == before);
}

TEST_CASE("a thousand detached threads each wake their waiter, and none is lost") {
  // winpthreads' pthread_detach loses some of these wake-ups (or crashes in
  // the thread's exit); the platform's native detached threads do not.
  struct handshake {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  int lost = 0;
  for (int i = 0; i < 1000; ++i) {
    auto h = std::make_shared<handshake>();
    pendop::platform::start_detached_thread([h] {
      {
        std::lock_guard lk(h->mu);
        h->done = true;
      }
      h->cv.notify_all();
    });
    std::unique_lock lk(h->mu);
    if (!h->cv.wait_for(lk, 5s, [&] { return h->done; })) ++lost;
  }
  CHECK(lost == 0);
}

TEST_CASE("the process fence is trusted on Windows only, and there is no futex hash to size") {
  CHECK(pendop::platform::process_fence_ready() == !under_wine());
  if (pendop::platform::process_fence_ready()) pendop::platform::process_fence();
  CHECK(pendop::platform::futex_hash_slots() == 0);
  CHECK(pendop::platform::reserve_futex_hash(4096) == 0);
}

}  // TEST_SUITE
