// SPDX-License-Identifier: MIT
// `operation_details`: what a host knows about why an Online or Offline
// runs, handed to the body through `operation::details()`. A resource DLL
// fills it from ResApi's V2 entry points (OnlineV2's OnlineFlags,
// OfflineV2's OfflineFlags and DestinationNodeName, docs/resapi.md); other
// hosts leave it empty.
#pragma once

#include <cstdint>
#include <string>

namespace pendop {

/// The request behind one operation.
struct operation_details {
  /// OnlineV2's OnlineFlags or OfflineV2's OfflineFlags as the cluster passed
  /// them (CLUS_RESDLL_ONLINE_* / CLUS_RESDLL_OFFLINE_*, e.g.
  /// CLUS_RESDLL_OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR 0x2); 0 elsewhere.
  std::uint32_t flags = 0;
  /// OfflineV2's DestinationNodeName (UTF-8): the node the resource moves
  /// to; empty when not moving or not told.
  std::string destination_node{};

  friend bool operator==(const operation_details&, const operation_details&) = default;
};

}  // namespace pendop
