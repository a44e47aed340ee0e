#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PID 1 of one node of the three-node test cluster (tests/cluster/harness.sh
# starts it inside new network, mount, UTS, IPC and PID namespaces). It gives
# the node its own hostname and its own copies of everything a cluster stack
# reads or writes, so that nothing of the machine's own is touched:
#
#   tmpfs        /run, /dev/shm, /etc/corosync, /var/lib/corosync, /var/lib/pacemaker
#   bind         /var/log/pacemaker  <- WORK/nodeN/log (read by the test afterwards)
#                /run/pendop-fence   <- WORK/fence (the fence agent's requests)
#   read-only    each "TREE DIR" line of WORK/overlays: DIR shows TREE's files
#   overlays     over its own (the fence agent in /usr/sbin, the unpacked
#                packages' agents and libraries)
#
# then waits for eth0 (the harness moves it in from the bridge's namespace),
# starts corosync and pacemakerd, and stays as the node's init, reaping
# orphans, until the harness kills the namespace.
#
# Usage: node_init.sh WORK N
set -euo pipefail
work=$1
n=$2
dir=$work/node$n

hostname "node$n"
mount --make-rprivate /

mount -t tmpfs -o mode=755 pendop-run /run
install -d -o hacluster -g haclient -m 750 /run/crm
install -d -m 1755 /run/resource-agents
install -d -m 755 /run/lock /run/pendop-fence
mount --bind "$work/fence" /run/pendop-fence
mount -t tmpfs -o mode=1777 pendop-shm /dev/shm
mount -t tmpfs -o mode=755 pendop-etc /etc/corosync
install -m 644 "$work/corosync.conf" /etc/corosync/corosync.conf
mount -t tmpfs -o mode=755 pendop-corosync /var/lib/corosync
mount -t tmpfs -o mode=755 pendop-pacemaker /var/lib/pacemaker
for d in cib pengine blackbox cores; do
  install -d -o hacluster -g haclient -m 750 "/var/lib/pacemaker/$d"
done
mount --bind "$dir/log" /var/log/pacemaker
while read -r tree target; do
  mount -t overlay pendop-overlay -o "ro,lowerdir=$tree:$target" "$target"
done <"$work/overlays"

ip link set lo up
for _ in $(seq 1 200); do ip link show eth0 >/dev/null 2>&1 && break; sleep 0.05; done
ip addr add "10.213.0.$n/24" dev eth0
ip link set eth0 up
echo "node$n: network up" >"$dir/booted"

corosync -f >"$dir/log/corosync.out" 2>&1 &
for _ in $(seq 1 100); do corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && break; sleep 0.1; done
# The agents' log lines go to pacemaker.log (Pacemaker passes HA_LOGFILE on),
# dated to the microsecond so the nodes' records can be put in one order.
HA_DATEFMT='%F %T.%6N ' PCMK_logfile=/var/log/pacemaker/pacemaker.log \
  pacemakerd >"$dir/log/pacemakerd.out" 2>&1 &

# init: stay, and reap whatever is re-parented here.
while :; do
  sleep 3600 &
  wait $! || true
done
