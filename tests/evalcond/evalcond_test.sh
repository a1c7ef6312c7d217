#!/usr/bin/env bash
# evalcond_test.sh CASE ROLLSIM WORKDIR - one behaviour of `rollsim eval-condition`.
set -u
case_name=$1 rollsim=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
# run CODE ARGS... : runs eval-condition, keeps stdout/stderr in out.txt/err.txt, checks the code.
run() {
    local want=$1; shift
    "$rollsim" eval-condition "$@" >out.txt 2>err.txt
    local got=$?
    [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "exit $got, wanted $want: $*"; }
}
# phase WORD: the first word of the first line of the output.
phase() {
    local got
    got=$(head -1 out.txt | awk '{print $1}')
    [ "$got" = "$1" ] || { cat out.txt err.txt; fail "phase '$got', wanted '$1'"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not contain: $2"; }; }
lacks() { ! grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 contains: $2"; }; }

case "$case_name" in
none_set)
    run 0 --result '[0.5]'
    phase Successful ;;
success_true)
    run 0 --success 'result[0] >= 0.95' --result '[0.97]'
    phase Successful
    contains out.txt "successCondition: result[0] >= 0.95 -> true" ;;
success_false)
    run 0 -s 'result[0] >= 0.95' -r '[0.90]'
    phase Failed
    contains out.txt "-> false" ;;
failure_true)
    run 0 --failure 'result[0] < 0.90' --result '[0.5]'
    phase Failed
    contains out.txt "failureCondition: result[0] < 0.90 -> true" ;;
failure_false)
    run 0 -f 'result[0] < 0.90' -r '[0.95]'
    phase Successful ;;
both_failure_wins)
    # The failure condition wins even when the success condition is also true.
    run 0 -s 'result > 0' -f 'result > 1' -r '2'
    phase Failed
    contains out.txt "successCondition: result > 0 -> true"
    contains out.txt "failureCondition: result > 1 -> true" ;;
both_success)
    run 0 -s 'result > 0' -f 'result > 1' -r '0.5'
    phase Successful ;;
both_inconclusive)
    run 0 -s 'result > 0.9' -f 'result < 0.1' -r '0.5'
    phase Inconclusive ;;
error_empty_list)
    run 0 -s 'result[0] >= 0.95' -r '[]'
    phase Error
    contains out.txt "-> error at column 7: index out of range: 0 (result has 0 elements)" ;;
error_in_failure)
    run 0 -s 'result[0] > 0' -f 'result[1] > 0' -r '[1]'
    phase Error
    contains out.txt "successCondition: result[0] > 0 -> true"
    contains out.txt "failureCondition: result[1] > 0 -> error at column 7: index out of range: 1" ;;
error_success_first)
    # Argo evaluates the success condition first; its error ends the measurement.
    run 0 -s 'result.x.y > 0' -f 'result[5] > 0' -r '{}'
    phase Error
    contains out.txt "successCondition: result.x.y > 0 -> error at column 10: cannot fetch y"
    contains out.txt "failureCondition: result[5] > 0 -> not evaluated" ;;
nan_scalar)
    run 0 -s 'result >= 0.95' -r 'NaN'
    phase Failed
    run 0 -s 'isNaN(result) || result >= 0.95' -r 'NaN'
    phase Successful
    run 0 -s 'result < 0.05' -f 'result >= 0.05' -r 'NaN'
    phase Inconclusive ;;
nan_vector)
    run 0 -s 'all(result, {# < 0.01})' -r '[0.001, NaN]'
    phase Failed
    run 0 -s 'any(result, {isNaN(#)}) && isInf(result[2])' -r '[1, NaN, -Inf]'
    phase Successful ;;
non_boolean)
    run 0 -s 'result[0]' -r '[0.5]'
    phase Error
    contains out.txt "expected bool, but got float64"
    run 0 -s 'len(result)' -r '[1, 2]'
    phase Error
    contains out.txt "expected bool, but got int" ;;
object_member)
    run 0 -s 'result.ok == true && result.major == "1" && result.items[1].n > 2' \
        -r '{"ok": true, "major": "1", "items": [{"n": 1}, {"n": 3}]}'
    phase Successful
    run 0 -s 'result["ok"] && result.missing == nil' -r '{"ok": true}'
    phase Successful
    run 0 -s 'result.status.code == 200' -r '{"ok": true}'
    phase Error
    contains out.txt "cannot fetch code from <nil>" ;;
json_numbers_are_float)
    # JSON numbers are float64; == compares them with int literals by value.
    run 0 -s 'result.count == 3 && result.count / 2 == 1.5' -r '{"count": 3}'
    phase Successful ;;
null_result)
    run 0 -s 'isNil(result)' -r 'null'
    phase Successful
    run 0 -s 'default(result, 5) > 1' -r 'null'
    phase Successful
    run 0 -s 'result > 1' -r 'null'
    phase Error ;;
usage_no_result)
    run 2 -s 'result > 1'
    contains err.txt "--result JSON is required"
    lacks out.txt "Successful" ;;
usage_bad_json)
    run 2 -s 'result > 1' -r '{"a": }'
    contains err.txt "rollsim eval-condition: --result:1:7: not valid JSON" ;;
usage_parse_error)
    run 2 -s 'result[0] >= 0.95 && resutl > 1' -r '[1]'
    contains err.txt "rollsim eval-condition: --success:1:22: unknown name 'resutl'; did you mean 'result'?"
    contains err.txt "    result[0] >= 0.95 && resutl > 1"
    contains err.txt "                         ^~~~~~"
    [ ! -s out.txt ] || fail "printed a phase for a condition that does not parse"
    run 2 -f 'result matches "x"' -r '1'
    contains err.txt "--failure:1:8: not supported yet: the 'matches' operator" ;;
usage_unknown_option)
    run 2 --frobnicate -r '1'
    contains err.txt "Try 'rollsim eval-condition --help'" ;;
usage_extra_argument)
    run 2 -r '1' stray
    contains err.txt "unexpected argument 'stray'" ;;
help)
    run 0 --help
    contains out.txt "Usage: rollsim eval-condition"
    "$rollsim" --help > top.txt
    contains top.txt "eval-condition" ;;
*)
    fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
