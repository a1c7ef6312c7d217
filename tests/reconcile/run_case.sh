#!/usr/bin/env bash
# run_case.sh - runs one `rollsim reconcile` case from inside tests/reconcile:
# `rollsim reconcile --state <case>.yaml|json [args of <case>.args]`, and compares stdout+stderr with
# <case>.expected and the exit status with 2 for the bad-* cases, 0 for the others.
# Usage: run_case.sh ROLLSIM CASE_DIR CASE
# With RSIM_UPDATE_RECONCILE=1 in the environment it rewrites <case>.expected instead.
set -u

if [ $# -ne 3 ]; then
  echo "usage: $0 ROLLSIM CASE_DIR CASE" >&2
  exit 2
fi
rollsim=$1
dir=$2
name=$3
expected_status=0
case "$name" in
  bad-*) expected_status=2 ;;
esac

cd "$dir" || exit 1
state=$name.yaml
if [ ! -f "$state" ]; then
  state=$name.json
fi
if [ ! -f "$state" ]; then
  echo "run_case.sh: no case $dir/$name.yaml or $dir/$name.json" >&2
  exit 1
fi
args=()
if [ -f "$name.args" ]; then
  # Extra arguments separated by white space (no quoting needed for ours).
  read -r -a args < "$name.args"
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$rollsim" reconcile --state "$state" "${args[@]}" > "$tmp" 2>&1
status=$?

if [ "${RSIM_UPDATE_RECONCILE:-0}" = "1" ]; then
  cp "$tmp" "$name.expected"
  echo "run_case.sh: wrote $dir/$name.expected (exit status $status)"
  if [ "$status" -ne "$expected_status" ]; then
    echo "run_case.sh: warning: exit status $status, expected $expected_status" >&2
    exit 1
  fi
  exit 0
fi

if [ ! -f "$name.expected" ]; then
  echo "run_case.sh: missing $dir/$name.expected; run with RSIM_UPDATE_RECONCILE=1" >&2
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
