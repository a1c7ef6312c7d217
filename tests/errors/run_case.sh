#!/usr/bin/env bash
# run_case.sh - runs one exact-diagnostics case: `rollsim validate <case>.yaml [args...]` from
# inside tests/errors, and compares stdout+stderr with <case>.expected and the exit status with 2.
# Usage: run_case.sh ROLLSIM CASE_DIR CASE
# With RSIM_UPDATE_ERRORS=1 in the environment it rewrites <case>.expected instead of comparing.
set -u

if [ $# -ne 3 ]; then
  echo "usage: $0 ROLLSIM CASE_DIR CASE" >&2
  exit 2
fi
rollsim=$1
dir=$2
name=$3
expected_status=2

cd "$dir" || exit 1
if [ ! -f "$name.yaml" ]; then
  echo "run_case.sh: no case $dir/$name.yaml" >&2
  exit 1
fi
args=()
if [ -f "$name.args" ]; then
  # One or more extra arguments, separated by white space (no quoting needed for our paths).
  read -r -a args < "$name.args"
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$rollsim" validate "$name.yaml" "${args[@]}" > "$tmp" 2>&1
status=$?

if [ "${RSIM_UPDATE_ERRORS:-0}" = "1" ]; then
  cp "$tmp" "$name.expected"
  echo "run_case.sh: wrote $dir/$name.expected (exit status $status)"
  if [ "$status" -ne "$expected_status" ]; then
    echo "run_case.sh: warning: exit status $status, expected $expected_status" >&2
    exit 1
  fi
  exit 0
fi

if [ ! -f "$name.expected" ]; then
  echo "run_case.sh: missing $dir/$name.expected; run with RSIM_UPDATE_ERRORS=1 to create it" >&2
  cat "$tmp"
  exit 1
fi
fail=0
if ! diff -u "$name.expected" "$tmp"; then
  echo "run_case.sh: output of case '$name' differs from $name.expected (diff above)" >&2
  fail=1
fi
if [ "$status" -ne "$expected_status" ]; then
  echo "run_case.sh: case '$name' exited with $status, expected $expected_status" >&2
  fail=1
fi
exit $fail
