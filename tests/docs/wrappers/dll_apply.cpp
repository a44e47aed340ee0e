// Wrapper for a docs block that defines `my_resource::apply`.
#include <pendop/pendop.hpp>

#include <cstdint>

class my_resource final : public pendop::resource {
 public:
  pendop::result<void> online(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  pendop::result<void> apply(const pendop::parameter_values& v) override;

 private:
  std::uint64_t port_ = 8080;
};

// @block@
