// SPDX-License-Identifier: MIT
// `quorum_resource`: a resource that can hold the cluster's quorum (ResApi
// Arbitrate and Release). Only a type that declares itself quorum-capable
// (`resource_type::quorum_capable`) gets non-NULL Arbitrate/Release entries
// in its function tables, and only then does GET_CHARACTERISTICS answer
// CLUS_CHAR_QUORUM: the documentation warns that a non-quorum resource
// chosen as the quorum makes the cluster unusable.
#pragma once

#include <pendop/resource.hpp>
#include <pendop/result.hpp>

#include <functional>

namespace pendop::win32 {

/// A resource that arbitrates for the quorum.
class quorum_resource : public pendop::resource {
 public:
  /// Arbitrate: gain ownership of the quorum (this node's claim on the
  /// shared device), returning once it is owned or refused. Keep `lost`
  /// and call it, from any thread, if ownership is lost later (the host
  /// forwards it to the monitor's QuorumResourceLost callback).
  virtual result<void> arbitrate(std::function<void()> lost) = 0;
  /// Release: give up ownership of the quorum.
  virtual result<void> release() = 0;
};

}  // namespace pendop::win32
