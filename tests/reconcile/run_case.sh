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
rollsim=$1 dir=$2 name=$3
support=$(cd "$(dirname "$0")/../support" && pwd)
expected_status=0
case "$name" in
  bad-*) expected_status=2 ;;
esac
cd "$dir" || exit 1
state=$name.yaml
[ -f "$state" ] || state=$name.json
if [ ! -f "$state" ]; then
  echo "run_case.sh: no case $dir/$name.yaml or $dir/$name.json" >&2
  exit 1
fi
args=()
if [ -f "$name.args" ]; then
  # Extra arguments separated by white space (no quoting needed for ours).
  read -r -a args < "$name.args"
fi
exec "$support/expect_output.sh" RSIM_UPDATE_RECONCILE "$name.expected" "$expected_status" \
  "$rollsim" reconcile --state "$state" "${args[@]}"
