#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/windows-dll.md's "Building your DLL", run as written: in a scratch
# directory holding a copy of pendop's source tree as pendop/ and a DLL
# project as my_resource/ (its CMakeLists.txt is the document's cmake
# block, its source tests/package_win32/main.cpp), the document's sh block
# runs line by line with HOME in the scratch directory. The packages of its
# apt-get line must be installed (they are checked, not installed). Then the
# DLL must export exactly Startup and StartupEx, import only Windows' own
# DLLs, resutils and clusapi, load under Wine in the test host (StartupEx,
# Open, Online until Online, Close) and pass pendop_check. The DLL is kept
# as BIN_DIR/../recipe/my_resource.dll.
#
# Usage: recipe_test.sh SOURCE_DIR BIN_DIR   (BIN_DIR: pendop_test_host.exe,
#        pendop_check.exe and the doubles resutils.dll and clusapi.dll)
set -euo pipefail
src=$(cd "$1" && pwd)
bin=$(cd "$2" && pwd)
doc="$src/docs/windows-dll.md"
marker='<!-- run by: tests/package_win32/recipe_test.sh -->'

work=$(mktemp -d "${TMPDIR:-/var/tmp}/pendop-recipe.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The fenced block of language $1 that follows the marker.
block() {
  awk -v marker="$marker" -v lang="$1" '
    $0 == marker { armed = 1; next }
    armed && $0 == "```" lang { inside = 1; armed = 0; next }
    inside && $0 == "```" { exit }
    inside { print }
    { armed = armed && $0 == "" }' "$doc"
}

mkdir -p "$work/pendop" "$work/my_resource" "$work/home"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z -co --exclude-standard) | tar -C "$src" --null -T - -cf - |
    tar -C "$work/pendop" -xf -
else
  tar -C "$src" --exclude=./build -cf - . | tar -C "$work/pendop" -xf -
fi
block cmake > "$work/my_resource/CMakeLists.txt"
cp "$src/tests/package_win32/main.cpp" "$work/my_resource/my_resource.cpp"
block sh > "$work/recipe.sh"
[ -s "$work/my_resource/CMakeLists.txt" ] || { echo "recipe: no cmake block in $doc"; exit 1; }
[ -s "$work/recipe.sh" ] || { echo "recipe: no sh block in $doc"; exit 1; }

# The apt-get line names what the recipe needs: each must be installed.
apt_line=$(grep -E '^apt-get install' "$work/recipe.sh" || true)
for pkg in $apt_line; do
  case "$pkg" in apt-get|install|-*) continue ;; esac
  dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    { echo "recipe: $pkg (from the apt-get line) is not installed"; exit 1; }
done
grep -vE '^apt-get install' "$work/recipe.sh" > "$work/commands.sh"

echo "recipe: running docs/windows-dll.md's commands in $work"
(cd "$work" && HOME="$work/home" bash -euxo pipefail commands.sh) > "$work/recipe.log" 2>&1 ||
  { tail -40 "$work/recipe.log"; echo "recipe: the documented commands failed"; exit 1; }

dll="$work/my_resource/build/my_resource.dll"
[ -f "$dll" ] || { echo "recipe: no $dll"; exit 1; }
dump=$(x86_64-w64-mingw32-objdump -p "$dll")
exports=$(sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' <<<"$dump" |
          sed -nE 's/^\s*\[ *[0-9]+\] (.*)$/\1/p' | sort | tr '\n' ' ')
[ "$exports" = "Startup StartupEx " ] ||
  { echo "recipe: my_resource.dll exports '$exports', expected exactly 'Startup StartupEx'"; exit 1; }
imports=$(sed -nE 's/^\s*DLL Name: (.*)$/\1/p' <<<"$dump" | tr 'A-Z' 'a-z' | sort | tr '\n' ' ')
for name in $imports; do
  case "$name" in
    kernel32.dll|msvcrt.dll|resutils.dll|clusapi.dll) ;;
    *) echo "recipe: my_resource.dll imports $name (only kernel32, msvcrt, resutils and clusapi" \
            "are on a cluster node)"; exit 1 ;;
  esac
done
echo "recipe: exports $exports; imports $imports"

# Load it as the Resource Monitor would, under Wine with the test doubles.
run="$work/run"
mkdir -p "$run"
cp "$dll" "$bin/pendop_test_host.exe" "$bin/pendop_check.exe" "$bin/resutils.dll" \
   "$bin/clusapi.dll" "$run/"
(cd "$run" && "$src/cmake/wine-run.sh" pendop_test_host.exe my_resource.dll "My Service" \
   --pending-timeout 5000 open:Recipe1 online await close) > "$work/host.log" 2>&1 || true
cat "$work/host.log"
grep -q '"event":"startup_ex","rc":0' "$work/host.log" ||
  { echo "recipe: StartupEx of my_resource.dll failed"; exit 1; }
grep -q '"state":"Online"' "$work/host.log" ||
  { echo "recipe: my_resource.dll never reported Online"; exit 1; }
grep -q '"event":"close","resource":"Recipe1","rc":0' "$work/host.log" ||
  { echo "recipe: Close of my_resource.dll failed"; exit 1; }
# And every rule of the checker, in both modes.
(cd "$run" && "$src/cmake/wine-run.sh" pendop_check.exe my_resource.dll --type "My Service") \
  > "$work/check.log" 2>&1 || true
grep -E '^(FAIL|pendop_check:)' "$work/check.log"
grep -Eq '^pendop_check: [0-9]+ passed, 0 failed' "$work/check.log" ||
  { echo "recipe: pendop_check found faults in my_resource.dll"; exit 1; }
# Kept beside the MinGW build for cli_run_dll, which runs it under `pendop run`.
mkdir -p "$bin/../recipe"
cp "$dll" "$bin/../recipe/my_resource.dll"
echo "recipe: passed"
