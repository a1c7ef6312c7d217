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
rollsim=$1 dir=$2 name=$3
support=$(cd "$(dirname "$0")/../support" && pwd)
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
exec "$support/expect_output.sh" RSIM_UPDATE_ERRORS "$name.expected" 2 \
  "$rollsim" validate "$name.yaml" "${args[@]}"
