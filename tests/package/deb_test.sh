#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages as an administrator meets them: built by
# scripts/package (lintian clean), installed with apt from the files, the
# installed agent's meta-data and ocf-tester, the installed command, then
# purged. Root only (exit 77: skipped); refuses to touch an installation of
# pendop's packages it did not make.
# Usage: deb_test.sh PROJECT_ROOT
set -euo pipefail
root=$1
packages=(pendop-resource-agents pendop libpendop-dev libpendop0.3)
if [ "$(id -u)" -ne 0 ]; then
  echo "deb: needs root to install packages; skipped"
  exit 77
fi
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "deb: $p is installed already; this test will not replace it" >&2
    exit 1
  fi
done
work=$(mktemp -d /tmp/pendop-deb.XXXXXX)
chmod 755 "$work"
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "deb: ok: $what"
    passed=$((passed + 1))
  else
    echo "deb: NOT OK: $what" >&2
    exit 1
  fi
}

cd "$root"
scripts/package "$work/debs"
check "four packages" test "$(ls "$work"/debs/*.deb | wc -l)" -eq 4
for p in pendop-resource-agents pendop; do
  check "$p depends on the library package at its own version" \
    sh -c "dpkg-deb -f '$work'/debs/${p}_*.deb Depends | grep -q 'libpendop0.3 (= 0.3.0-1)'"
done
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$work"/debs/*.deb >/dev/null
agent=/usr/lib/ocf/resource.d/pendop/example
check "the agent is installed as ocf:pendop:example" test -x "$agent"
check "its meta-data is valid OCF XML" sh -c "'$agent' meta-data | xmllint --noout -"
check "its meta-data names the agent" sh -c "'$agent' meta-data | grep -q '<resource-agent name=\"example\"'"
mkdir -m 755 "$work/state"
check "ocf-tester passes the installed agent (resident)" \
  sh -c "HA_RSCTMP='$work/state' ocf-tester -n pendop-deb -o online_ms=200 -o report_ms=50 '$agent' |
         tee '$work/ocf-tester.log' | grep -q 'passed all tests'"
check "ocf-tester's stops leave no state" test -z "$(ls -A "$work/state")"
no_host() { ! pgrep -f "$agent [p]endop-resident-host" >/dev/null; }  # [p]: not this shell
check "no resident host is left" no_host
check "the command runs: pendop --version" sh -c "pendop --version | grep -q '0.3.0'"
check "its man page is installed" test -f /usr/share/man/man1/pendop.1.gz
check "the CMake package is installed" test -f /usr/lib/x86_64-linux-gnu/cmake/pendop/pendop-config.cmake
check "the libraries carry the minor version in their SONAME" \
  sh -c "objdump -p /usr/lib/x86_64-linux-gnu/libpendop_core.so.0.3 | grep -q 'SONAME *libpendop_core.so.0.3'"
# An author's agent, built against the installed package, run as Pacemaker runs it.
cmake -S "$root/tests/package/deb_agent" -B "$work/agent" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  >/dev/null
check "an author's agent builds against libpendop-dev" cmake --build "$work/agent" >/dev/null
service=$work/agent/service_agent
export HA_RSCTMP="$work/state" OCF_RESOURCE_INSTANCE=svc OCF_RESKEY_port_file="$work/port"
check "its start succeeds (a resident host)" "$service" start
ask_service() { exec 3<>"/dev/tcp/127.0.0.1/$(cat "$work/port")" && read -r -t 5 line <&3 &&
                exec 3<&- && [ "$line" = pendop ]; }
check "its service answers from another process after start has exited" ask_service
check "monitor says running" "$service" monitor
host=$(pgrep -g "$(cut -d' ' -f1 "$work/state/pendop-resident_service-svc.host")" | tail -n 1)
kill -9 "$host"
monitor_fails() {
  local rc=0
  "$service" monitor 2>"$work/monitor.err" || rc=$?
  [ "$rc" -eq 1 ] && grep -q "killed by signal 9" "$work/monitor.err"
}
check "a killed host is a failure monitor names" monitor_fails
check "start again" "$service" start
check "stop" "$service" stop
no_service_host() { ! pgrep -f "$service [p]endop-resident-host" >/dev/null; }
check "no process of the resource is left" no_service_host
not_running() { local rc=0; "$service" monitor 2>/dev/null || rc=$?; [ "$rc" -eq 7 ]; }
check "monitor says not running" not_running
unset HA_RSCTMP OCF_RESOURCE_INSTANCE OCF_RESKEY_port_file

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >/dev/null
installed=0
check "purged: nothing of the agent is left" test ! -e "$agent"
echo "deb: $passed passed, 0 failed"
