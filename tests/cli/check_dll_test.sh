#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `pendop check-dll` against the MinGW build's checker, under Wine: the
# example DLL passes, a DLL whose IsAlive answers FALSE fails the rule aimed
# at it (in text and in JSON), a type the DLL does not have is exit code 2.
# Skipped (77) when there is no MinGW build yet; scripts/test builds it first.
#
# Usage: check_dll_test.sh PENDOP MINGW_BIN_DIR
set -uo pipefail
pendop=$1
bin=$2
if [ ! -f "$bin/pendop_check.exe" ] || [ ! -f "$bin/raw_is_alive_false.dll" ]; then
  echo "check-dll: skipped: no MinGW build in $bin (cmake --workflow --preset mingw makes one)"
  exit 77
fi
command -v wine >/dev/null || { echo "check-dll: skipped: no Wine"; exit 77; }
export WINEDEBUG=-all
fails=0
check() {  # check NAME WANT_RC REGEX -- ARGS...
  local name=$1 want=$2 regex=$3
  shift 4
  local out rc
  out=$("$pendop" check-dll "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -Eq -- "$regex" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $want), output:"
    echo "$out" | tail -20
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
check example 0 "pendop_check: 43 passed, 0 failed, 1 skipped" -- \
  "$bin/pendop_example_resource.dll" --type "pendop Example" --checker "$bin"
check is_alive_false 1 "^FAIL V2 health.after_online .*IsAlive FALSE" -- \
  "$bin/raw_is_alive_false.dll" --type "pendop Raw" --checker "$bin" --mode v2
check json 1 '^\{"rule":"health.after_online","mode":"V1","result":"fail","message":"' -- \
  "$bin/raw_is_alive_false.dll" --type "pendop Raw" --json --mode v1 --scenario lifecycle \
  --checker "$bin"
PENDOP_WIN32_DIR="$bin" check wrong_type 2 "FAIL V2 load .*returned 5080" -- \
  "$bin/raw_clean.dll" --type "no such type"
echo "check-dll: $fails failed"
[ "$fails" -eq 0 ]
