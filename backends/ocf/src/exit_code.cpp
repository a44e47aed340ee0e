// SPDX-License-Identifier: MIT
#include <pendop/ocf/exit_code.hpp>

namespace pendop::ocf {

std::string_view to_string(exit_code c) noexcept {
  switch (c) {
    case exit_code::success: return "OCF_SUCCESS";
    case exit_code::err_generic: return "OCF_ERR_GENERIC";
    case exit_code::err_args: return "OCF_ERR_ARGS";
    case exit_code::err_unimplemented: return "OCF_ERR_UNIMPLEMENTED";
    case exit_code::err_perm: return "OCF_ERR_PERM";
    case exit_code::err_installed: return "OCF_ERR_INSTALLED";
    case exit_code::err_configured: return "OCF_ERR_CONFIGURED";
    case exit_code::not_running: return "OCF_NOT_RUNNING";
  }
  return "OCF_ERR_GENERIC";
}

exit_code monitor_code(resource_state persisted, bool alive) noexcept {
  switch (persisted) {
    case resource_state::offline:
    case resource_state::initializing:
    case resource_state::unknown:
      return exit_code::not_running;
    case resource_state::online:
      return alive ? exit_code::success : exit_code::err_generic;
    default:
      return exit_code::err_generic;  // Failed, or an action died half-way
  }
}

exit_code start_code(resource_state final) noexcept {
  return final == resource_state::online ? exit_code::success : exit_code::err_generic;
}

exit_code stop_code(resource_state final) noexcept {
  return final == resource_state::offline ? exit_code::success : exit_code::err_generic;
}

}  // namespace pendop::ocf
