#!/usr/bin/env bash
# expect_output.sh - runs a command and compares its stdout+stderr with an expected file and its
# exit status with an expected one; the shared core of the data-driven suites (tests/errors,
# tests/reconcile). When the environment variable named UPDATE_VAR is 1, it rewrites the
# expected file instead of comparing (and still checks the exit status).
# Usage: expect_output.sh UPDATE_VAR EXPECTED_FILE EXPECTED_STATUS COMMAND [ARG]...
set -u
if [ $# -lt 4 ]; then
  echo "usage: $0 UPDATE_VAR EXPECTED_FILE EXPECTED_STATUS COMMAND [ARG]..." >&2
  exit 2
fi
update_var=$1 expected=$2 expected_status=$3
shift 3

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$@" > "$tmp" 2>&1
status=$?

if [ "${!update_var:-0}" = "1" ]; then
  cp "$tmp" "$expected"
  echo "wrote $expected (exit status $status)"
  if [ "$status" -ne "$expected_status" ]; then
    echo "warning: exit status $status, expected $expected_status" >&2
    exit 1
  fi
  exit 0
fi

if [ ! -f "$expected" ]; then
  echo "missing $expected; run with $update_var=1 to create it" >&2
  cat "$tmp"
  exit 1
fi
fail=0
if ! diff -u "$expected" "$tmp"; then
  echo "output differs from $expected (diff above)" >&2
  fail=1
fi
if [ "$status" -ne "$expected_status" ]; then
  echo "exited with $status, expected $expected_status: $*" >&2
  fail=1
fi
exit $fail
