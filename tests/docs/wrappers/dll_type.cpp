// Wrapper for a docs block that declares a resource DLL's type for `my_resource`.
#include <pendop/pendop.hpp>

#include <cstdint>
#include <memory>
#include <string>

class my_resource final : public pendop::resource {
 public:
  explicit my_resource(std::uint64_t port) : port_(port) {}
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> apply(const pendop::parameter_values& v) override {
    port_ = v.number("Port");
    return pendop::ok();
  }

 private:
  std::uint64_t port_;
};

// @block@
