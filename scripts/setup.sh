# SPDX-License-Identifier: MIT
# Sourced by scripts/test, scripts/demo and scripts/bench: installs the Debian
# packages pendop builds with, when missing, non-interactively (with sudo
# when not root). Nothing else is downloaded.
set -euo pipefail

pendop_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pendop_packages=(
  cmake ninja-build g++ pkg-config
  libboost-dev libfmt-dev nlohmann-json3-dev doctest-dev libbenchmark-dev
  resource-agents libxml2-utils
  # The real-cluster test (label pacemaker): a private single-node cluster.
  pacemaker corosync crmsh
)
# scripts/fuzz: libFuzzer comes with clang.
pendop_fuzz_packages=(clang libclang-rt-14-dev)
# The Win32 backend: cross-built with MinGW-w64, tested under Wine.
pendop_win32_packages=(g++-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 wine wine64)

pendop_ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "pendop: installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

pendop_ensure_packages "${pendop_packages[@]}"
if [ "${PENDOP_WIN32:-1}" != 0 ]; then
  pendop_ensure_packages "${pendop_win32_packages[@]}"
fi
cd "$pendop_root"
