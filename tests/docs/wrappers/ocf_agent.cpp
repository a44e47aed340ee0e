// Wrapper for a docs block that defines an OCF agent for `my_service`.
#include <pendop/pendop.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

class my_service final : public pendop::resource {
 public:
  explicit my_service(std::uint64_t port) : port_(port) {}
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }

 private:
  std::uint64_t port_;
};

// @block@
