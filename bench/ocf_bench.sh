#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What an OCF agent built with pendop costs under Pacemaker, as metric lines
# (JSON, one a line) for pendop_bench_scenarios --merge:
#   ocf_monitor_mean           one `monitor` of the resident example agent,
#                              process start to exit, against one `monitor`
#                              of ocf:heartbeat:Dummy, the same number of
#                              times, alternating (target <= 1x)
#   ocf_host_memory_per_instance  the proportional set size (PSS) of the
#                              resident hosts' processes (supervisor and
#                              host) per idle Online instance (< 4 MiB)
# Usage: ocf_bench.sh AGENT [--quick] > metrics.jsonl
set -euo pipefail
agent=$1
quick=${2:-}
runs=200
instances=10
if [ "$quick" = "--quick" ]; then runs=20; instances=3; fi
dummy=/usr/lib/ocf/resource.d/heartbeat/Dummy
work=$(mktemp -d /tmp/pendop-ocf-bench.XXXXXX)
cleanup() {
  local i
  for i in $(seq 1 "$instances"); do
    OCF_RESOURCE_INSTANCE="b$i" HA_RSCTMP="$work" OCF_RESKEY_CRM_meta_timeout=20000 \
      "$agent" stop >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
export OCF_ROOT=/usr/lib/ocf HA_RSCTMP="$work" OCF_RESKEY_CRM_meta_timeout=20000
export OCF_RESKEY_online_ms=100 OCF_RESKEY_report_ms=50

now_ns() { date +%s%N; }

# --- monitor, alternating with Dummy's ----------------------------------------
OCF_RESOURCE_INSTANCE=m "$agent" start >/dev/null 2>&1
OCF_RESKEY_state="$work/Dummy.state" "$dummy" start >/dev/null 2>&1
ours=0
theirs=0
for _ in $(seq 1 "$runs"); do
  t0=$(now_ns)
  OCF_RESOURCE_INSTANCE=m "$agent" monitor >/dev/null 2>&1
  t1=$(now_ns)
  OCF_RESKEY_state="$work/Dummy.state" "$dummy" monitor >/dev/null 2>&1
  t2=$(now_ns)
  ours=$((ours + t1 - t0))
  theirs=$((theirs + t2 - t1))
done
OCF_RESOURCE_INSTANCE=m "$agent" stop >/dev/null 2>&1
OCF_RESKEY_state="$work/Dummy.state" "$dummy" stop >/dev/null 2>&1
awk -v o="$ours" -v t="$theirs" -v n="$runs" 'BEGIN {
  v = o / n / 1e6; b = t / n / 1e6;
  printf "{\"name\":\"ocf_monitor_mean\",\"unit\":\"ms\",\"value\":%.3f,\"baseline_name\":\"ocf:heartbeat:Dummy monitor\",\"baseline_value\":%.3f,\"ratio\":%.3f,\"target_ratio\":1.000,\"pass\":%s,\"note\":\"%d monitors each, alternating, resident example agent Online\"}\n",
    v, b, v / b, (v / b <= 1.0) ? "true" : "false", n }'

# --- the resident hosts' memory ------------------------------------------------
for i in $(seq 1 "$instances"); do
  OCF_RESOURCE_INSTANCE="b$i" "$agent" start >/dev/null 2>&1
done
sleep 1  # idle: the hosts' first health polls are done
pss=0
for f in "$work"/*.host; do
  group=$(cut -d' ' -f1 "$f")
  for p in $(pgrep -g "$group"); do
    kb=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")
    pss=$((pss + kb))
  done
done
awk -v kb="$pss" -v n="$instances" 'BEGIN {
  v = kb * 1024 / n; b = 4 * 1024 * 1024;
  printf "{\"name\":\"ocf_host_memory_per_instance\",\"unit\":\"bytes\",\"value\":%.0f,\"baseline_name\":\"4 MiB\",\"baseline_value\":%.0f,\"ratio\":%.3f,\"target_ratio\":1.000,\"pass\":%s,\"note\":\"PSS of supervisor and host, %d idle Online instances\"}\n",
    v, b, v / b, (v <= b) ? "true" : "false", n }'
