// SPDX-License-Identifier: MIT
#include <pendop/platform/detached_thread.hpp>

#include <thread>
#include <utility>

namespace pendop::platform {

void start_detached_thread(std::function<void()> body) { std::thread(std::move(body)).detach(); }

}  // namespace pendop::platform
