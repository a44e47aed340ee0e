# SPDX-License-Identifier: MIT
# Sourced by the scripts: installs the Debian packages they need, when
# missing, non-interactively (with sudo when not root). Nothing else is
# downloaded. PENDOP_NEEDS says which sets (default: all but fuzz):
#   build    the libraries and the pendop command
#   test     the test suite and benchmarks (doctest, Google Benchmark, ocf-tester)
#   cluster  the real-cluster test (a private single-node Pacemaker; root only)
#   win32    the Win32 backend: MinGW-w64 and Wine
#   fuzz     libFuzzer (clang)
#   package  the Debian packages (dpkg-dev, lintian, resource-agents)
set -euo pipefail

pendop_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

pendop_build_packages=(cmake ninja-build g++ pkg-config libboost-dev libfmt-dev nlohmann-json3-dev
                       libcli11-dev)
pendop_test_packages=(doctest-dev libbenchmark-dev resource-agents libxml2-utils)
pendop_cluster_packages=(pacemaker corosync crmsh iproute2)
pendop_win32_packages=(g++-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 wine wine64)
pendop_fuzz_packages=(clang libclang-rt-14-dev)
pendop_package_packages=(dpkg-dev lintian file resource-agents)

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

pendop_needed=()
for set in ${PENDOP_NEEDS:-build test cluster win32 package}; do
  case "$set" in
    build) pendop_needed+=("${pendop_build_packages[@]}") ;;
    test) pendop_needed+=("${pendop_test_packages[@]}") ;;
    cluster) pendop_needed+=("${pendop_cluster_packages[@]}") ;;
    win32) pendop_needed+=("${pendop_win32_packages[@]}") ;;
    fuzz) pendop_needed+=("${pendop_fuzz_packages[@]}") ;;
    package) pendop_needed+=("${pendop_package_packages[@]}") ;;
    *) echo "pendop: unknown package set '$set' in PENDOP_NEEDS" >&2; exit 2 ;;
  esac
done
pendop_ensure_packages "${pendop_needed[@]}"
cd "$pendop_root"
