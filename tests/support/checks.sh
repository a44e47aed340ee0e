# SPDX-License-Identifier: MIT
# Sourced by the shell tests: numbered checks and bounded polling.
#
#   check_prefix=NAME        lines are "NAME: ok: ..." / "NAME: NOT OK: ..."
#   check WHAT COMMAND...    runs COMMAND; counts it in `passed` or `failed`
#   wait_until SECONDS COMMAND...   polls COMMAND every `poll_interval`
#                            seconds (default 0.1) until it holds, or once
#                            more at the end; its status is COMMAND's
#   check_summary            "NAME: P passed, F failed"; status 0 when none failed
passed=0
failed=0
: "${check_prefix:=check}"
: "${poll_interval:=0.1}"

say() { printf '%s: %s\n' "$check_prefix" "$*"; }

check() {
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    say "ok: $what"
  else
    failed=$((failed + 1))
    say "NOT OK: $what"
  fi
}

wait_until() {
  local seconds=$1
  shift
  local end=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$end" ]; do
    "$@" && return 0
    sleep "$poll_interval"
  done
  "$@"
}

check_summary() {
  echo "$check_prefix: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
