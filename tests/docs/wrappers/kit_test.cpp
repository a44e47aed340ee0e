// Wrapper for a docs block that is a doctest case checking `my_db` with the kit.
#include <pendop/pendop.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>

class my_db final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
};

// @block@
