#!/usr/bin/env bash
# check_test.sh CASE ROLLSIM WORKDIR - one behaviour of `rollsim check` (and of `run` on
# expectations). RSIM_CHECK_DIR is this folder (pass.yaml, fail.yaml).
set -u
case_name=$1 rollsim=$2 work=$3
src=$RSIM_CHECK_DIR
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
expect_exit() {
    local want=$1; shift
    "$@" >out.txt 2>err.txt
    local got=$?
    [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "exit $got, wanted $want: $*"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not contain: $2"; }; }
# well_formed FILE: parsed by xmllint when it is installed, else a grep of its frame.
well_formed() {
    if command -v xmllint >/dev/null; then
        xmllint --noout "$1" || fail "$1 is not well-formed XML"
    else
        head -1 "$1" | grep -q '^<?xml' || fail "$1: no XML declaration"
        tail -1 "$1" | grep -q '^</testsuites>$' || fail "$1: not closed"
    fi
}

case "$case_name" in
pass)
    expect_exit 0 "$rollsim" check "$src/pass.yaml"
    contains out.txt "PASS $src/pass.yaml:"
    contains out.txt "promotedWithin 10m: promoted after 7m33.656s"
    contains out.txt "1 scenario, 2 expectations held, 0 failed" ;;
fail)
    expect_exit 1 "$rollsim" check "$src/fail.yaml"
    contains out.txt "FAIL $src/fail.yaml:30: phase Degraded: phase Healthy; expected phase Degraded at the end"
    contains out.txt "promotedWithin 2m: promoted after 7m33.656s; expected promoted within 2m0s"
    contains out.txt "PASS $src/fail.yaml:33: no faults <this> & that: 0 fault-caused failures"
    contains out.txt "1 scenario, 1 expectation held, 2 failed" ;;
bad_input)
    printf 'apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  run: {duration: -1m}\n' > bad.yaml
    expect_exit 2 "$rollsim" check bad.yaml "$src/pass.yaml"
    contains out.txt "ERROR bad.yaml: could not be run"
    contains out.txt "PASS $src/pass.yaml"
    expect_exit 2 "$rollsim" check no-such-file.yaml
    contains err.txt "no-such-file.yaml: no such file or directory" ;;
no_args)
    expect_exit 2 "$rollsim" check
    contains err.txt "no FILE or DIR given"
    expect_exit 0 "$rollsim" check --help
    contains out.txt "Usage: rollsim check" ;;
dir)
    mkdir d && cp "$src/pass.yaml" "$src/fail.yaml" d/ && echo "kind: Service" > d/other.yaml
    expect_exit 1 "$rollsim" check d
    contains out.txt "2 scenarios, 3 expectations held, 2 failed"
    grep -q other.yaml out.txt && fail "a file without a Scenario was checked"
    true ;;
junit_pass)
    expect_exit 0 "$rollsim" check --quiet --junit r.xml "$src/pass.yaml"
    [ ! -s out.txt ] || fail "--quiet printed: $(cat out.txt)"
    well_formed r.xml
    contains r.xml '<testsuites name="rollsim check" tests="2" failures="0" errors="0">'
    contains r.xml '<testsuite name="check-pass" tests="2" failures="0"'
    [ "$(grep -c '<testcase ' r.xml)" -eq 2 ] || fail "wanted 2 testcases" ;;
junit_fail)
    expect_exit 1 "$rollsim" check --junit r.xml "$src/pass.yaml" "$src/fail.yaml"
    well_formed r.xml
    [ "$(grep -c '<testsuite ' r.xml)" -eq 2 ] || fail "wanted 2 testsuites"
    contains r.xml '<failure message="expected phase Degraded at the end, got phase Healthy" type="expectation">'
    contains r.xml 'name="no faults &lt;this&gt; &amp; that"'
    [ "$(grep -c '<failure ' r.xml)" -eq 2 ] || fail "wanted 2 failures" ;;
junit_unwritable)
    expect_exit 3 "$rollsim" check --junit no-dir/r.xml "$src/pass.yaml"
    contains err.txt "cannot write no-dir/r.xml"
    [ -e no-dir ] && fail "something was written"
    mkdir ro && chmod 555 ro
    if [ ! -w ro ]; then # (root may write anywhere)
        expect_exit 3 "$rollsim" check --junit ro/r.xml "$src/pass.yaml"
        [ -e ro/r.xml ] && fail "a partial JUnit file was written"
    fi
    true ;;
run_exit)
    expect_exit 1 "$rollsim" run --quiet --out o "$src/fail.yaml"
    contains err.txt "FAIL (line 30) phase Degraded"
    [ -s o/summary.json ] || fail "no summary.json"
    contains o/summary.json '"schema":	"rollsim.summary/v1"'
    expect_exit 0 "$rollsim" run --quiet "$src/pass.yaml" ;;
*)
    fail "unknown case $case_name" ;;
esac
exit 0
