// SPDX-License-Identifier: MIT
#include <pendop/posix/asio_executor.hpp>

#include <pendop/posix/steady_time_source.hpp>

#include "asio_timers.hpp"

#include <boost/asio/post.hpp>

namespace pendop::posix {

namespace {

class executor_scheduler final : public scheduler {
 public:
  explicit executor_scheduler(boost::asio::any_io_executor ex)
      : timers_(std::make_shared<detail::asio_timers>(std::move(ex))) {}
  ~executor_scheduler() override { timers_->close(); }
  executor_scheduler(const executor_scheduler&) = delete;
  executor_scheduler& operator=(const executor_scheduler&) = delete;

  time_point now() const noexcept override { return std::chrono::steady_clock::now(); }
  bool wait_until(std::stop_token stop, time_point deadline) noexcept override {
    return sleeper_.wait_until(std::move(stop), deadline);
  }
  timer_id schedule_at(time_point when, task fn) override {
    return timers_->schedule_at(when, std::move(fn));
  }
  bool cancel(timer_id id) noexcept override { return timers_->cancel(id); }

 private:
  std::shared_ptr<detail::asio_timers> timers_;
  steady_time_source sleeper_;
};

class posting_executor final : public call_executor {
 public:
  explicit posting_executor(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

  void execute(call fn) override {
    boost::asio::post(ex_, [fn = std::move(fn)] {
      try {
        fn();
      } catch (...) {
        // Calls report their own errors; an escaping exception has nowhere to go.
      }
    });
  }

 private:
  const boost::asio::any_io_executor ex_;
};

}  // namespace

std::shared_ptr<scheduler> make_asio_scheduler(boost::asio::any_io_executor executor) {
  return std::make_shared<executor_scheduler>(std::move(executor));
}

std::shared_ptr<call_executor> make_asio_call_executor(boost::asio::any_io_executor executor) {
  return std::make_shared<posting_executor>(std::move(executor));
}

}  // namespace pendop::posix
