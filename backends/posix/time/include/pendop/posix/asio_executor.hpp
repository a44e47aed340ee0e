// SPDX-License-Identifier: MIT
// Running a monitor on your own Boost.Asio: its timers on your executor (an
// io_context or a strand), its calls into resource code on yours (a
// thread_pool), and no thread of pendop's own for either.
//
//   boost::asio::io_context io;           // your event loop, run by your thread
//   boost::asio::thread_pool calls(4);    // where LooksAlive, IsAlive, Terminate run
//   auto m = pendop::posix::monitor::create(
//       {.timers = pendop::posix::make_asio_scheduler(io.get_executor()),
//        .executor = pendop::posix::make_asio_call_executor(calls.get_executor())});
//
// Resource code can block for up to DeadlockTimeout: give the calls an
// executor with threads to spare, never the single thread that runs the
// timers. Destroy the monitor before the io_context and the pool.
#pragma once

#include <pendop/posix/call_executor.hpp>
#include <pendop/posix/scheduler.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace pendop::posix {

/// A scheduler whose timers run on `executor`: one Asio timer, armed for
/// the earliest, whose callbacks run one at a time in deadline order (on a
/// strand, so an io_context run by several threads is fine). Adding a later
/// timer or cancelling one does not touch the executor. Sleeps of pending
/// operations stay on their own workers (real steady time). After it is
/// destroyed, no timer callback runs.
[[nodiscard]] std::shared_ptr<scheduler> make_asio_scheduler(boost::asio::any_io_executor executor);

/// A call executor that posts each call to `executor`.
[[nodiscard]] std::shared_ptr<call_executor> make_asio_call_executor(
    boost::asio::any_io_executor executor);

}  // namespace pendop::posix
