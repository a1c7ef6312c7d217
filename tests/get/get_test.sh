#!/usr/bin/env bash
# get_test.sh CASE ROLLSIM WORKDIR - one behaviour of `rollsim get rollout`. RSIM_GET_DIR is
# this folder (the expected outputs), RSIM_SCENARIOS the library scenarios. A case named
# "<scenario>@<time>" prints that scenario at that time and compares it, byte for byte, with
# <scenario>-<time>.expected (RSIM_UPDATE_GOLDEN=1 rewrites the expected file).
set -u
case_name=$1 rollsim=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
expect_exit() {
    local want=$1; shift
    "$@" >out.txt 2>err.txt
    local got=$?
    [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "exit $got, wanted $want: $*"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not contain: $2"; }; }

case "$case_name" in
*@*)
    scn=${case_name%@*} at=${case_name#*@}
    want=$RSIM_GET_DIR/$scn-$at.expected
    expect_exit 0 "$rollsim" get rollout "$RSIM_SCENARIOS/$scn.yaml" --at "$at"
    if [ "${RSIM_UPDATE_GOLDEN:-}" = 1 ]; then cp out.txt "$want"; fi
    diff -u "$want" out.txt || fail "output differs from $want"
    expect_exit 0 "$rollsim" get rollout "$RSIM_SCENARIOS/$scn.yaml" --at "$at"
    diff -u "$want" out.txt || fail "second run differs" ;;
watch)
    # 12m at a 5s tick from 11m: 13 frames, the last at the end of the run, then exit.
    expect_exit 0 "$rollsim" get rollout "$RSIM_SCENARIOS/canary-basic.yaml" --watch --speed 0 --at 11m
    [ "$(grep -c '^Time:' out.txt)" -eq 13 ] || fail "wanted 13 frames"
    [ "$(grep -c '^Name:' out.txt)" -eq 13 ] || fail "wanted 13 headers"
    head -1 out.txt | grep -qx 'Time:            11m0s' || fail "first frame not at 11m0s"
    grep '^Time:' out.txt | tail -1 | grep -qx 'Time:            12m0s' || fail "last frame not at 12m0s"
    if grep -q $'\033' out.txt; then fail "ANSI escapes written to a file"; fi
    # --speed paces frames in real time: 2 steps of 5s at 100x take at least 0.1s.
    start=$(date +%s%N)
    expect_exit 0 "$rollsim" get rollout "$RSIM_SCENARIOS/canary-basic.yaml" --watch --speed 100 --at 11m50s
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$elapsed" -ge 90 ] || fail "frames not paced: ${elapsed}ms"
    [ "$(grep -c '^Time:' out.txt)" -eq 3 ] || fail "wanted 3 frames" ;;
usage)
    expect_exit 2 "$rollsim" get rollout "$RSIM_SCENARIOS/canary-basic.yaml" --at 13m
    contains err.txt "--at is after the end of the run (12m0s)"
    expect_exit 2 "$rollsim" get rollout "$RSIM_SCENARIOS/canary-basic.yaml" --at 5x
    contains err.txt "--at: not a duration"
    expect_exit 2 "$rollsim" get rollout --at 1m
    contains err.txt "no FILE given"
    expect_exit 2 "$rollsim" get pods x.yaml
    contains err.txt "expected: get rollout FILE"
    expect_exit 2 "$rollsim" get rollout no-such-file.yaml --at 1m
    expect_exit 0 "$rollsim" get --help
    contains out.txt "Usage: rollsim get rollout"
    expect_exit 0 "$rollsim" help get
    contains out.txt "--watch" ;;
*)
    fail "unknown case $case_name" ;;
esac
echo "PASS $case_name"
