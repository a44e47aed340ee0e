# SPDX-License-Identifier: MIT
# Sourced by the three-node cluster test: a corosync + Pacemaker cluster of
# three nodes on one machine, each node a process tree in its own network,
# mount, UTS, IPC and PID namespaces (node_init.sh is its init), linked by
# veth pairs to a bridge that lives in a network namespace of its own.
# Nothing is added to the machine's own network namespace and nothing is
# mounted in its mount namespace; every process is recorded under WORK, so
# cluster_teardown (and the next run, if this one was killed) ends them all.
#
#   cluster_prepare DEB...        config, fence directory, the packages unpacked
#   cluster_start                 bridge, supervisor, three nodes booted
#   node_exec N CMD...            CMD inside node N (its namespaces, a clean env)
#   node_crash N                  SIGKILL to node N's namespace; power stays "on"
#   node_running N / node_pid N   whether node N runs / its init's pid
#   on_cluster CMD...             CMD on the first node that runs and answers
#   cluster_quorate               three nodes online, quorate with three votes
#   cluster_configure             fencing (fence_pendop), no-quorum-policy=stop,
#                                 resource-stickiness=100
#   cluster_teardown              everything above undone
#
# The supervisor serves fence_pendop's requests (off, on, reboot) from the
# nodes and logs each to WORK/fence.log.
: "${work:?harness.sh needs work=DIR}"
cluster_nodes="node1 node2 node3"
harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node_path=/usr/sbin:/usr/bin:/sbin:/bin

node_pid() { cat "$work/node$1/pid" 2>/dev/null; }
node_running() { local p; p=$(node_pid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

node_exec() {
  local n=$1
  shift
  local pid
  pid=$(node_pid "$n") || return 125
  nsenter -t "$pid" -m -u -n -i -p -- env -i PATH="$node_path" HOME=/root LANG=C.UTF-8 "$@"
}

# live_node: a node that runs and answers; on_cluster runs the cluster's tools there
live_node() {
  local n
  for n in 1 2 3; do
    node_running "$n" && node_exec "$n" crm_mon -1 </dev/null >/dev/null 2>&1 && { echo "$n"; return 0; }
  done
  return 1
}
on_cluster() { local n; n=$(live_node) || return 1; node_exec "$n" "$@"; }

cluster_quorate() {
  local status
  status=$(on_cluster crm_mon -1 2>/dev/null) || return 1
  grep -q "Online: \[ node1 node2 node3 \]" <<<"$status" &&
    grep -q "partition with quorum" <<<"$status" &&
    on_cluster corosync-quorumtool -s 2>/dev/null | grep -q "Total votes: *3"
}

cluster_configure() {
  on_cluster crm_attribute -t crm_config -n stonith-enabled -v true >/dev/null &&
    on_cluster crm_attribute -t crm_config -n no-quorum-policy -v stop >/dev/null &&
    on_cluster crm_attribute --type rsc_defaults --name resource-stickiness --update 100 \
      >/dev/null &&
    on_cluster cibadmin -C -o resources -X \
      '<primitive id="fencing" class="stonith" type="fence_pendop">
         <instance_attributes id="fencing-ia">
           <nvpair id="fencing-hosts" name="pcmk_host_list" value="node1 node2 node3"/>
         </instance_attributes>
         <operations><op id="fencing-monitor" name="monitor" interval="10s"/></operations>
       </primitive>' >/dev/null
}

# node_gone N: every process of node N's PID namespace has ended. The kernel
# reaps a namespace's init only after all its other processes are gone, so
# the init's pid is the whole namespace's.
node_gone() {
  local pid
  pid=$(node_pid "$1") || return 0
  [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null
}

node_boot() {
  local n=$1 dir=$work/node$1 unshare_pid pid=
  mkdir -p "$dir/log"
  chown hacluster:haclient "$dir/log"
  chmod 770 "$dir/log"
  rm -f "$dir/booted"
  unshare --net --mount --uts --ipc --pid --fork --mount-proc --propagation private -- \
    env -i PATH="$node_path" LANG=C.UTF-8 bash "$harness_dir/node_init.sh" "$work" "$n" \
    </dev/null >>"$dir/log/init.out" 2>&1 &
  unshare_pid=$!
  disown "$unshare_pid"   # its end is expected: no "Killed" notice from the shell
  for _ in $(seq 1 100); do
    pid=$(pgrep -P "$unshare_pid" | head -n 1) && [ -n "$pid" ] && break
    sleep 0.02
  done
  [ -n "$pid" ] || { echo "node$n: its init did not start" >&2; return 1; }
  echo "$pid" >"$dir/pid"
  local bridge
  bridge=$(cat "$work/bridge.pid")
  nsenter --net="/proc/$bridge/ns/net" ip link del "vn$n" 2>/dev/null || true
  nsenter --net="/proc/$bridge/ns/net" ip link add "vn$n" type veth peer name eth0 netns "$pid" &&
    nsenter --net="/proc/$bridge/ns/net" ip link set "vn$n" master br0 up || return 1
  echo on >"$work/fence/node$n.power"
}

# node_crash N: the node dies at once (SIGKILL to its init kills its whole
# PID namespace), as on a power failure or a kernel panic; it is still
# "powered on" as far as fencing knows.
node_crash() {
  local pid
  pid=$(node_pid "$1") || return 0
  kill -KILL "$pid" 2>/dev/null || true
  local end=$((SECONDS + 30))
  while ! node_gone "$1" && [ "$SECONDS" -lt "$end" ]; do sleep 0.05; done
  node_gone "$1"
}

node_power_off() {
  node_crash "$1" || return 1
  echo off >"$work/fence/node$1.power"
}

# The fence agent's other end: requests are files NAME.req holding
# "ACTION NODE"; the answer is NAME.rep ("ok" or why not). A reboot answers
# once the node is off, and powers it on only when the other nodes' corosync
# has seen it leave (and `boot_delay` seconds at least, a machine's firmware
# taking its time): a node back before that would rejoin a membership it
# never left, hear of its own fencing and, as Pacemaker's fence-reaction=stop
# asks, stop its cluster stack for good.
boot_delay=3
# left_membership N: no running node lists node N as a corosync member
left_membership() {
  local m
  for m in 1 2 3; do
    [ "$m" = "$1" ] && continue
    node_running "$m" || continue
    node_exec "$m" corosync-quorumtool -l 2>/dev/null | grep -qw "node$1" && return 1
  done
  return 0
}
supervise() {
  local req action target n answer
  local -A boot_at=()
  while :; do
    for n in "${!boot_at[@]}"; do
      local waited=$(( $(date +%s) - boot_at[$n] ))
      if [ "$waited" -ge "$boot_delay" ] && { left_membership "$n" || [ "$waited" -ge 60 ]; }; then
        unset "boot_at[$n]"
        node_running "$n" || node_boot "$n" ||
          printf '%s boot node%s: failed\n' "$(date '+%F %T.%6N')" "$n" >>"$work/fence.log"
      fi
    done
    for req in "$work"/fence/*.req; do
      [ -f "$req" ] || continue
      read -r action target <"$req"
      rm -f "$req"
      n=${target#node}
      answer=ok
      case $action in
        off) node_power_off "$n" || answer="node$n did not die" ;;
        on) node_running "$n" || node_boot "$n" || answer="node$n did not boot" ;;
        reboot)
          if node_power_off "$n"; then
            boot_at[$n]=$(date +%s)
          else
            answer="node$n did not die"
          fi ;;
        *) answer="unknown action $action" ;;
      esac
      printf '%s %s %s: %s\n' "$(date '+%F %T.%6N')" "$action" "$target" "$answer" >>"$work/fence.log"
      echo "$answer" >"${req%.req}.rep.tmp" && mv "${req%.req}.rep.tmp" "${req%.req}.rep"
    done
    sleep 0.1
  done
}

# cluster_prepare DEB...: the packages are unpacked into WORK/root (as
# dpkg-deb -x does; their maintainer scripts have nothing to do here) and
# appear at their installed paths inside every node. Files a test adds
# under WORK/root/usr/lib/ocf/resource.d before cluster_start appear too.
cluster_prepare() {
  mkdir -p "$work/fence" "$work/sbin" "$work/root/usr/lib/ocf/resource.d"
  local deb dir
  for deb in "$@"; do dpkg-deb -x "$deb" "$work/root" || return 1; done
  install -m 755 "$harness_dir/fence_pendop" "$work/sbin/fence_pendop"
  echo "$work/sbin /usr/sbin" >"$work/overlays"
  for dir in "$work"/root/usr/lib/ocf/resource.d "$work"/root/usr/lib/*-linux-gnu "$work"/root/usr/bin; do
    [ -d "$dir" ] && [ -d "${dir#"$work/root"}" ] && echo "$dir ${dir#"$work/root"}" >>"$work/overlays"
  done
  printf '%s\n' $cluster_nodes >"$work/fence/nodes"
  {
    cat <<'CONF'
totem {
    version: 2
    cluster_name: pendop-three
    transport: knet
    crypto_cipher: none
    crypto_hash: none
    token: 2000
}
quorum {
    provider: corosync_votequorum
}
logging {
    to_logfile: yes
    logfile: /var/log/pacemaker/corosync.log
    to_syslog: no
    to_stderr: no
    timestamp: hires
}
nodelist {
CONF
    local n
    for n in 1 2 3; do
      printf '    node {\n        ring0_addr: 10.213.0.%s\n        name: node%s\n        nodeid: %s\n    }\n' \
        "$n" "$n" "$n"
    done
    echo "}"
  } >"$work/corosync.conf"
}

cluster_start() {
  unshare --net -- sleep infinity </dev/null >/dev/null 2>&1 &
  local bridge=$!
  disown "$bridge"
  echo "$bridge" >"$work/bridge.pid"
  for _ in $(seq 1 50); do
    [ "$(readlink "/proc/$bridge/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.02
  done
  nsenter --net="/proc/$bridge/ns/net" sh -c \
    'ip link set lo up && ip link add br0 type bridge && ip link set br0 up' || return 1
  supervise </dev/null >>"$work/supervisor.out" 2>&1 &
  echo $! >"$work/supervisor.pid"
  disown $!
  local n
  for n in 1 2 3; do node_boot "$n" || return 1; done
}

# Ends every process a run (this one or an interrupted one) started under
# WORK, then removes WORK. No mount or interface outlives the namespaces.
cluster_teardown() {
  local f p end
  for f in "$work/supervisor.pid" "$work"/node*/pid "$work/bridge.pid"; do
    [ -f "$f" ] || continue
    p=$(cat "$f")
    if [ -n "$p" ]; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  # an init whose pid was not recorded yet, and unshare parents
  pkill -KILL -f "node_init.sh $work " 2>/dev/null || true
  for f in "$work"/node*/pid; do
    [ -f "$f" ] || continue
    f=${f%/pid}
    end=$((SECONDS + 30))
    while ! node_gone "${f##*node}" && [ "$SECONDS" -lt "$end" ]; do sleep 0.05; done
  done
  rm -rf "$work"
}
