#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Failover on a real three-node corosync + Pacemaker cluster with fencing on
# (label `cluster`). The nodes are namespaced process trees on this machine
# (tests/cluster/harness.sh); pendop's agent is unpacked into each from the
# Debian packages scripts/package builds, and runs in its resident-host mode;
# fence_pendop powers nodes off and on. Everything is checked through the
# cluster's own tools (crm_mon, crm_resource, crm, stonith_admin,
# corosync-quorumtool) and through the agent's own record: its log lines in
# each node's pacemaker.log, dated to the microsecond.
#
#   1. three nodes, quorate; the example resource (a 3 s Online) starts;
#   2. `crm resource move`: Offline on the old node ends before Online
#      begins on the new one;
#   3. the node running it is killed while Online: fenced, recovered on a
#      survivor within a bound the test prints;
#   4. the same while OnlinePending (killed mid-start): nothing is reported
#      Online on the dead node;
#   5. a stop whose body ignores terminate succeeds, no fencing; a stop that
#      fails gets its node fenced and the resource recovered elsewhere;
#   6. a monitor failure: its exit reason in the node's log, its failure
#      count in crm_mon's XML;
#   7. two nodes killed: the survivor loses quorum and stops the resource.
#
# It needs root and refuses to run beside another cluster stack; without
# root, or with PENDOP_SKIP_PACEMAKER=1, it is skipped (exit 77). Every
# process it starts is ended on exit, and an interrupted run's are ended
# by the next one.
#
# Usage: three_node_test.sh PROJECT_ROOT MISBEHAVING_AGENT
set -uo pipefail

root=${1:?usage: three_node_test.sh PROJECT_ROOT MISBEHAVING_AGENT}
misbehaving_bin=${2:?usage: three_node_test.sh PROJECT_ROOT MISBEHAVING_AGENT}
work=/var/tmp/pendop-cluster-test   # fixed, so an interrupted run is found
check_prefix=cluster
poll_interval=0.2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../support/checks.sh"
source "$here/harness.sh"

die() { printf 'cluster: FAILED: %s\n' "$*" >&2; exit 1; }

if [ "${PENDOP_SKIP_PACEMAKER:-0}" = 1 ]; then
  say "SKIPPED: PENDOP_SKIP_PACEMAKER=1 (the three-node cluster did not run)"
  exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
  say "SKIPPED: needs root to create namespaces and run a cluster stack"
  exit 77
fi
for tool in unshare nsenter ip corosync pacemakerd crm crm_mon crm_resource stonith_admin \
            dpkg-deb; do
  command -v "$tool" >/dev/null ||
    die "$tool not found: install the Debian packages of scripts/setup.sh (set 'cluster')"
done
[ -x "$misbehaving_bin" ] || die "the agent $misbehaving_bin is not an executable"

if [ -d "$work" ]; then
  say "an earlier run was interrupted: ending what it left"
  cluster_teardown
fi
for daemon in corosync pacemakerd; do
  if pgrep -x "$daemon" >/dev/null; then
    die "$daemon is already running (pid $(pgrep -x "$daemon" | tr '\n' ' '));" \
        "this test starts its own three nodes and will not run beside another cluster"
  fi
done

finish() {
  local rc=$?
  if [ "$failed" -gt 0 ]; then
    local n
    for n in 1 2 3; do
      echo "---- node$n: last lines of pacemaker.log ----"
      tail -n 25 "$work/node$n/log/pacemaker.log" 2>/dev/null
    done
    echo "---- fence.log ----"
    cat "$work/fence.log" 2>/dev/null
  fi
  cluster_teardown
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work"

# --- the packages, unpacked into every node -----------------------------------------

say "building the Debian packages (scripts/package)"
"$root/scripts/package" "$work/debs" >"$work/package.log" 2>&1 ||
  { tail -n 30 "$work/package.log"; die "scripts/package failed"; }
cluster_prepare "$work"/debs/pendop-resource-agents_*.deb "$work"/debs/libpendop0.*_*.deb ||
  die "cannot unpack the packages"
# The test's own agent, whose stop can be made to fail (it is no product).
install -D -m 755 "$misbehaving_bin" "$work/root/usr/lib/ocf/resource.d/pendop-test/misbehaving"

# --- helpers on the cluster's view ------------------------------------------------------

now() { date '+%F %T.%6N'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
seconds() { printf '%d.%03d s' $(($1 / 1000)) $(($1 % 1000)); }

mon() { on_cluster crm_mon -1 -r 2>/dev/null; }
# started_on RES: the node RES is Started on (its start finished), if any
started_on() {
  mon | sed -n "s/^ *\* $1[[:space:]].*Started node\([0-9]\).*/\1/p" | head -n 1
}
is_started_on() { [ "$(started_on "$1")" = "$2" ]; }
started_elsewhere() { local s; s=$(started_on "$1"); [ -n "$s" ] && [ "$s" != "$2" ]; }
not_started() { mon | grep -Eq "^ *\* $1[[:space:]].*Stopped"; }
op_attr() {   # op_attr NODE RES OP_ID ATTRIBUTE: an attribute of NODE's record of an operation
  on_cluster cibadmin -Q --xpath \
    "//node_state[@uname='node$1']//lrm_resource[@id='$2']/lrm_rsc_op[@id='$3']" 2>/dev/null |
    sed -n "s/.* $4=\"\([^\"]*\)\".*/\1/p" | head -n 1
}
fenced_count() { grep -c ": ok$" "$work/fence.log" 2>/dev/null || echo 0; }
fenced_since() { [ "$(fenced_count)" -gt "$1" ]; }
fence_history_has() {  # fence_history_has NODE: stonith_admin records a successful fencing of NODE
  on_cluster stonith_admin --history "$1" 2>/dev/null | grep -q "of $1 successful"
}

# The agent's record on node N: "DATE TIME EVENT" lines of resource RES,
# EVENT one of begin (a start began), online (OnlinePending -> Online),
# offline (OfflinePending -> Offline).
record() {
  local n=$1 r=$2
  sed -n "s/^\([0-9-]* [0-9:.]*\) [a-z]*($r)\[[0-9]*\]: *INFO: \(.*\)/\1 \2/p" \
    "$work/node$n/log/pacemaker.log" 2>/dev/null |
    sed -n -e 's/^\(.* .*\) start: bringing the resource online.*/\1 begin/p' \
           -e 's/^\(.* .*\) OnlinePending -> Online$/\1 online/p' \
           -e 's/^\(.* .*\) OfflinePending -> Offline$/\1 offline/p'
}
# first_event N RES EVENT AFTER: the first EVENT of RES on node N after time AFTER
first_event() {
  record "$1" "$2" | awk -v e="$3" -v t="$4" '$3 == e && ($1 " " $2) > t { print $1 " " $2; exit }'
}
last_event() {
  record "$1" "$2" | awk -v e="$3" -v t="$4" '$3 == e && ($1 " " $2) > t { last = $1 " " $2 }
                                              END { if (last) print last }'
}
# before A B: time A is earlier than time B (both present)
before() { [ -n "$1" ] && [ -n "$2" ] && [[ "$1" < "$2" ]]; }
fence_time() {  # fence_time NODE AFTER: when the supervisor powered NODE off for fencing
  awk -v node="$1" -v t="$2" '($1 " " $2) > t && $4 == node ":" && $5 == "ok" { print $1 " " $2; exit }' \
    "$work/fence.log" 2>/dev/null
}
wait_all_online() { wait_until 90 cluster_quorate; }

# --- 1. three nodes, quorate; the resource starts ------------------------------------------

say "1. booting three nodes (corosync $(corosync -v | sed -n 's/.*version .\([0-9.]*\).*/\1/p'), $(pacemakerd --version | head -n 1))"
t=$(date +%s%N)
cluster_start || die "the nodes did not boot (see $work/node*/log/init.out)"
check "three nodes, quorate (3 votes)" wait_until 120 cluster_quorate
say "   quorate with three nodes after $(seconds "$(ms_since "$t")")"
dc=$(mon | sed -n 's/.*Current DC: \(node[0-9]\).*/\1/p')
say "   DC: $dc"

cluster_configure || die "cannot configure fencing"
stonith_enabled() {
  [ "$(on_cluster crm_attribute -t crm_config -n stonith-enabled -G -q 2>/dev/null)" = true ]
}
check "fencing is on (stonith-enabled=true)" stonith_enabled
fencing_listed() { on_cluster stonith_admin --list-registered 2>/dev/null | grep -qx fencing; }
check "the fence device is registered" wait_until 30 fencing_listed
on_cluster crm configure primitive demo ocf:pendop:example \
  params online_ms=3000 report_ms=500 offline_ms=500 \
  op start timeout=20s op stop timeout=20s op monitor interval=2s timeout=20s </dev/null >/dev/null 2>&1 ||
  die "crm configure primitive demo failed"
t=$(date +%s%N)
demo_started() { [ -n "$(started_on demo)" ]; }
check "demo (ocf:pendop:example, a 3 s Online) starts" wait_until 60 demo_started
first=$(started_on demo)
say "   Started on node$first after $(seconds "$(ms_since "$t")")"
check "its host on node$first recorded Online" test -n "$(first_event "$first" demo online "")"
check "the start's rc is 0" test "$(op_attr "$first" demo demo_last_0 rc-code)" = 0

# --- 2. a move: Offline on the old node ends before Online begins on the new -----------

from=$first
to=$(( from % 3 + 1 ))
say "2. crm resource move demo node$to"
mark=$(now)
t=$(date +%s%N)
on_cluster crm resource move demo "node$to" </dev/null >/dev/null 2>&1
check "demo moved to node$to" wait_until 60 is_started_on demo "$to"
say "   Started on node$to after $(seconds "$(ms_since "$t")")"
off=$(last_event "$from" demo offline "$mark")
begin=$(first_event "$to" demo begin "$mark")
say "   node$from: Offline at ${off#* }; node$to: Online began at ${begin#* }"
check "node$from's host went Offline before node$to's began to come Online" before "$off" "$begin"
check "node$from's host recorded no Online since the move" \
  test -z "$(first_event "$from" demo online "$mark")"
on_cluster crm resource clear demo </dev/null >/dev/null 2>&1
no_move_constraint() { ! on_cluster cibadmin -Q -o constraints 2>/dev/null | grep -q "cli-prefer-$1"; }
check "crm resource clear removes the move's constraint" no_move_constraint demo

# --- 3. the node running demo dies while demo is Online -------------------------------------

# crash_and_recover VICTIM LABEL: the node VICTIM dies; it is fenced, demo is
# Started on a survivor, and VICTIM reboots and rejoins.
crash_and_recover() {
  local victim=$1 label=$2 fences
  fences=$(fenced_count)
  crash_at=$(now)
  local t
  t=$(date +%s%N)
  node_crash "$victim"
  say "   node$victim killed (SIGKILL to its PID namespace) at ${crash_at#* }"
  check "$label: node$victim is fenced" wait_until 60 fenced_since "$fences"
  check "$label: demo is Started on a survivor" wait_until 60 started_elsewhere demo "$victim"
  recovered_ms=$(ms_since "$t")
  survivor=$(started_on demo)
  fenced_at=$(fence_time "node$victim" "$crash_at")
  new_begin=$(first_event "$survivor" demo begin "$crash_at")
  new_online=$(first_event "$survivor" demo online "$crash_at")
  say "   fenced at ${fenced_at#* }; node$survivor began at ${new_begin#* }, Online at ${new_online#* }"
  check "$label: recovery began only after node$victim was fenced" before "$fenced_at" "$new_begin"
  check "$label: stonith_admin --history records it" fence_history_has "node$victim"
  check "$label: node$victim rebooted and rejoined (three nodes, quorate)" wait_all_online
}

victim=$(started_on demo)
say "3. node$victim killed while demo is Online there"
crash_and_recover "$victim" "Online"
# corosync's failure detection is the token timeout plus the consensus
# timeout (both in its log); the rest is fencing and the 3 s start.
token_ms=$(grep -ho "token timed out ([0-9]*ms)" "$work"/node*/log/corosync.log | head -n 1 | tr -dc 0-9)
consensus_ms=$(grep -ho "waiting [0-9]*ms for consensus" "$work"/node*/log/corosync.log | head -n 1 | tr -dc 0-9)
bound_ms=$(( ${token_ms:-0} + ${consensus_ms:-0} + 3000 + 5000 ))
say "   recovered in $(seconds "$recovered_ms") (bound: token ${token_ms}ms + consensus ${consensus_ms}ms + start 3 s + 5 s = $(seconds "$bound_ms"))"
check "Online: recovered within the bound" test "$recovered_ms" -le "$bound_ms"

# --- 4. the node dies while demo is OnlinePending there --------------------------------------

from=$(started_on demo)
to=$(( from % 3 + 1 ))
say "4. node$to killed while demo is OnlinePending there (a move, killed mid-start)"
mark=$(now)
on_cluster crm resource move demo "node$to" </dev/null >/dev/null 2>&1
began_there() { [ -n "$(first_event "$to" demo begin "$mark")" ]; }
check "the start on node$to began" wait_until 60 began_there
on_cluster crm_resource --clear -r demo </dev/null >/dev/null 2>&1   # or it would move back on rejoin
crash_and_recover "$to" "OnlinePending"
check "OnlinePending: node$to's host never reported Online" \
  test -z "$(first_event "$to" demo online "$mark")"
check "OnlinePending: demo is not Started on node$to after it rejoined" \
  started_elsewhere demo "$to"
say "   recovered in $(seconds "$recovered_ms")"

# --- 5. stops: one whose body ignores terminate, one that fails --------------------------------

say "5. a stop whose body ignores terminate"
on_cluster crm configure primitive stubborn ocf:pendop:example \
  params online_ms=200 offline_ms=60000 report_ms=500 ignore_terminate=1 \
  op start timeout=20s op stop timeout=8s op monitor interval=2s timeout=20s </dev/null >/dev/null 2>&1
stubborn_started() { [ -n "$(started_on stubborn)" ]; }
check "stubborn: started" wait_until 60 stubborn_started
where=$(started_on stubborn)
fences=$(fenced_count)
on_cluster crm resource stop stubborn </dev/null >/dev/null 2>&1
check "stubborn: stopped" wait_until 60 not_started stubborn
stop_done() { [ "$(op_attr "$where" stubborn stubborn_last_0 operation)" = stop ] &&
              [ "$(op_attr "$where" stubborn stubborn_last_0 op-status)" != -1 ]; }
check "stubborn: its stop has ended" wait_until 30 stop_done
check "stubborn: stop rc 0, not Timed Out" \
  test "$(op_attr "$where" stubborn stubborn_last_0 rc-code)/$(op_attr "$where" stubborn stubborn_last_0 op-status)" = 0/0
check "stubborn: the stop answered before its 8 s timeout" \
  test "$(op_attr "$where" stubborn stubborn_last_0 exec-time)" -lt 8000
check "stubborn: node$where's log says it was forced down" \
  grep -q "stubborn.*forcing it down with terminate()" "$work/node$where/log/pacemaker.log"
check "stubborn: no node was fenced" test "$(fenced_count)" -eq "$fences"
on_cluster crm configure delete stubborn </dev/null >/dev/null 2>&1

say "5. a stop that fails: its node is fenced, the resource recovered elsewhere"
on_cluster crm configure primitive blocked ocf:pendop-test:misbehaving \
  params start_ms=100 stop_ms=60000 block_terminate=1 \
  op start timeout=20s op stop timeout=8s op monitor interval=2s timeout=20s </dev/null >/dev/null 2>&1
blocked_started() { [ -n "$(started_on blocked)" ]; }
check "blocked: started" wait_until 60 blocked_started
from=$(started_on blocked)
to=$(( from % 3 + 1 ))
fences=$(fenced_count)
mark=$(now)
on_cluster crm resource move blocked "node$to" </dev/null >/dev/null 2>&1
# A stop runs with the parameters of the start before it, so node$from's stop
# still blocks; the recovery's start, and so its later stop, see the fix.
on_cluster crm_resource -r blocked --set-parameter block_terminate --parameter-value 0 \
  </dev/null >/dev/null 2>&1
check "blocked: node$from, whose stop failed, is fenced" wait_until 60 fenced_since "$fences"
check "blocked: recovered elsewhere" wait_until 60 started_elsewhere blocked "$from"
check "blocked: the failed stop's exit reason is in node$from's log" \
  grep -q "ocf-exit-reason:stop did not answer within 7200 ms of its 8000 ms timeout" \
    "$work/node$from/log/pacemaker.log"
check "blocked: stonith_admin --history records the fencing" fence_history_has "node$from"
check "blocked: node$from rebooted and rejoined" wait_all_online
on_cluster crm resource clear blocked </dev/null >/dev/null 2>&1
on_cluster crm resource stop blocked </dev/null >/dev/null 2>&1
check "blocked: its recovered instance stops (no second fencing)" wait_until 60 not_started blocked
on_cluster crm configure delete blocked </dev/null >/dev/null 2>&1

# --- 6. a monitor failure: exit reason and failure count ---------------------------------------

where=$(started_on demo)
say "6. demo's resident host on node$where killed: a monitor failure"
# the host proper: the member of the host's process group that does not lead it
node_exec "$where" sh -c 'g=$(cut -d" " -f1 /run/resource-agents/pendop-example-demo.host)
                         for p in $(pgrep -g "$g"); do [ "$p" = "$g" ] || kill -KILL "$p"; done' 
failcount_in_xml() {
  on_cluster crm_mon -1 --output-as=xml 2>/dev/null |
    grep -q "<resource_history id=\"demo\".*fail-count=\"1\""
}
check "crm_mon --output-as=xml shows demo's fail-count 1" wait_until 30 failcount_in_xml
failure_in_xml() {
  on_cluster crm_mon -1 --output-as=xml 2>/dev/null |
    grep '<failure op_key="demo_monitor_2000"' | grep -q 'killed by signal 9'
}
check "crm_mon's XML shows the failure with the agent's exit reason" failure_in_xml
check "node$where's log has the exit reason" \
  grep -q "demo_monitor_2000.*ocf-exit-reason:the resident host ended: killed by signal 9" \
    "$work/node$where/log/pacemaker.log"
check "demo recovered in place" wait_until 60 is_started_on demo "$where"
on_cluster crm_resource --cleanup -r demo </dev/null >/dev/null 2>&1

# --- 7. quorum loss ------------------------------------------------------------------------------

wait_until 60 demo_started
survivor=$(started_on demo)
[ -n "$survivor" ] || die "demo runs nowhere before the quorum check"
say "7. the two nodes beside node$survivor killed: quorum lost"
mark=$(now)
t=$(date +%s%N)
for n in 1 2 3; do [ "$n" = "$survivor" ] || node_crash "$n"; done
without_quorum() { node_exec "$survivor" crm_mon -1 2>/dev/null | grep -q "partition WITHOUT quorum"; }
check "node$survivor has no quorum" wait_until 60 without_quorum
stopped_there() { [ -n "$(first_event "$survivor" demo offline "$mark")" ]; }
check "no-quorum-policy=stop: node$survivor's host took demo Offline" wait_until 60 stopped_there
say "   Offline $(seconds "$(ms_since "$t")") after the two nodes died"
stopped_on_survivor() { node_exec "$survivor" crm_mon -1 -r 2>/dev/null | grep -Eq "demo.*Stopped"; }
check "crm_mon on node$survivor shows demo Stopped" wait_until 30 stopped_on_survivor
say "   what crm_mon shows on node$survivor:"
node_exec "$survivor" crm_mon -1 -r 2>/dev/null | sed 's/^/   | /'

check_summary
