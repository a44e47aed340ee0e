#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `pendop run` with dll resources, hosted under Wine by the MinGW build's
# pendop_test_host.exe: the example DLL goes Online and Offline with its
# private properties set; a DLL that stops reporting is terminated at its
# PendingTimeout and restarted by policy; a crash, an IsAlive FALSE and an
# Online that never returns are failures the restart policy handles; a
# LooksAlive that never returns meets DeadlockTimeout; Ctrl-C takes the DLL
# offline; a DLL that needs its ResourceKey gets one, and the DLL the
# documented recipe builds runs; bad dll blocks are
# refused with their JSON paths; no host outlives its run.
# Skipped (77) when there is no MinGW build yet; scripts/test builds it first.
#
# Usage: run_dll_test.sh PENDOP MINGW_BIN_DIR
set -uo pipefail
pendop=$1
bin=$2
for f in pendop_test_host.exe pendop_example_resource.dll raw_hang_online.dll raw_needs_key.dll \
         raw_hang_looks_alive.dll raw_report_before_return.dll; do
  if [ ! -f "$bin/$f" ]; then
    echo "run-dll: skipped: no $f in $bin (cmake --workflow --preset mingw makes it)"
    exit 77
  fi
done
command -v wine >/dev/null || { echo "run-dll: skipped: no Wine"; exit 77; }
export WINEDEBUG=-all
unset PENDOP_WIN32_DIR
work=$(mktemp -d /tmp/pendop-run-dll.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() {  # bad WHAT FILE...: the files in full, and the logs beside them
  echo "FAIL $1"
  shift
  local f
  for f in "$@"; do
    [ -f "$f" ] && cat "$f"
    for log in "${f%.txt}"/*.log; do
      [ -f "$log" ] && { echo "--- $log"; cat "$log"; }
    done
  done
  fails=$((fails + 1))
}
# expect NAME FILE REGEX...: every REGEX matches a line of FILE.
expect() {
  local name=$1 file=$2
  shift 2
  for re in "$@"; do
    if ! grep -Eq -- "$re" "$file"; then
      bad "$name: no line matches: $re" "$file"
      return
    fi
  done
  ok "$name"
}
# hosts_gone NAME OUT: every host a log says it started has ended.
hosts_gone() {
  local pids
  pids=$(sed -n 's/^# started .* (pid \([0-9]*\))$/\1/p' "$2"/*.log)
  for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null; then
      bad "$1: host $pid still runs"
      return
    fi
  done
  ok "$1: $(wc -w <<<"$pids") hosts started, none left"
}
run() {  # run NAME SCENARIO WANT_RC
  local out="$work/$1"
  "$pendop" run "$2" --log --out "$out" >"$work/$1.txt" 2>&1
  local rc=$?
  if [ "$rc" -ne "$3" ]; then
    bad "$1: exit $rc (want $3)" "$work/$1.txt"
    return 1
  fi
  ok "$1: exit $rc"
}

# The example DLL, its private properties set through SET_PRIVATE_PROPERTIES.
cat >"$work/example.json" <<JSON
{"resources": [
  {"name": "web", "type": "dll",
   "properties": {"PendingTimeout": 5000, "LooksAlivePollInterval": 300, "IsAlivePollInterval": 600},
   "dll": {"path": "$bin/pendop_example_resource.dll", "resource_type": "pendop Example",
           "host_dir": "$bin", "private_properties": {"online_ms": 1200, "report_ms": 300}}},
  {"name": "keyed", "type": "dll", "properties": {"PendingTimeout": 5000},
   "dll": {"path": "$bin/raw_needs_key.dll", "resource_type": "pendop Raw",
           "host_dir": "$bin", "private_properties": {"Port": 9090}}}],
 "script": [{"online": "web"}, {"online": "keyed"},
            {"wait_for": "web", "state": "Online", "timeout_ms": 60000},
            {"wait_for": "keyed", "state": "Online", "timeout_ms": 60000},
            {"wait_ms": 1500}, {"offline": "web"}, {"offline": "keyed"},
            {"wait_for": "web", "state": "Offline"}, {"wait_for": "keyed", "state": "Offline"}],
 "expect": {"final": {"web": "Offline", "keyed": "Offline"}, "terminates": {"web": 0},
            "failures": {"web": 0, "keyed": 0}}}
JSON
if run example "$work/example.json" 0; then
  expect "example: reports" "$work/example.txt" \
    "web +status +OnlinePending -> OnlinePending cp=1 \[SetResourceStatus\] OnlinePending checkpoint 1" \
    "web +status +OnlinePending -> OnlinePending cp=4 \[SetResourceStatus\] OnlinePending checkpoint 4" \
    "web +status +OnlinePending -> Online cp=5" "web +status +OfflinePending -> Offline" \
    "expectations: all held"
  expect "example: the channel in web.log" "$work/example/web.log" \
    '^> set:online_ms=1200,report_ms=300$' \
    '"event":"log".*taken up at the next Online: online_ms, report_ms' \
    '^> online$' '"event":"online","resource":"web","rc":997' \
    '^> looks_alive$' '"event":"looks_alive","resource":"web","rc":1' \
    '^> is_alive$' '^> close$' '^# the host exited with code 0$'
  expect "example: a DLL that needs its ResourceKey gets one" "$work/example/keyed.log" \
    '"event":"open","resource":"keyed","rc":0' '^> set:Port=9090$' \
    '"event":"control","resource":"keyed","rc":0,"text":"0x01400086"'
  hosts_gone example "$work/example"
fi

# A worker that reports its final state before its entry point has returned
# ERROR_IO_PENDING (legal, and what a fast worker does by chance): the run
# takes that report, and the operation ends without waiting for PendingTimeout.
cat >"$work/early.json" <<JSON
{"resources": [
  {"name": "early", "type": "dll", "properties": {"PendingTimeout": 5000},
   "dll": {"path": "$bin/raw_report_before_return.dll", "resource_type": "pendop Raw",
           "host_dir": "$bin"}}],
 "script": [{"online": "early"}, {"wait_for": "early", "state": "Online", "timeout_ms": 60000},
            {"offline": "early"}, {"wait_for": "early", "state": "Offline", "timeout_ms": 4000}],
 "expect": {"final": {"early": "Offline"}, "failures": {"early": 0}, "terminates": {"early": 0}}}
JSON
if run early "$work/early.json" 0; then
  expect "early: reports before the return are taken" "$work/early.txt" \
    "early +status +OnlinePending -> Online" "early +status +OfflinePending -> Offline"
  hosts_gone early "$work/early"
fi

# The DLL that docs/windows-dll.md's recipe builds from an installed pendop
# (kept by package_win32_recipe in the MinGW build), Port set, Online and Offline.
recipe_dll=$bin/../recipe/my_resource.dll
if [ -f "$recipe_dll" ]; then
  cat >"$work/recipe.json" <<JSON
{"resources": [
  {"name": "svc", "type": "dll", "properties": {"PendingTimeout": 30000},
   "dll": {"path": "$recipe_dll", "resource_type": "My Service", "host_dir": "$bin",
           "private_properties": {"Port": 9443}}}],
 "script": [{"online": "svc"}, {"wait_for": "svc", "state": "Online", "timeout_ms": 60000},
            {"offline": "svc"}, {"wait_for": "svc", "state": "Offline", "timeout_ms": 60000}],
 "expect": {"final": {"svc": "Offline"}, "failures": {"svc": 0}}}
JSON
  if run recipe "$work/recipe.json" 0; then
    expect "recipe: the documented DLL, its Port taken up at Online" "$work/recipe.txt" \
      "svc +log +info: listening on 9443" "svc +status +OnlinePending -> Online" \
      "svc +status +OfflinePending -> Offline"
    hosts_gone recipe "$work/recipe"
  fi
else
  echo "skip recipe: no $recipe_dll (the MinGW tests' package_win32_recipe keeps it)"
fi

# Ctrl-C at a terminal (SIGINT to pendop's process group): the host, in a
# group of its own, is not hit; the run takes the DLL offline in order.
cat >"$work/sigint.json" <<JSON
{"resources": [
  {"name": "web", "type": "dll", "properties": {"PendingTimeout": 5000},
   "dll": {"path": "$bin/pendop_example_resource.dll", "resource_type": "pendop Example",
           "host_dir": "$bin", "private_properties": {"online_ms": 300, "offline_ms": 600}}}],
 "script": [{"online": "web"}, {"wait_ms": 600000}]}
JSON
setsid "$pendop" run "$work/sigint.json" --log --out "$work/sigint" >"$work/sigint.txt" 2>&1 &
runner=$!
for _ in $(seq 1 600); do
  grep -q "OnlinePending -> Online cp" "$work/sigint.txt" 2>/dev/null && break
  sleep 0.1
done
kill -INT -- "-$runner"
wait "$runner"
rc=$?
if [ "$rc" -ne 130 ]; then bad "sigint: exit $rc (want 130)" "$work/sigint.txt"; else
  expect "sigint: web taken offline by the DLL" "$work/sigint.txt" \
    "web +status +OfflinePending -> Offline" "taken offline at the end: web" \
    "interrupted by SIGINT"
  expect "sigint: the host closed, not killed" "$work/sigint/web.log" \
    '^> offline$' '^> close$' '^# the host exited with code 0$'
  hosts_gone sigint "$work/sigint"
fi

# PendingTimeout, a crash, IsAlive FALSE, each with RestartThreshold 1: one
# restart, then Failed.
policy='"RestartAction": 1, "RestartThreshold": 1, "RestartDelay": 500'
cat >"$work/faults.json" <<JSON
{"resources": [
  {"name": "stall", "type": "dll", "properties": {"PendingTimeout": 2000, $policy},
   "dll": {"path": "$bin/pendop_example_resource.dll", "resource_type": "pendop Example",
           "host_dir": "$bin", "private_properties": {"online_ms": 60000, "report_ms": 30000}}},
  {"name": "crash", "type": "dll", "properties": {"PendingTimeout": 5000, $policy},
   "dll": {"path": "$bin/raw_crash_online.dll", "resource_type": "pendop Raw", "host_dir": "$bin"}},
  {"name": "sick", "type": "dll",
   "properties": {"PendingTimeout": 5000, "IsAlivePollInterval": 500, $policy},
   "dll": {"path": "$bin/raw_is_alive_false.dll", "resource_type": "pendop Raw",
           "host_dir": "$bin", "startup": "Startup"}}],
 "script": [{"online": "stall"}, {"online": "crash"}, {"online": "sick"},
            {"wait_for": "stall", "state": "Failed", "timeout_ms": 60000},
            {"wait_for": "stall", "state": "OnlinePending", "timeout_ms": 60000},
            {"wait_for": "stall", "state": "Failed", "timeout_ms": 60000}, {"wait_ms": 1500}],
 "expect": {"final": {"stall": "Failed", "crash": "Failed", "sick": "Failed"},
            "terminates": {"stall": 2}, "restarts": {"stall": 1, "crash": 1, "sick": 1},
            "failures": {"stall": 2, "crash": 2}}}
JSON
if run faults "$work/faults.json" 0; then
  expect "faults: what the run said" "$work/faults.txt" \
    "stall +terminated +reason=pending_timeout" "stall +restart +automatic Online, attempt 1" \
    "crash +status +OnlinePending -> Failed .*the DLL host exited with code 5: the DLL crashed \(exception 0xc0000005 at" \
    "crash +log +info: the DLL host exited .*; starting a new host" \
    "sick +is_alive_failed +IsAlive returned FALSE" \
    "sick +terminated +reason=terminate_called  after a failed health check: IsAlive returned FALSE" \
    "expectations: all held"
  hosts_gone faults "$work/faults"
fi

# Online never returns: Terminate returns, the call does not, and the host is
# killed 3 s later; the restart starts a new host.
cat >"$work/hang.json" <<JSON
{"resources": [
  {"name": "hang", "type": "dll", "properties": {"PendingTimeout": 1000, $policy},
   "dll": {"path": "$bin/raw_hang_online.dll", "resource_type": "pendop Raw", "host_dir": "$bin"}}],
 "script": [{"online": "hang"}, {"wait_for": "hang", "state": "Failed", "timeout_ms": 60000},
            {"wait_for": "hang", "state": "OnlinePending", "timeout_ms": 60000},
            {"wait_for": "hang", "state": "Failed", "timeout_ms": 60000}],
 "expect": {"final": {"hang": "Failed"}, "terminates": {"hang": 2}, "restarts": {"hang": 1}}}
JSON
if run hang "$work/hang.json" 0; then
  expect "hang: the host is killed and replaced" "$work/hang/hang.log" \
    '^# killing the host: "online" was still running in the DLL 3 s after Terminate$' \
    '^# the host was killed by signal 9 \(SIGKILL\)$'
  expect "hang: the restart says why" "$work/hang.txt" \
    'pendop killed it \("online" was still running in the DLL 3 s after Terminate\); starting a new host'
  hosts_gone hang "$work/hang"
fi

# LooksAlive never returns: DeadlockTimeout quarantines the resource, it
# fails and is terminated; the host, still stuck in LooksAlive, is killed.
cat >"$work/deadlock.json" <<JSON
{"resources": [
  {"name": "stuck", "type": "dll",
   "properties": {"LooksAlivePollInterval": 300, "DeadlockTimeout": 1000, $policy},
   "dll": {"path": "$bin/raw_hang_looks_alive.dll", "resource_type": "pendop Raw", "host_dir": "$bin"}}],
 "script": [{"online": "stuck"}, {"wait_for": "stuck", "state": "Failed", "timeout_ms": 60000},
            {"wait_ms": 6000}],
 "expect": {"final": {"stuck": "Failed"}, "terminates": {"stuck": 1}, "restarts": {"stuck": 0}}}
JSON
if run deadlock "$work/deadlock.json" 0; then
  expect "deadlock: DeadlockTimeout, then Terminate" "$work/deadlock.txt" \
    "stuck +deadlock +LooksAlive did not return within DeadlockTimeout 1000ms; quarantined" \
    "stuck +terminated +reason=terminate_called  after a failed health check: deadlock" \
    "stuck +late_return +LooksAlive returned after DeadlockTimeout" \
    "stuck +Failed +1 +0 +1 +0 +1"
  expect "deadlock: the stuck host is killed" "$work/deadlock/stuck.log" \
    '^# killing the host: "looks_alive" was still running in the DLL 3 s after Terminate$'
  hosts_gone deadlock "$work/deadlock"
fi

# A host Wine cannot run (not a Windows program): said, tried once more, and
# the Online fails with Wine's own words.
mkdir -p "$work/badhost"
echo "not a Windows program" >"$work/badhost/pendop_test_host.exe"
cp "$bin/resutils.dll" "$bin/clusapi.dll" "$work/badhost/"
cat >"$work/badhost.json" <<JSON
{"resources": [{"name": "b", "type": "dll", "properties": {"PendingTimeout": 60000},
   "dll": {"path": "$bin/raw_clean.dll", "resource_type": "pendop Raw", "host_dir": "$work/badhost"}}],
 "script": [{"online": "b"}, {"wait_for": "b", "state": "Failed", "timeout_ms": 60000}],
 "expect": {"final": {"b": "Failed"}}}
JSON
if run badhost "$work/badhost.json" 0; then
  expect "badhost: Wine's failure, retried once" "$work/badhost.txt" \
    "b +log +warning: Wine did not run the host: the DLL host exited with code [0-9]+: .*File not found\. \(before Startup returned\); starting it once more" \
    "b +status +OnlinePending -> Failed .*Online failed: Wine did not run the host: the DLL host exited with code [0-9]+: .* \(before Startup returned\)"
fi

# Bad dll blocks: each problem with its path.
cat >"$work/broken.json" <<JSON
{"resources": [
  {"name": "a", "type": "dll", "dll": {"path": "$work/nosuch.dll", "resource_type": "T", "host_dir": "$bin"}},
  {"name": "b", "type": "dll", "dll": {"path": "$bin/raw_clean.dll", "host_dir": "$bin",
                                       "private_properties": {"Port": "80,81", "x=y": 1, "List": [1]},
                                       "startup": "StartupEx2"}},
  {"name": "c", "type": "dll", "dll": {"path": "$bin/raw_clean.dll", "resource_type": "T", "host_dir": "$work"}},
  {"name": "d", "type": "dll"}]}
JSON
"$pendop" validate "$work/broken.json" >"$work/broken.txt" 2>&1
rc=$?
if [ "$rc" -ne 2 ]; then bad "broken: exit $rc (want 2)" "$work/broken.txt"; else
  expect "broken: every problem named" "$work/broken.txt" \
    '\$\.resources\[0\]\.dll\.path: no DLL at ".*nosuch.dll"' \
    '\$\.resources\[1\]\.dll\.resource_type: required: the resource type the DLL implements' \
    "\\\$\.resources\[1\]\.dll\.private_properties\.Port: a value may not hold ','" \
    "\\\$\.resources\[1\]\.dll\.private_properties\.x=y: expected a property name without ','" \
    '\$\.resources\[1\]\.dll\.private_properties\.List: expected a string, an integer >= 0' \
    '\$\.resources\[1\]\.dll\.startup: expected "StartupEx" or "Startup", got "StartupEx2"' \
    '\$\.resources\[2\]\.dll\.host_dir: no pendop_test_host.exe in' \
    '\$\.resources\[3\]\.dll: required for type "dll"'
fi
# Without host_dir or PENDOP_WIN32_DIR, and nothing installed beside pendop.
cat >"$work/nohost.json" <<JSON
{"resources": [{"name": "a", "type": "dll", "dll": {"path": "$bin/raw_clean.dll", "resource_type": "T"}}]}
JSON
"$pendop" validate "$work/nohost.json" >"$work/nohost.txt" 2>&1
rc=$?
if [ "$rc" -ne 2 ]; then bad "nohost: exit $rc (want 2)" "$work/nohost.txt"; else
  expect "nohost: says where to put it" "$work/nohost.txt" \
    '\$\.resources\[0\]\.dll: where is pendop_test_host.exe\? Name its directory with "host_dir", or set PENDOP_WIN32_DIR'
fi
# A type the DLL does not implement, a property value the DLL refuses: the
# DLL's answer fails the Online.
cat >"$work/refused.json" <<JSON
{"resources": [
  {"name": "w", "type": "dll", "properties": {"PendingTimeout": 60000},
   "dll": {"path": "$bin/raw_clean.dll", "resource_type": "no such type", "host_dir": "$bin"}},
  {"name": "p", "type": "dll", "properties": {"PendingTimeout": 60000},
   "dll": {"path": "$bin/raw_clean.dll", "resource_type": "pendop Raw", "host_dir": "$bin",
           "private_properties": {"Port": 70000}}}],
 "script": [{"online": "w"}, {"online": "p"}, {"wait_for": "w", "state": "Failed", "timeout_ms": 60000},
            {"wait_for": "p", "state": "Failed", "timeout_ms": 60000}],
 "expect": {"final": {"w": "Failed", "p": "Failed"}}}
JSON
if run refused "$work/refused.json" 0; then
  expect "refused: the DLL's answers" "$work/refused.txt" \
    'p +status +OnlinePending -> Failed .*CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES of Port=70000 answered [0-9]+' \
    'w +status +OnlinePending -> Failed .*StartupEx returned 5080 \(ERROR_CLUSTER_RESNAME_NOT_FOUND\)'
fi

if [ "$fails" -ne 0 ]; then
  echo "run-dll: $fails failed"
  exit 1
fi
echo "run-dll: all passed"
