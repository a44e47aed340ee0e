// SPDX-License-Identifier: MIT
// host_channel: one request, one reply, over a Unix socket; every bad input
// gets an error reply that names it.
#include <pendop/posix/host_channel.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace std::chrono_literals;
using pendop::posix::channel_limits;
using pendop::posix::channel_message;
using pendop::posix::channel_request;
using pendop::posix::channel_server;

namespace {

// A scratch directory, removed at the end.
struct scratch {
  scratch() {
    char pattern[] = "/tmp/pendop-channel-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    dir = pattern;
  }
  ~scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  [[nodiscard]] std::string path(const char* name) const { return (dir / name).string(); }
  std::filesystem::path dir;
};

channel_server echo_server(const std::string& path, channel_limits limits = {}) {
  auto s = channel_server::listen(
      path,
      [](const channel_message& req) {
        channel_message reply{{"ok", "true"}};
        if (const auto op = req.find("op"); op != req.end()) reply["op"] = op->second;
        return reply;
      },
      limits);
  REQUIRE_MESSAGE(s, (s ? std::string() : s.error().message));
  return std::move(*s);
}

// Sends raw bytes (then, with `close_write`, the end of the stream) and
// returns the raw reply.
std::string raw_exchange(const std::string& path, const std::string& bytes,
                         bool close_write = true) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (close_write) ::shutdown(fd, SHUT_WR);
  std::string reply;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

}  // namespace

TEST_SUITE("posix/host_channel") {

TEST_CASE("a request gets its reply, with the protocol version, from a 0600 socket") {
  scratch d;
  auto server = echo_server(d.path("h.sock"));
  struct stat st{};
  REQUIRE(::stat(server.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto reply = channel_request(server.path(), {{"op", "status"}}, 5s);
  REQUIRE(reply);
  CHECK(reply->at("ok") == "true");
  CHECK(reply->at("op") == "status");
  CHECK(reply->at("v") == "1");
}

TEST_CASE("malformed, oversized, wrong-version and non-string requests get an error reply") {
  scratch d;
  auto server = echo_server(d.path("h.sock"), {.max_message = 64});
  CHECK(raw_exchange(server.path(), "not json\n") ==
        "{\"error\":\"bad request: the message is not JSON\",\"ok\":\"false\",\"v\":\"1\"}\n");
  CHECK(raw_exchange(server.path(), "[1]\n").find("not a JSON object") != std::string::npos);
  CHECK(raw_exchange(server.path(), "{\"v\":1}\n").find("the value of \\\"v\\\" is not a string") !=
        std::string::npos);
  CHECK(raw_exchange(server.path(), "{\"v\":\"7\"}\n")
            .find("protocol version \\\"7\\\" is not supported (this host speaks 1)") !=
        std::string::npos);
  CHECK(raw_exchange(server.path(), "{}\n").find("protocol version \\\"\\\" is not supported") !=
        std::string::npos);
  CHECK(raw_exchange(server.path(), std::string(100, 'x') + "\n")
            .find("message longer than 64 bytes") != std::string::npos);
  CHECK(raw_exchange(server.path(), "{\"v\":\"1\"").find("closed before a whole line") !=
        std::string::npos);
  // The server is still there.
  CHECK(channel_request(server.path(), {{"op", "again"}}, 5s));
}

TEST_CASE("a client that sends nothing is dropped after read_timeout") {
  scratch d;
  auto server = echo_server(d.path("h.sock"), {.read_timeout = 50ms});
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(raw_exchange(server.path(), "", /*close_write=*/false).find("no whole message in time") !=
        std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("a handler that throws is an error reply, and the server goes on") {
  scratch d;
  auto server = channel_server::listen(d.path("h.sock"), [](const channel_message&) -> channel_message {
    throw std::runtime_error("the resource is gone");
  });
  REQUIRE(server);
  const auto reply = channel_request(server->path(), {{"op", "status"}}, 5s);
  REQUIRE(reply);
  CHECK(reply->at("ok") == "false");
  CHECK(reply->at("error") == "the host failed to answer: the resource is gone");
}

TEST_CASE("nothing listening, a slow host and a bad path are named errors") {
  scratch d;
  const auto none = channel_request(d.path("none.sock"), {{"op", "status"}}, 1s);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == pendop::errc::unknown_resource);
  std::atomic<bool> release{false};
  auto slow = channel_server::listen(d.path("slow.sock"), [&](const channel_message&) {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    return channel_message{{"ok", "true"}};
  });
  REQUIRE(slow);
  const auto late = channel_request(slow->path(), {{"op", "status"}}, 50ms);
  release = true;
  REQUIRE_FALSE(late);
  CHECK(late.error().code == pendop::errc::wait_timeout);
  CHECK(late.error().message.find("did not answer within 50 ms") != std::string::npos);
  const auto long_path = channel_server::listen(std::string(200, 'p'), [](const channel_message&) {
    return channel_message{};
  });
  REQUIRE_FALSE(long_path);
  CHECK(long_path.error().code == pendop::errc::invalid_argument);
  const auto no_handler = channel_server::listen(d.path("x.sock"), {});
  REQUIRE_FALSE(no_handler);
  CHECK(no_handler.error().message == "channel_server: the handler is empty");
}

TEST_CASE("a stale socket file is replaced, and the file is removed with the server") {
  scratch d;
  const std::string path = d.path("h.sock");
  { auto first = echo_server(path); }
  CHECK_FALSE(std::filesystem::exists(path));
  { std::ofstream stale(path); }
  auto second = echo_server(path);
  CHECK(channel_request(path, {{"op", "status"}}, 5s));
  {
    // A newer server takes the path; the older one, ending, leaves it be.
    std::optional<channel_server> older(echo_server(d.path("o.sock")));
    std::filesystem::remove(older->path());
    auto newer = echo_server(d.path("o.sock"));
    older.reset();
    CHECK(std::filesystem::exists(d.path("o.sock")));
    CHECK(channel_request(d.path("o.sock"), {{"op", "status"}}, 5s));
  }
}

TEST_CASE("a peer of another uid is refused by name") {
  if (::geteuid() != 0) return;  // needs to become another user
  scratch d;
  auto server = echo_server(d.path("h.sock"));
  REQUIRE(::chmod(d.dir.c_str(), 0755) == 0);
  REQUIRE(::chmod(server.path().c_str(), 0666) == 0);  // past the file mode, to the uid check
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, server.path().c_str(), sizeof(addr.sun_path) - 1);
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only system calls here: the parent has threads, so the child must not
    // allocate. It passes the raw reply line to the parent.
    ::close(pipefd[0]);
    if (::setuid(65534) != 0) ::_exit(2);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      ::_exit(3);
    }
    static const char request[] = "{\"op\":\"status\",\"v\":\"1\"}\n";
    (void)!::send(fd, request, sizeof request - 1, MSG_NOSIGNAL);
    char buf[512];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
      (void)!::write(pipefd[1], buf, static_cast<std::size_t>(n));
    }
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::string text;
  char buf[256];
  ssize_t n = 0;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(text ==
        "{\"error\":\"peer uid 65534 is not this host's uid 0\",\"ok\":\"false\",\"v\":\"1\"}\n");
}

}  // TEST_SUITE
