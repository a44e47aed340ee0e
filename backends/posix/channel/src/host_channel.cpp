// SPDX-License-Identifier: MIT
#include <pendop/posix/host_channel.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace pendop::posix {

namespace {

// A file descriptor owned once.
class fd_guard {
 public:
  explicit fd_guard(int fd = -1) noexcept : fd_(fd) {}
  fd_guard(fd_guard&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  fd_guard& operator=(fd_guard&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() { reset(); }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

error system_error(std::string what) {
  return make_error(errc::operation_failed, fmt::format("{}: {}", what, std::strerror(errno)));
}

result<sockaddr_un> address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(a.sun_path)) {
    return make_error(errc::invalid_argument,
                      fmt::format("socket path \"{}\" is empty or longer than {} bytes", path,
                                  sizeof(a.sun_path) - 1));
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

using steady = std::chrono::steady_clock;

int ms_left(steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

// Reads one line (without its newline) before `deadline`; at most `max`
// bytes with the newline.
result<std::string> read_line(int fd, std::size_t max, steady::time_point deadline) {
  std::string line;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, ms_left(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return system_error("poll");
    if (ready == 0) return make_error(errc::wait_timeout, "no whole message in time");
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("recv");
    if (n == 0) return make_error(errc::malformed_json, "the peer closed before a whole line");
    const std::string_view got(buf, static_cast<std::size_t>(n));
    const auto nl = got.find('\n');
    line.append(got.substr(0, nl));
    if (line.size() + (nl == std::string_view::npos ? 0 : 1) > max) {
      return make_error(errc::malformed_json,
                        fmt::format("message longer than {} bytes", max));
    }
    if (nl != std::string_view::npos) return line;
  }
}

result<void> write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("send");
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

channel_message error_reply(std::string why) {
  return {{"v", channel_version}, {"ok", "false"}, {"error", std::move(why)}};
}

}  // namespace

std::string to_line(const channel_message& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

result<channel_message> parse_channel_message(std::string_view line) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(errc::malformed_json, "the message is not JSON");
  if (!j.is_object()) return make_error(errc::malformed_json, "the message is not a JSON object");
  channel_message m;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) {
      return make_error(errc::malformed_json,
                        fmt::format("the value of \"{}\" is not a string", k));
    }
    m.emplace(k, v.get<std::string>());
  }
  return m;
}

namespace detail {

struct channel_server_state {
  std::string path;
  channel_server::handler handle;
  channel_limits limits;
  fd_guard listener;
  fd_guard wake_read;   // the pipe that ends the accept loop
  fd_guard wake_write;
  std::thread acceptor;

  dev_t bound_dev = 0;  // the socket file this server made: removed only if
  ino_t bound_ino = 0;  // it is still that one, not a newer server's

  std::mutex mu;
  std::condition_variable changed;
  std::size_t active = 0;  // guarded by mu: connections being served
  bool stopping = false;   // guarded by mu

  ~channel_server_state() {
    {
      std::lock_guard lk(mu);
      stopping = true;
    }
    if (wake_write.get() >= 0) (void)!::write(wake_write.get(), "x", 1);
    if (acceptor.joinable()) acceptor.join();
    std::unique_lock lk(mu);
    changed.wait(lk, [&] { return active == 0; });
    lk.unlock();
    listener.reset();
    struct stat st{};
    if (bound_ino != 0 && ::stat(path.c_str(), &st) == 0 && st.st_dev == bound_dev &&
        st.st_ino == bound_ino) {
      ::unlink(path.c_str());
    }
  }

  void accept_loop() {
    for (;;) {
      pollfd p[2] = {{listener.get(), POLLIN, 0}, {wake_read.get(), POLLIN, 0}};
      if (::poll(p, 2, -1) < 0 && errno != EINTR) return;
      if (p[1].revents != 0) return;
      if ((p[0].revents & POLLIN) == 0) continue;
      fd_guard conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn.get() < 0) continue;
      std::unique_lock lk(mu);
      changed.wait(lk, [&] { return stopping || active < limits.max_connections; });
      if (stopping) return;
      ++active;
      lk.unlock();
      std::thread([this, c = std::move(conn)]() mutable {
        serve(c.get());
        c.reset();
        std::lock_guard done(mu);
        --active;
        changed.notify_all();
      }).detach();
    }
  }

  // One connection: its peer checked, one request read, one reply written.
  void serve(int fd) {
    const channel_message reply = answer(fd);
    (void)write_all(fd, to_line(reply) + "\n");
  }

  channel_message answer(int fd) {
    ucred peer{};
    socklen_t len = sizeof peer;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) {
      return error_reply(fmt::format("cannot identify the peer: {}", std::strerror(errno)));
    }
    if (peer.uid != ::geteuid()) {
      return error_reply(
          fmt::format("peer uid {} is not this host's uid {}", peer.uid, ::geteuid()));
    }
    auto line = read_line(fd, limits.max_message, steady::now() + limits.read_timeout);
    if (!line) return error_reply("bad request: " + line.error().message);
    auto request = parse_channel_message(*line);
    if (!request) return error_reply("bad request: " + request.error().message);
    const auto v = request->find("v");
    if (v == request->end() || v->second != channel_version) {
      return error_reply(fmt::format(
          "protocol version \"{}\" is not supported (this host speaks {})",
          v == request->end() ? std::string() : v->second, channel_version));
    }
    try {
      channel_message reply = handle(*request);
      reply["v"] = channel_version;
      return reply;
    } catch (const std::exception& e) {
      return error_reply(fmt::format("the host failed to answer: {}", e.what()));
    } catch (...) {
      return error_reply("the host failed to answer");
    }
  }
};

}  // namespace detail

result<channel_server> channel_server::listen(std::string path, handler h, channel_limits limits) {
  if (!h) return make_error(errc::invalid_argument, "channel_server: the handler is empty");
  auto addr = address(path);
  if (!addr) return addr.error();
  auto s = std::make_unique<detail::channel_server_state>();
  s->path = path;
  s->handle = std::move(h);
  s->limits = limits;
  s->listener = fd_guard(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s->listener.get() < 0) return system_error("socket");
  ::unlink(path.c_str());  // a socket file left by a host that died
  const mode_t old = ::umask(0177);
  const int bound = ::bind(s->listener.get(), reinterpret_cast<const sockaddr*>(&*addr),
                           sizeof(sockaddr_un));
  ::umask(old);
  if (bound != 0) return system_error(fmt::format("bind {}", path));
  if (::chmod(path.c_str(), 0600) != 0) return system_error(fmt::format("chmod {}", path));
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return system_error(fmt::format("stat {}", path));
  s->bound_dev = st.st_dev;
  s->bound_ino = st.st_ino;
  if (::listen(s->listener.get(), 16) != 0) return system_error(fmt::format("listen {}", path));
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) return system_error("pipe");
  s->wake_read = fd_guard(wake[0]);
  s->wake_write = fd_guard(wake[1]);
  s->acceptor = std::thread([raw = s.get()] { raw->accept_loop(); });
  return channel_server(std::move(s));
}

channel_server::channel_server(std::unique_ptr<detail::channel_server_state> s) noexcept
    : state_(std::move(s)) {}
channel_server::channel_server(channel_server&&) noexcept = default;
channel_server& channel_server::operator=(channel_server&&) noexcept = default;
channel_server::~channel_server() = default;

const std::string& channel_server::path() const noexcept { return state_->path; }

result<channel_message> channel_request(const std::string& path, channel_message request,
                                        duration timeout) {
  auto addr = address(path);
  if (!addr) return addr.error();
  const auto deadline = steady::now() + std::chrono::duration_cast<steady::duration>(timeout);
  fd_guard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return system_error("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un)) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return make_error(errc::unknown_resource,
                        fmt::format("no host listens on {}: {}", path, std::strerror(errno)));
    }
    return system_error(fmt::format("connect {}", path));
  }
  request["v"] = channel_version;
  if (auto w = write_all(fd.get(), to_line(request) + "\n"); !w) return w.error();
  auto line = read_line(fd.get(), channel_limits{}.max_message, deadline);
  if (!line) {
    if (line.error().code == make_error_code(errc::wait_timeout)) {
      return make_error(errc::wait_timeout,
                        fmt::format("the host on {} did not answer within {} ms", path,
                                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout)
                                        .count()));
    }
    return make_error(errc::operation_failed,
                      fmt::format("the host on {} answered badly: {}", path, line.error().message));
  }
  auto reply = parse_channel_message(*line);
  if (!reply) {
    return make_error(errc::operation_failed,
                      fmt::format("the host on {} answered badly: {}", path,
                                  reply.error().message));
  }
  return reply;
}

}  // namespace pendop::posix
