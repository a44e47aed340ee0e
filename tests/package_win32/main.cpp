// SPDX-License-Identifier: MIT
// docs/windows-dll.md's resource DLL, against an installed pendop.
#include <pendop/win32/resource_dll.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace {

class my_resource final : public pendop::resource {
 public:
  explicit my_resource(std::uint64_t port) : port_(port) {}
  pendop::result<void> online(pendop::operation& op) override {
    op.log(pendop::log_level::info, "listening on " + std::to_string(port_));
    return pendop::ok();
  }
  pendop::result<void> offline(pendop::operation&) override { return pendop::ok(); }
  // Values SET after Open (Set-ClusterParameter) arrive here before the next
  // Online: without this, the resource keeps the Port it was made with.
  pendop::result<void> apply(const pendop::parameter_values& v) override {
    port_ = v.number("Port");
    return pendop::ok();
  }

 private:
  std::uint64_t port_;
};

pendop::win32::resource_type my_type() {
  pendop::win32::resource_type type;
  type.name = L"My Service";
  type.parameters = {
      {.name = "Port", .description = "TCP port", .default_value = std::uint64_t{8080},
       .min = 1, .max = 65535, .applies_at_online = true},
  };
  type.make = [](std::wstring_view, const pendop::parameter_values& v)
      -> pendop::result<std::unique_ptr<pendop::resource>> {
    return std::unique_ptr<pendop::resource>(std::make_unique<my_resource>(v.number("Port")));
  };
  return type;
}

}  // namespace

PENDOP_RESOURCE_DLL(my_type)
