#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Windows tools installed as lib/pendop/win32 beside an installed pendop
# are found with no --checker, host_dir or PENDOP_WIN32_DIR: by check-dll,
# and by validate and run for a dll resource. The Linux pendop and the MinGW
# tools are installed from their build trees (install components cli and
# tools) into one staging prefix, the MinGW tree's destination set as
# docs/install.md says. Skipped (77) without a MinGW build or Wine.
#
# Usage: installed_win32_tools_test.sh LINUX_BUILD_DIR MINGW_BUILD_DIR
set -uo pipefail
linux_build=$1
mingw_build=$2
if [ ! -f "$mingw_build/bin/pendop_check.exe" ]; then
  echo "installed-tools: skipped: no MinGW build in $mingw_build"
  exit 77
fi
command -v wine >/dev/null || { echo "installed-tools: skipped: no Wine"; exit 77; }
export WINEDEBUG=-all
unset PENDOP_WIN32_DIR
work=$(mktemp -d /tmp/pendop-installed-tools.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
check() {  # check WHAT COMMAND...
  local what=$1
  shift
  if "$@" >"$work/out.txt" 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    tail -20 "$work/out.txt"
    fails=$((fails + 1))
  fi
}
prefix=$work/prefix
check "install the Linux pendop (component cli)" \
  cmake --install "$linux_build" --component cli --prefix "$prefix"
# The MinGW tree installs its tools to bin/ (its cache is shared with the
# other tests); they are moved where -DPENDOP_INSTALL_WIN32_TOOLSDIR=
# lib/pendop/win32 would have put them.
check "install the MinGW tools (component tools)" \
  cmake --install "$mingw_build" --component tools --prefix "$work/stage"
mkdir -p "$prefix/lib/pendop"
mv "$work/stage/bin" "$prefix/lib/pendop/win32"
pendop=$prefix/bin/pendop
dll=$mingw_build/bin/pendop_example_resource.dll

check "check-dll finds the checker beside pendop" \
  "$pendop" check-dll "$dll" --type "pendop Example" --scenario startup --mode v2
grep -q "pendop_check: 3 passed, 0 failed" "$work/out.txt" || {
  echo "FAIL check-dll: not the checker's summary"; cat "$work/out.txt"; fails=$((fails + 1)); }

cat >"$work/dll.json" <<JSON
{"resources": [{"name": "web", "type": "dll", "properties": {"PendingTimeout": 30000},
   "dll": {"path": "$dll", "resource_type": "pendop Example", "private_properties": {"online_ms": 200}}}],
 "script": [{"online": "web"}, {"wait_for": "web", "state": "Online", "timeout_ms": 60000},
            {"offline": "web"}, {"wait_for": "web", "state": "Offline", "timeout_ms": 60000}],
 "expect": {"final": {"web": "Offline"}}}
JSON
check "validate finds the host beside pendop" "$pendop" validate "$work/dll.json"
check "run hosts the DLL with it" "$pendop" run "$work/dll.json" --log --out "$work/out"
grep -q "lib/pendop/win32/pendop_test_host.exe" "$work/out/web.log" || {
  echo "FAIL run: the host was not the installed one"; cat "$work/out/web.log"; fails=$((fails + 1)); }

# Moved away, the tools are not found, and the message says where to put them.
mv "$prefix/lib/pendop/win32" "$prefix/lib/pendop/elsewhere"
"$pendop" check-dll "$dll" --type "pendop Example" >"$work/out.txt" 2>&1
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "or install them in $prefix/lib/pendop/win32" "$work/out.txt"; then
  echo "FAIL check-dll without the tools: exit $rc"; cat "$work/out.txt"; fails=$((fails + 1))
else
  echo "ok   check-dll without the tools names the place"
fi
[ "$fails" -eq 0 ] && echo "installed-tools: all passed" || { echo "installed-tools: $fails failed"; exit 1; }
