#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs Debian's ocf-tester on an agent. ocf-tester checks that user nobody
# can run the agent, so it runs on a copy in a world-readable folder (the
# build tree may sit under a private home directory). State goes to a private
# HA_RSCTMP, never the system's, and the run fails if any is left behind.
# Usage: run_ocf_tester.sh AGENT [ocf-tester options...]
set -eu
agent=$1
shift
dir=$(mktemp -d /tmp/pendop-ocf.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cp "$agent" "$dir/"
chmod 755 "$dir/$(basename "$agent")"
mkdir "$dir/state"
export HA_RSCTMP="$dir/state"
ocf-tester "$@" "$dir/$(basename "$agent")"
if [ -n "$(ls -A "$dir/state")" ]; then
  echo "state left behind after the final stop: $(ls -A "$dir/state")" >&2
  exit 1
fi
