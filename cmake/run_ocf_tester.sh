#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs Debian's ocf-tester on an agent. ocf-tester checks that user nobody
# can run the agent, so it runs on a copy in a world-readable folder (the
# build tree may sit under a private home directory).
# Usage: run_ocf_tester.sh AGENT [ocf-tester options...]
set -eu
agent=$1
shift
dir=$(mktemp -d /tmp/pendop-ocf.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
cp "$agent" "$dir/"
chmod 755 "$dir/$(basename "$agent")"
ocf-tester "$@" "$dir/$(basename "$agent")"
