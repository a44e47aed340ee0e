#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `pendop run` under signals and misbehaving processes, checked from the
# process table: SIGINT, SIGTERM and SIGHUP stop a run in order with every
# output written; a second signal hurries it; nothing the run started
# survives it (daemons left in a start's process group, double-forked ones,
# a start that ignores SIGTERM, a grandchild that outlives its leader, a
# monitor command still running); `terminate` means the processes are gone;
# --leave-running leaves only what it says. Also the live table on a small
# terminal, and outputs on a full disk.
#
# Every process a scenario starts is a `sleep 314NN`, so the checks can find
# them; the test kills any it finds at the end.
#
# Usage: processes_test.sh PENDOP CHECK_COMMAND_CMAKE
set -uo pipefail

pendop=${1:?usage: processes_test.sh PENDOP CHECK_COMMAND_CMAKE}
check_outputs=${2:?usage: processes_test.sh PENDOP CHECK_COMMAND_CMAKE}
work=$(mktemp -d /tmp/pendop-processes.XXXXXX)
mounted=""
check_prefix=processes
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

cleanup() {
  pkill -KILL -f 'sleep 314[0-9][0-9]' 2>/dev/null
  [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# (Patterns are matched from this shell: a `sh -c` holding one would match itself.)
alive() { pgrep -f "sleep $1" >/dev/null; }
gone() { ! alive "$1"; }
all_alive() {
  local n
  for n in "$@"; do alive "$n" || return 1; done
}
none_left() { ! pgrep -f 'sleep 314[0-9][0-9]' >/dev/null; }
logged() { grep -q -- "$2" "$1"; }
outputs_valid() {
  cmake -DCOMMAND=true -DEXPECT_RC=0 -DEXPECT= -DOUT_DIR="$1" -P "$check_outputs" >/dev/null 2>&1
}

# start_run NAME SCENARIO_JSON [pendop options]: runs pendop in the background.
start_run() {
  local name=$1 json=$2
  shift 2
  printf '%s\n' "$json" >"$work/$name.json"
  "$pendop" run "$work/$name.json" --log --out "$work/$name-out" "$@" >"$work/$name.txt" 2>&1 &
  run_pid=$!
}

# finish_run SECONDS: waits for the background pendop; sets run_rc and run_took.
finish_run() {
  local t0=$SECONDS
  if ! wait_until "$1" sh -c "! kill -0 $run_pid 2>/dev/null"; then
    kill -KILL "$run_pid" 2>/dev/null
    say "pendop did not exit within $1 s"
  fi
  wait "$run_pid"
  run_rc=$?
  run_took=$((SECONDS - t0))
}

# --- hostile input at scale --------------------------------------------------------

say "hostile input at scale"
head -c 70000 /dev/zero | tr '\0' '[' >"$work/deep.json"
"$pendop" validate "$work/deep.json" >"$work/deep.txt" 2>&1
check "deep: 70 000 levels of [ rejected with exit 2 (got $?)" logged "$work/deep.txt" \
  "nested deeper than 32 levels (at byte 32)"
"$pendop" run "$work/deep.json" --out "$work/deep-out" >/dev/null 2>&1
check "deep: run rejects it too, nothing crashes (exit $?)" test "$?" -eq 2
{ printf '{"resources": "'; head -c 50000000 /dev/zero | tr '\0' 'x'; printf '"}'; } >"$work/huge.json"
t0=$SECONDS
"$pendop" validate "$work/huge.json" >"$work/huge.txt" 2>&1
huge_rc=$?
check "huge: a 50 MB string is refused (exit $huge_rc) by size, at once" \
  test "$huge_rc" -eq 2 -a $((SECONDS - t0)) -le 5
check "huge: the message is short (not the string echoed)" test "$(wc -c <"$work/huge.txt")" -lt 300
rm -f "$work/huge.json"

# --- SIGINT in the middle of a run ---------------------------------------------------

everything='{
  "resources": [
    {"name": "daemon", "type": "exec",
     "exec": {"start": "sleep 31401 >/dev/null 2>&1 &", "stop": "true",
              "monitor": "pgrep -f \"sleep 31401\" >/dev/null"}},
    {"name": "doublefork", "type": "exec",
     "exec": {"start": "setsid sh -c \"sleep 31402\" </dev/null >/dev/null 2>&1 &", "stop": "true"}},
    {"name": "stubborn", "type": "exec",
     "exec": {"start": "trap \"\" TERM; sleep 31403", "stop": "true", "timeout_ms": 60000}},
    {"name": "busymonitor", "type": "exec", "properties": {"LooksAlivePollInterval": 200},
     "exec": {"start": "true", "stop": "true", "monitor": "sleep 31404"}}
  ],
  "script": [
    {"online": "daemon"}, {"online": "doublefork"}, {"online": "stubborn"}, {"online": "busymonitor"},
    {"wait_for": "daemon", "state": "Online", "timeout_ms": 10000},
    {"wait_for": "busymonitor", "state": "Online", "timeout_ms": 10000},
    {"wait_ms": 120000}
  ]
}'
say "SIGINT in the middle of a run"
start_run sigint "$everything"
check "sigint: every kind of process is running" wait_until 15 all_alive 31401 31402 31403 31404
kill -INT "$run_pid"
finish_run 30
check "sigint: exit code 130 (got $run_rc)" test "$run_rc" -eq 130
check "sigint: exited within 15 s (took $run_took s)" test "$run_took" -le 15
check "sigint: the summary says it was interrupted" logged "$work/sigint.txt" "interrupted by SIGINT at script step 7 of 7"
check "sigint: Online exec resources were taken offline" logged "$work/sigint.txt" "taken offline at the end: busymonitor, daemon, doublefork"
check "sigint: the pending start was stopped with reason shutdown" logged "$work/sigint.txt" "stubborn .*reason=shutdown"
check "sigint: events.jsonl, trace.json and timeline.svg written and complete" outputs_valid "$work/sigint-out"
check "sigint: no process left (daemon, double fork, stubborn start, monitor)" none_left
pkill -KILL -f 'sleep 314[0-9][0-9]' 2>/dev/null

# --- SIGTERM and SIGHUP ----------------------------------------------------------------

simple='{
  "resources": [{"name": "daemon", "type": "exec",
                 "exec": {"start": "sleep 31411 >/dev/null 2>&1 &", "stop": "true"}}],
  "script": [{"online": "daemon"}, {"wait_ms": 120000}]
}'
for sig in TERM HUP; do
  expect=$([ "$sig" = TERM ] && echo 143 || echo 129)
  say "SIG$sig in the middle of a run"
  start_run "sig$sig" "$simple"
  wait_until 15 alive 31411
  kill -"$sig" "$run_pid"
  finish_run 30
  check "sig$sig: exit code $expect (got $run_rc)" test "$run_rc" -eq "$expect"
  check "sig$sig: summary" logged "$work/sig$sig.txt" "interrupted by SIG$sig"
  check "sig$sig: outputs complete" outputs_valid "$work/sig$sig-out"
  check "sig$sig: no process left" none_left
done

# --- a second signal hurries the wind-down --------------------------------------------

say "a second SIGINT cuts a slow stop short"
start_run hurry '{
  "resources": [{"name": "slowstop", "type": "exec",
                 "exec": {"start": "sleep 31405 >/dev/null 2>&1 &", "stop": "sleep 31406",
                          "timeout_ms": 60000}}],
  "script": [{"online": "slowstop"}, {"wait_ms": 120000}]
}'
wait_until 15 alive 31405
kill -INT "$run_pid"
check "hurry: the stop is running" wait_until 10 alive 31406
kill -INT "$run_pid"
finish_run 30
check "hurry: exit code 130 (got $run_rc)" test "$run_rc" -eq 130
check "hurry: exited within 10 s of the second signal (took $run_took s)" test "$run_took" -le 10
check "hurry: the summary says so" logged "$work/hurry.txt" "hurried by a second signal"
check "hurry: outputs complete" outputs_valid "$work/hurry-out"
check "hurry: no process left" none_left

# --- the end of a run: offline, terminate, timeouts, --leave-running -------------------

say "the end of a run"
start_run ending '{
  "resources": [
    {"name": "keep", "type": "exec", "exec": {"start": "sleep 31410 >/dev/null 2>&1 &", "stop": "true"}},
    {"name": "term", "type": "exec", "exec": {"start": "sleep 31409 >/dev/null 2>&1 &", "stop": "true"}},
    {"name": "orphan", "type": "exec", "properties": {"RestartAction": 0},
     "exec": {"start": "sh -c \"trap \\\"\\\" TERM; exec sleep 31407\" & wait", "stop": "true",
              "timeout_ms": 500}}
  ],
  "script": [
    {"online": "keep"}, {"online": "term"}, {"online": "orphan"},
    {"wait_for": "term", "state": "Online", "timeout_ms": 10000},
    {"wait_for": "keep", "state": "Online", "timeout_ms": 10000},
    {"terminate": "term"},
    {"wait_for": "orphan", "state": "Failed", "timeout_ms": 10000},
    {"wait_ms": 1500}
  ],
  "expect": {"final": {"keep": "Online", "term": "Offline", "orphan": "Failed"}}
}' --leave-running
finish_run 60
check "ending: exit code 0 (got $run_rc)" test "$run_rc" -eq 0
check "ending: a start timeout stopped the grandchild that ignores SIGTERM" \
  logged "$work/ending.txt" "start did not finish within 500 ms"
check "ending: terminate left nothing of the terminated resource" gone 31409
check "ending: nothing of the timed-out start (leader dead, child ignoring SIGTERM)" gone 31407
check "ending: --leave-running kept the Online resource" alive 31410
check "ending: and the summary says so" logged "$work/ending.txt" "left running by request (--leave-running): keep"
pkill -KILL -f 'sleep 31410'

start_run ending2 '{
  "resources": [{"name": "keep", "type": "exec",
                 "exec": {"start": "sleep 31412 >/dev/null 2>&1 &", "stop": "true"}}],
  "script": [{"online": "keep"}, {"wait_for": "keep", "state": "Online", "timeout_ms": 10000}],
  "expect": {"final": {"keep": "Online"}}
}'
finish_run 60
check "ending (default): exit code 0 (got $run_rc)" test "$run_rc" -eq 0
check "ending (default): Online exec resources taken offline" logged "$work/ending2.txt" "taken offline at the end: keep"
check "ending (default): no process left" none_left

# --- the live table on a 20-line terminal --------------------------------------------

say "the live table with 60 resources on a 20-line terminal"
{
  printf '{"resources": ['
  for i in $(seq 1 60); do
    [ "$i" -gt 1 ] && printf ','
    printf '{"name": "r%02d", "type": "simulated", "simulated": {"online_ms": %d, "report_ms": 100}}' "$i" $((i * 20))
  done
  printf '], "script": ['
  for i in $(seq 1 60); do printf '{"online": "r%02d"},' "$i"; done
  printf '{"wait_for": "r60", "state": "Offline", "timeout_ms": 300}, {"wait_ms": 1500}]}\n'
} >"$work/table.json"
script -qec "stty rows 20 cols 120; '$pendop' run '$work/table.json' --out '$work/table-out'" \
  /dev/null >"$work/table.txt" 2>&1
table_rc=$?
# Frames start with ESC[J; each must fit in 20 lines (the summary after the
# last frame is cut off first).
longest=$(awk 'BEGIN { RS = "\033\\[J" }
  /pendop  t=/ {
    cut = index($0, "resource       final"); if (cut) $0 = substr($0, 1, cut - 1)
    n = gsub(/\n/, "\n"); if (n > max) max = n
  }
  END { print max + 0 }' "$work/table.txt")
check "table: every frame fits the 20-line terminal (longest: $longest lines)" \
  test "$longest" -gt 0 -a "$longest" -le 20
check "table: a count by state replaces rows that do not fit" logged "$work/table.txt" "60 resources: "
check "table: the failed wait_for is shown on the table" logged "$work/table.txt" '! wait_for: "r60" did not reach Offline'
check "table: and counted in the exit code (got $table_rc)" test "$table_rc" -eq 1

# --- outputs on a full disk ------------------------------------------------------------

say "outputs on a full disk"
mkdir -p "$work/full"
if mount -t tmpfs -o size=256k tmpfs "$work/full" 2>/dev/null; then
  mounted="$work/full"
  printf '%s\n' '{
    "resources": [{"name": "a", "type": "simulated", "simulated": {"online_ms": 200, "report_ms": 20}}],
    "script": [{"online": "a"}, {"wait_ms": 1500}]
  }' >"$work/fulldisk.json"
  # --out is checked when the run starts; the disk fills before it writes.
  "$pendop" run "$work/fulldisk.json" --log --out "$work/full/out" >"$work/fulldisk.txt" 2>&1 &
  run_pid=$!
  wait_until 5 test -d "$work/full/out"
  dd if=/dev/zero of="$work/full/filler" bs=4k >/dev/null 2>&1
  finish_run 30
  check "full disk: exit code 3 (got $run_rc)" test "$run_rc" -eq 3
  check "full disk: the error names the file and the reason" \
    logged "$work/fulldisk.txt" "cannot write $work/full/out/events.jsonl: .* failed: No space left on device"
  check "full disk: no empty or partial output left behind" \
    sh -c "! ls '$work/full/out' | grep -E 'events.jsonl|trace.json|timeline.svg'"
  umount "$work/full" && mounted=""
else
  say "SKIPPED: full disk (cannot mount a tmpfs here: not root, or no privilege)"
fi

check_summary
