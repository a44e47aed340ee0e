// SPDX-License-Identifier: MIT
// `host_channel`: requests between a resource host process and the short
// processes that drive it (an OCF agent's actions; later, a monitor driving
// a resource DLL in a host of its own), over a Unix socket.
//
//   channel_server server = *channel_server::listen(path, handler);
//   auto reply = channel_request(path, {{"op", "status"}}, 2s);
//
// One request per connection: the client writes one message, the server
// answers with one and closes. A message is a JSON object on one line whose
// values are strings, at most `max_message` bytes; every message carries
// "v" (the protocol version, "1"). The socket is created mode 0600 and the
// server answers only a peer with its own effective uid (SO_PEERCRED). A
// malformed, oversized, wrong-version or foreign request gets an error reply
// (`ok` "false", `error` naming what is wrong), never a crash; a client that
// sends nothing within `read_timeout` is dropped. docs/resident-host.md
// describes the protocol.
//
// Thread-safety: the handler runs on the server's connection threads, one
// per connection (at most `max_connections` at once; more wait); it may
// block (a request may wait for an operation) and must be thread-safe.
#pragma once

#include <pendop/result.hpp>
#include <pendop/time.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace pendop::posix {

/// One request or reply: names to string values.
using channel_message = std::map<std::string, std::string, std::less<>>;

/// The protocol version every message carries as "v".
inline constexpr const char* channel_version = "1";

/// Limits of a server.
struct channel_limits {
  /// The longest message, newline included.
  std::size_t max_message = 64 * 1024;
  /// How long a client may take to send its request.
  duration read_timeout = std::chrono::seconds(5);
  /// Connections served at once.
  std::size_t max_connections = 16;
};

namespace detail {
struct channel_server_state;
}  // namespace detail

/// Serves requests on a Unix socket until destroyed.
class channel_server {
 public:
  /// Answers one well-formed request (its "v" already checked).
  using handler = std::function<channel_message(const channel_message& request)>;

  /// Binds `path` (replacing a stale socket file there), mode 0600, and
  /// serves on threads of its own. Errors: `invalid_argument` for a path too
  /// long for a socket or an empty handler, `operation_failed` with the
  /// system's reason when the socket cannot be made.
  static result<channel_server> listen(std::string path, handler h, channel_limits limits = {});

  channel_server(channel_server&&) noexcept;
  channel_server& operator=(channel_server&&) noexcept;
  channel_server(const channel_server&) = delete;
  channel_server& operator=(const channel_server&) = delete;
  /// Stops accepting, waits for the connections being served, removes the
  /// socket file if it is still this server's (not a newer one's at the
  /// same path).
  ~channel_server();

  [[nodiscard]] const std::string& path() const noexcept;

 private:
  explicit channel_server(std::unique_ptr<detail::channel_server_state> s) noexcept;
  std::unique_ptr<detail::channel_server_state> state_;
};

/// Sends `request` (with "v" added) to the server at `path` and returns its
/// reply. Errors: `unknown_resource` when nothing listens there (no socket,
/// or refused), `wait_timeout` when no whole reply came within `timeout`,
/// `operation_failed` for a malformed reply or a system error, named.
result<channel_message> channel_request(const std::string& path, channel_message request,
                                        duration timeout);

/// The message as its JSON line (without the newline); and back. Errors of
/// `parse_channel_message`: `malformed_json` naming what is wrong.
[[nodiscard]] std::string to_line(const channel_message& m);
result<channel_message> parse_channel_message(std::string_view line);

}  // namespace pendop::posix
