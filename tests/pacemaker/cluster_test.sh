#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The example OCF agent in a real single-node Pacemaker cluster (label
# `pacemaker`). It starts a private corosync (knet on 127.0.0.1, votequorum
# with one vote) and pacemakerd, installs the agent as ocf:pendop-test:example,
# and checks everything through the cluster's own tools (cibadmin,
# crm_resource, crm_failcount, crm_mon), polling with bounds, never sleeping
# for a fixed time:
#
#   - start: probe rc 7, start rc 0, recurring monitor rc 0, Started;
#   - a monitor failure (state removed) is detected and recovered, fail-count
#     counts it, migration-threshold 2 stops the resource; --cleanup restarts it;
#   - a start longer than its timeout, and one whose body ignores terminate,
#     fail with the agent's own rc 1 and an exit reason, never `Timed Out`;
#   - a stop whose body ignores terminate ends in time with rc 0; one whose
#     terminate() blocks fails in time with rc 1 and an exit reason (never
#     `Timed Out`), stays blocked, and stops cleanly after the fix and --cleanup;
#   - stop and delete leave no state file;
#   - the same cycle with ocf:heartbeat:Dummy as a control, so a broken
#     harness is told apart from a broken pendop.
#
# Everything it changes is undone on exit (daemons stopped by their PIDs, the
# CIB directory restored, the agent removed), and at the start of the next
# run if this one was killed. It needs root; PENDOP_SKIP_PACEMAKER=1 skips it
# (exit 77, reported as skipped).
#
# Usage: cluster_test.sh EXAMPLE_AGENT MISBEHAVING_AGENT
set -uo pipefail

agent_bin=${1:?usage: cluster_test.sh EXAMPLE_AGENT MISBEHAVING_AGENT}
misbehaving_bin=${2:?usage: cluster_test.sh EXAMPLE_AGENT MISBEHAVING_AGENT}
work=/run/pendop-pacemaker-test           # fixed, so an interrupted run is found
provider_dir=/usr/lib/ocf/resource.d/pendop-test
cib_dir=/var/lib/pacemaker/cib
node=pendop-node1
check_prefix=pacemaker
poll_interval=0.25
source "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"

die() { printf 'pacemaker: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "${PENDOP_SKIP_PACEMAKER:-0}" = 1 ]; then
  say "SKIPPED: PENDOP_SKIP_PACEMAKER=1 (the real-cluster test did not run)"
  exit 77
fi
[ "$(id -u)" -eq 0 ] ||
  die "must run as root: it starts corosync and pacemakerd and installs an agent under" \
      "/usr/lib/ocf (set PENDOP_SKIP_PACEMAKER=1 to skip it on a developer machine)"
for tool in corosync pacemakerd cibadmin crm_resource crm_failcount crm_attribute crm_mon; do
  command -v "$tool" >/dev/null ||
    die "$tool not found: install the Debian packages pacemaker corosync crmsh (scripts/setup.sh)"
done
[ -x "$agent_bin" ] || die "the agent $agent_bin is not an executable"
[ -x "$misbehaving_bin" ] || die "the agent $misbehaving_bin is not an executable"
[ -f /usr/lib/ocf/resource.d/heartbeat/Dummy ] ||
  die "ocf:heartbeat:Dummy not found: install the Debian package resource-agents"

# --- set-up and tear-down ------------------------------------------------------

# Stops what an earlier run started and restores what it replaced.
undo() {
  local pid
  if [ -f "$work/pids" ]; then
    for pid in $(tac "$work/pids"); do   # pacemakerd first, then corosync
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$pid" 2>/dev/null
      fi
    done
    # pacemakerd's children, if it was killed before it could stop them.
    pkill -KILL -x 'pacemaker-(based|fenced|execd|attrd|schedulerd|controld)' 2>/dev/null
  fi
  # Resident hosts of this test's agents (their state is under $work) that a
  # failed check or an interrupted run left behind.
  local p
  for p in $(pgrep -f "pendop-resident-host" 2>/dev/null); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OCF_RESKEY_state_dir=$work/state"; then
      kill -KILL "$p" 2>/dev/null
    fi
  done
  if [ -d "$work/cib-backup" ]; then
    find "$cib_dir" -mindepth 1 -delete 2>/dev/null
    cp -a "$work/cib-backup/." "$cib_dir/"
  fi
  rm -rf "$provider_dir" "$work"
}

finish() {
  local rc=$?
  if [ "$failed" -gt 0 ] && [ -f "$work/pacemaker.log" ]; then
    echo "---- last lines of pacemaker.log ----"
    tail -n 60 "$work/pacemaker.log"
  fi
  undo
  exit "$rc"
}

if [ -d "$work" ]; then
  say "an earlier run was interrupted: undoing what it left"
  undo
fi
for daemon in corosync pacemakerd; do
  if pgrep -x "$daemon" >/dev/null; then
    die "$daemon is already running (pid $(pgrep -x "$daemon" | tr '\n' ' '));" \
        "this test starts its own cluster and will not touch another"
  fi
done

trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/state" "$work/cib-backup" "$cib_dir"
cp -a "$cib_dir/." "$work/cib-backup/"
find "$cib_dir" -mindepth 1 -delete
install -D -m 755 "$agent_bin" "$provider_dir/example"
install -D -m 755 "$misbehaving_bin" "$provider_dir/misbehaving"

cat >"$work/corosync.conf" <<EOF
totem {
    version: 2
    cluster_name: pendop-test
    transport: knet
    crypto_cipher: none
    crypto_hash: none
}
nodelist {
    node {
        ring0_addr: 127.0.0.1
        name: $node
        nodeid: 1
    }
}
quorum {
    provider: corosync_votequorum
    expected_votes: 1
}
logging {
    to_logfile: yes
    logfile: $work/corosync.log
    to_syslog: no
    to_stderr: no
}
EOF

say "starting corosync and pacemakerd"
(cd "$work" && exec corosync -f -c "$work/corosync.conf" >"$work/corosync.out" 2>&1) &
echo $! >>"$work/pids"
wait_until 30 corosync-quorumtool -s >/dev/null 2>&1 || die "corosync did not start (see $work/corosync.log)"
(cd "$work" && exec env PCMK_logfile="$work/pacemaker.log" pacemakerd >"$work/pacemakerd.out" 2>&1) &
echo $! >>"$work/pids"

quorate_dc() { crm_mon -1 2>/dev/null | grep -q "Current DC: $node .*partition with quorum"; }
wait_until 120 quorate_dc || die "pacemaker did not elect $node DC with quorum within 120 s"
crm_attribute -t crm_config -n stonith-enabled -v false >/dev/null ||
  die "cannot disable stonith"
say "cluster up: $node is DC with quorum"

# --- helpers on the cluster's view -----------------------------------------------

running() { crm_resource --locate -r "$1" 2>/dev/null | grep -q "is running on: $node"; }
not_running() { crm_resource --locate -r "$1" 2>&1 | grep -q "is NOT running"; }
settled() { crm_resource --wait --timeout 60s >/dev/null 2>&1; }
fail_count() { crm_failcount --query --quiet -r "$1" -N "$node" 2>/dev/null || echo 0; }
fail_count_is() { [ "$(fail_count "$1")" = "$2" ]; }
# op_attr RESOURCE OP_ID ATTRIBUTE: an attribute of an operation record.
op_attr() {
  cibadmin -Q --xpath "//lrm_resource[@id='$1']/lrm_rsc_op[@id='$2']" 2>/dev/null |
    sed -n "s/.* $3=\"\([^\"]*\)\".*/\1/p" | head -n 1
}
op_attr_is() { [ "$(op_attr "$1" "$2" "$3")" = "$4" ]; }
op_attr_has() { op_attr "$1" "$2" "$3" | grep -q -- "$4"; }
exec_time_below() { [ "$(op_attr "$1" "$2" exec-time)" -lt "$3" ] 2>/dev/null; }
logged() { grep -q -- "$1" "$work/pacemaker.log"; }
no_state_for() { ! ls "$work/state" | grep -q -- "$1"; }
has_state_for() { ls "$work/state" | grep -q -- "$1"; }

# add_primitive ID PROVIDER TYPE "name=value ..." START_TIMEOUT STOP_TIMEOUT [META...]
add_primitive() {
  local id=$1 provider=$2 type=$3 params=$4 start_timeout=$5 stop_timeout=$6
  shift 6
  local xml="<primitive id=\"$id\" class=\"ocf\" provider=\"$provider\" type=\"$type\">"
  xml+="<instance_attributes id=\"$id-ia\">"
  local p
  for p in $params; do
    xml+="<nvpair id=\"$id-${p%%=*}\" name=\"${p%%=*}\" value=\"${p#*=}\"/>"
  done
  xml+="</instance_attributes><meta_attributes id=\"$id-ma\">"
  for p in "$@"; do
    xml+="<nvpair id=\"$id-${p%%=*}\" name=\"${p%%=*}\" value=\"${p#*=}\"/>"
  done
  xml+="</meta_attributes><operations>"
  xml+="<op id=\"$id-monitor\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/>"
  xml+="<op id=\"$id-start\" name=\"start\" interval=\"0\" timeout=\"$start_timeout\"/>"
  xml+="<op id=\"$id-stop\" name=\"stop\" interval=\"0\" timeout=\"$stop_timeout\"/>"
  xml+="</operations></primitive>"
  cibadmin -C -o resources -X "$xml"
}

remove_primitive() {
  crm_resource -r "$1" --set-parameter target-role --meta --parameter-value Stopped >/dev/null 2>&1
  wait_until 60 not_running "$1"
  cibadmin -D -o resources -X "<primitive id=\"$1\"/>" >/dev/null
  crm_resource --cleanup -r "$1" >/dev/null 2>&1
  settled
}

# --- the lifecycle, for pendop's agent and for Dummy -------------------------------

# lifecycle ID PROVIDER TYPE PARAMS STATE_NAME
lifecycle() {
  local r=$1 provider=$2 type=$3 params=$4 state=$5
  say "lifecycle of $r (ocf:$provider:$type)"
  add_primitive "$r" "$provider" "$type" "$params" 20s 20s migration-threshold=2
  check "$r: started" wait_until 60 running "$r"
  check "$r: probe answered not running (rc 7)" \
    wait_until 10 logged "Result of probe operation for $r on $node: not running"
  settled
  check "$r: start rc 0" op_attr_is "$r" "${r}_last_0" rc-code 0
  check "$r: recurring monitor rc 0" wait_until 10 op_attr_is "$r" "${r}_monitor_2000" rc-code 0
  check "$r: state file present" has_state_for "$state"
  check "$r: validate-all through crm_resource" crm_resource --validate -r "$r"

  rm -f "$work/state/"*"$state"*
  check "$r: monitor failure detected (fail-count 1)" wait_until 30 fail_count_is "$r" 1
  check "$r: monitor failure recorded as not running" \
    op_attr_is "$r" "${r}_last_failure_0" rc-code 7
  check "$r: recovered" wait_until 60 running "$r"
  settled  # the recovery's start has finished and written its state
  rm -f "$work/state/"*"$state"*
  check "$r: second failure (fail-count 2)" wait_until 30 fail_count_is "$r" 2
  check "$r: migration-threshold 2 keeps it stopped" wait_until 60 not_running "$r"
  settled
  check "$r: stopped after the threshold leaves no state file" no_state_for "$state"

  crm_resource --cleanup -r "$r" >/dev/null 2>&1
  check "$r: --cleanup clears the fail-count" wait_until 30 fail_count_is "$r" 0
  check "$r: --cleanup lets it start again" wait_until 60 running "$r"

  crm_resource -r "$r" --set-parameter target-role --meta --parameter-value Stopped >/dev/null
  check "$r: stopped" wait_until 60 not_running "$r"
  check "$r: stop rc 0" wait_until 10 op_attr_is "$r" "${r}_last_0" rc-code 0
  check "$r: stop leaves no state file" no_state_for "$state"
  remove_primitive "$r"
  check "$r: deleted, no state file" no_state_for "$state"
}

lifecycle dummy heartbeat Dummy "state=$work/state/Dummy-dummy.state" Dummy-dummy
lifecycle demo pendop-test example "state_dir=$work/state online_ms=1000 report_ms=200" \
  pendop-example-demo

# --- the resident host: its death is the resource's failure, and stop ends it ------

# host_pids ID: the processes of ID's resident host (its supervisor and the host).
host_pids() {
  local group
  group=$(cut -d' ' -f1 "$work/state/pendop-example-$1.host" 2>/dev/null) || return 0
  [ -n "$group" ] && pgrep -g "$group" || true
}
# the host proper: the member of the group that does not lead it.
host_pid() {
  local group
  group=$(cut -d' ' -f1 "$work/state/pendop-example-$1.host" 2>/dev/null) || return 1
  pgrep -g "$group" | grep -vx "$group" | head -n 1
}
# our_hosts: the resident hosts of this test's cluster (their state is ours).
our_hosts() {
  local p
  for p in $(pgrep -f "pendop-resident-host"); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OCF_RESKEY_state_dir=$work/state" &&
      echo "$p"
  done
  return 0
}
no_host_of() {
  local p
  for p in $(our_hosts); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OCF_RESOURCE_INSTANCE=$1" && return 1
  done
  return 0
}

r=resident
say "a resident host of $r killed with SIGKILL"
add_primitive "$r" pendop-test example "state_dir=$work/state online_ms=200 report_ms=100" 20s 20s
check "$r: started" wait_until 60 running "$r"
settled
check "$r: its host runs (supervisor and host)" test "$(host_pids "$r" | wc -l)" -eq 2
first=$(host_pid "$r")
kill -9 "$first"
check "$r: the recurring monitor detects it (fail-count 1)" wait_until 30 fail_count_is "$r" 1
check "$r: recorded as an error (rc 1)" op_attr_is "$r" "${r}_last_failure_0" rc-code 1
check "$r: the exit reason says how the host ended" \
  op_attr_has "$r" "${r}_last_failure_0" exit-reason "killed by signal 9"
check "$r: crm_mon shows the failure" sh -c "crm_mon -1 2>/dev/null | grep -q 'killed by signal 9'"
check "$r: recovered" wait_until 60 running "$r"
settled
check "$r: by a new host" test -n "$(host_pid "$r")" -a "$(host_pid "$r")" != "$first"
remove_primitive "$r"
check "$r: no process of its host is left" no_host_of "$r"
check "$r: no state file" no_state_for "pendop-example-$r"

# --- timeouts: the agent answers, Pacemaker never has to kill it --------------------

# check_agent_failure ID OPERATION REASON: the last failure of ID is OPERATION,
# answered by the agent itself with rc 1 before the 8 s timeout (op-status
# done, not Timed Out), with REASON in its exit reason.
check_agent_failure() {
  local r=$1 op=$2 reason=$3
  check "$r: $op failed" wait_until 30 op_attr_is "$r" "${r}_last_failure_0" operation "$op"
  check "$r: with the agent's rc 1 (error)" op_attr_is "$r" "${r}_last_failure_0" rc-code 1
  check "$r: not Timed Out (op-status 0: done)" op_attr_is "$r" "${r}_last_failure_0" op-status 0
  check "$r: answered before the 8 s timeout" exec_time_below "$r" "${r}_last_failure_0" 8000
  check "$r: exit reason names the cause" op_attr_has "$r" "${r}_last_failure_0" exit-reason "$reason"
}

# late_start ID PARAMS: a start that cannot finish within its 8 s timeout.
late_start() {
  local r=$1 params=$2
  say "a start of $r longer than its timeout ($params)"
  add_primitive "$r" pendop-test example "state_dir=$work/state $params" 8s 20s
  check_agent_failure "$r" start "did not finish within 6400 ms of its 8000 ms timeout"
  check "$r: crm_mon shows the exit reason" \
    sh -c "crm_mon -1 2>/dev/null | grep -q 'did not finish within 6400 ms'"
  check "$r: stopped after the failed start" wait_until 60 not_running "$r"
  settled
  check "$r: no state file after the stop" no_state_for "pendop-example-$r"
  remove_primitive "$r"
}

late_start slow "online_ms=60000 report_ms=500"
late_start stubborn "online_ms=60000 report_ms=500 ignore_terminate=1"

r=stubbornstop
say "a stop of $r whose body ignores terminate"
add_primitive "$r" pendop-test example \
  "state_dir=$work/state online_ms=200 offline_ms=60000 report_ms=500 ignore_terminate=1" 20s 8s
check "$r: started" wait_until 60 running "$r"
crm_resource -r "$r" --set-parameter target-role --meta --parameter-value Stopped >/dev/null
check "$r: stopped" wait_until 60 not_running "$r"
check "$r: stop rc 0 (forced down with terminate())" \
  wait_until 10 op_attr_is "$r" "${r}_last_0" rc-code 0
check "$r: stop not Timed Out" op_attr_is "$r" "${r}_last_0" op-status 0
check "$r: stop answered before its 8 s timeout" exec_time_below "$r" "${r}_last_0" 8000
check "$r: no failure recorded" test -z "$(op_attr "$r" "${r}_last_failure_0" rc-code)"
check "$r: the log says it was forced down" logged "forcing it down with terminate()"
check "$r: no state file" no_state_for "pendop-example-$r"
remove_primitive "$r"

r=blocked
say "a stop of $r whose terminate() blocks"
add_primitive "$r" pendop-test misbehaving \
  "state_dir=$work/state start_ms=100 stop_ms=60000 block_terminate=1" 20s 8s
check "$r: started" wait_until 60 running "$r"
crm_resource -r "$r" --set-parameter target-role --meta --parameter-value Stopped >/dev/null
check_agent_failure "$r" stop "stop did not answer within 7200 ms of its 8000 ms timeout"
check "$r: the cluster blocks it (no fencing here)" \
  wait_until 30 sh -c "crm_mon -1 2>/dev/null | grep '$r' | grep -q blocked"
check "$r: its state file says Failed" sh -c "head -n 1 '$work/state/pendop-misbehaving-$r.state' | grep -qx Failed"
crm_resource -r "$r" --set-parameter block_terminate --parameter-value 0 >/dev/null
crm_resource --cleanup -r "$r" >/dev/null 2>&1
check "$r: after the fix and --cleanup it stops" wait_until 60 sh -c \
  "crm_resource --locate -r '$r' 2>&1 | grep -q 'is NOT running' && ! crm_mon -1 2>/dev/null | grep '$r' | grep -q -i failed"
settled
check "$r: no state file" no_state_for "pendop-misbehaving-$r"
remove_primitive "$r"

check "a healthy start logs nothing at error level" \
  sh -c "! grep -E 'example\\(demo\\).*ERROR' '$work/pacemaker.log'"
check "no agent output logged as error output" \
  sh -c "! grep -E 'error output \\[.*(OnlinePending|INFO)' '$work/pacemaker.log'"
check "state directory empty at the end" test -z "$(ls -A "$work/state")"
no_resident_host() { test -z "$(our_hosts)"; }
check "no resident host left at the end" wait_until 10 no_resident_host

check_summary
