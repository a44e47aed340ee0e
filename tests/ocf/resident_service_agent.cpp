// SPDX-License-Identifier: MIT
// An OCF agent whose resource is a service inside its process, as a resource
// author writes one from the README: online() binds 127.0.0.1 and answers
// every connection with "pendop\n" from a thread; looks_alive() says whether
// that thread still serves. It runs in a resident host (process_model::
// resident). With hang_offline=1 its offline() never returns and ignores
// every stop (tests/ocf/ocf_process_test.cpp).
#include <pendop/ocf/agent.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace {

class tcp_service final : public pendop::resource {
 public:
  tcp_service(std::string port_file, bool hang_offline)
      : port_file_(std::move(port_file)), hang_offline_(hang_offline) {}

  pendop::result<void> online(pendop::operation&) override {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      return pendop::make_error(pendop::errc::operation_failed, "cannot listen on 127.0.0.1");
    }
    std::ofstream(port_file_) << ntohs(a.sin_port) << '\n';
    server_ = std::jthread([this](std::stop_token stop) { serve(stop); });
    return pendop::ok();
  }

  pendop::result<void> offline(pendop::operation&) override {
    while (hang_offline_) std::this_thread::sleep_for(std::chrono::hours(1));  // deaf to stops
    stop_serving();
    return pendop::ok();
  }

  bool looks_alive() noexcept override { return serving_.load(); }
  bool is_alive() noexcept override { return serving_.load(); }
  void terminate() noexcept override { stop_serving(); }

 private:
  void serve(const std::stop_token& stop) {
    serving_ = true;
    while (!stop.stop_requested()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      (void)!::write(c, "pendop\n", 7);
      ::close(c);
    }
    serving_ = false;
  }

  void stop_serving() {
    server_ = {};  // stops and joins
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const std::string port_file_;
  const bool hang_offline_;
  int fd_ = -1;
  std::atomic<bool> serving_{false};
  std::jthread server_;
};

pendop::ocf::agent_definition resident_service_agent() {
  pendop::ocf::agent_definition def;
  def.name = "resident_service";
  def.shortdesc = "a TCP service inside the agent's resident host";
  def.longdesc = "Answers every connection on 127.0.0.1 with one line while Online.";
  def.model = pendop::ocf::process_model::resident;
  def.parameters = {
      {.name = "port_file", .type = pendop::parameter_type::string,
       .description = "Where online() writes the port it listens on",
       .default_value = std::string("/dev/null")},
      {.name = "hang_offline", .description = "1: offline() never returns",
       .default_value = std::uint64_t{0}, .max = 1},
  };
  def.make = [](const pendop::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(
        std::make_unique<tcp_service>(v.text("port_file"), v.number("hang_offline") == 1));
  };
  return def;
}

}  // namespace

PENDOP_OCF_AGENT(resident_service_agent)
