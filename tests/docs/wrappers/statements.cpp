// Wrapper for a docs block of statements: the body of a function, with the
// public headers of the core and the POSIX host in scope, and a resource
// class `my_database`.
#include <pendop/pendop.hpp>
#include <pendop/posix/monitor.hpp>
#include <pendop/posix/resource_runner.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

class my_database final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
};

void docs_block() {
// @block@
}
