#!/usr/bin/env bash
# plots_test.sh CASE ROLLSIM WORKDIR - the plots `rollsim run --out DIR` draws.
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
need_gnuplot() { command -v gnuplot >/dev/null || { echo "SKIP: gnuplot is not installed"; exit 77; }; }
rest_written() {
    for f in events.jsonl timeline.csv totals.json summary.json measurements.csv events.csv; do
        [ -s "$1/$f" ] || fail "no $1/$f"
    done
}
msg='gnuplot not found: install it with `apt-get install gnuplot-nox`; the other outputs were written'

case "$case_name" in
png_svg_two_scenarios)
    need_gnuplot
    for s in default guarded-canary; do
        expect_exit 0 "$rollsim" run --quiet --plots --out "$s" "$RSIM_SOURCE_DIR/scenarios/$s.yaml"
        rest_written "$s"
        [ -s "$s/rollout.png" ] || fail "no $s/rollout.png"
        [ "$(head -c 4 "$s/rollout.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$s: not a PNG"
        [ -s "$s/rollout.svg" ] || fail "no $s/rollout.svg"
        grep -q '<svg' "$s/rollout.svg" || fail "$s: not an SVG"
        ls -A "$s" | grep -q part && fail "$s: partial image left behind"
        [ ! -s out.txt ] || fail "--quiet printed: $(cat out.txt)"
    done
    grep -q ',setImage ' default/events.csv || fail "no setImage line in events.csv"
    grep -q ',abort$' default/events.csv || fail "no abort line in events.csv"
    grep -q ',Failed,' default/measurements.csv || fail "no Failed measurement"
    true ;;
no_plots_option)
    expect_exit 0 "$rollsim" run --quiet --no-plots --out o
    [ -s o/timeline.csv ] || fail "no timeline.csv"
    [ ! -e o/rollout.png ] && [ ! -e o/rollout.svg ] || fail "--no-plots drew"
    expect_exit 2 "$rollsim" run --quiet --plots
    contains err.txt "--plots needs --out DIR" ;;
no_gnuplot_default)
    # PATH without gnuplot: the rest is written, the message printed, and the exit is 0.
    expect_exit 0 env PATH=/nonexistent "$rollsim" run --quiet --out o
    rest_written o
    [ ! -e o/rollout.png ] || fail "a PNG without gnuplot"
    contains err.txt "$msg" ;;
no_gnuplot_required)
    expect_exit 4 env PATH=/nonexistent "$rollsim" run --plots --out o
    rest_written o
    contains err.txt "$msg"
    contains out.txt "phase" ;;
*)
    fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
