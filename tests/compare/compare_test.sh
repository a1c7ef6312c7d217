#!/usr/bin/env bash
# compare_test.sh CASE ROLLSIM WORKDIR SOURCE_DIR - one case of the `rollsim compare` tests.
set -u
case_name=$1 rollsim=$2 work=$3 src=$4
ex=$src/scenarios/compare
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
run_example() { "$rollsim" compare "$@" "$ex/world.yaml" "$ex/canary.yaml" "$ex/bluegreen.yaml" \
    "$ex/guarded.yaml"; }

case $case_name in
deterministic)
    run_example >a.txt || fail "first run exited $?"
    run_example >b.txt || fail "second run exited $?"
    cmp a.txt b.txt || fail "the same seed gave two tables"
    grep -q "seed 5 (the same for every strategy)" a.txt || fail "no seed line"
    for w in canary bluegreen guarded "fault-caused failures" "users hit" "detection time" \
        "extra pod-seconds" "final phase"; do
        grep -q "$w" a.txt || fail "table lacks '$w'"
    done
    run_example --seed 6 >c.txt || fail "--seed run exited $?"
    grep -q "seed 6" c.txt || fail "--seed not used"
    ;;
json)
    run_example -q --json out.json || fail "exited $?"
    run_example -q --json out2.json || fail "exited $?"
    cmp out.json out2.json || fail "JSON differs between runs"
    if command -v python3 >/dev/null; then
        python3 - out.json <<'PY' || fail "JSON does not parse or lacks fields"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "rollsim.compare/v1" and d["seed"] == 5
names = [s["name"] for s in d["strategies"]]
assert names == ["canary", "bluegreen", "guarded"], names
for s in d["strategies"]:
    f = s["figures"]
    for k in ("fault_failures", "users_hit", "peak_share", "budget_consumed", "detection_ms",
              "rollback_traffic_ms", "promotion_ms", "extra_pod_seconds", "reconciles",
              "final_phase"):
        assert k in f, k
PY
    else
        grep -q '"schema":[[:space:]]*"rollsim.compare/v1"' out.json || fail "no schema"
    fi
    ;;
csv)
    run_example -q --csv out.csv || fail "exited $?"
    head -1 out.csv | grep -qx "figure,canary,bluegreen,guarded" || fail "bad header"
    [ "$(wc -l <out.csv)" -eq 14 ] || fail "expected 13 figure rows"
    awk -F, 'NF != 4 { exit 1 }' out.csv || fail "ragged CSV"
    ;;
out_dir)
    run_example -q --out out || fail "exited $?"
    for n in canary bluegreen guarded; do
        [ -s out/$n/timeline.csv ] && [ -s out/$n/summary.json ] || fail "no outputs for $n"
    done
    ;;
wrong_image)
    sed 's/checkout:1\.41"/checkout:1.42"/' "$ex/canary.yaml" >other.yaml
    "$rollsim" compare --json out.json "$ex/world.yaml" "$ex/guarded.yaml" other.yaml \
        >out.txt 2>err.txt
    rc=$?
    [ $rc -eq 2 ] || fail "exit $rc, expected 2"
    grep -q "other.yaml:17: Rollout 'canary' runs image 'registry.example/checkout:1.42', but the world's running image is 'registry.example/checkout:1.41'" err.txt ||
        fail "unexpected message: $(cat err.txt)"
    [ ! -e out.json ] || fail "JSON written despite the error"
    # a world given as a strategy, and a world holding a Rollout
    "$rollsim" compare "$ex/world.yaml" "$ex/world.yaml" 2>err2.txt && fail "world as ROLLOUT accepted"
    grep -q "must hold exactly one named Rollout" err2.txt || fail "no message for world as ROLLOUT"
    "$rollsim" compare "$src/scenarios/guarded-canary.yaml" "$ex/guarded.yaml" 2>err3.txt &&
        fail "world with a Rollout accepted"
    grep -q "the world holds a Rollout" err3.txt || fail "no message for a world with a Rollout"
    ;;
usage)
    "$rollsim" compare 2>err.txt; [ $? -eq 2 ] || fail "no args: expected 2"
    "$rollsim" compare "$ex/world.yaml" 2>err.txt; [ $? -eq 2 ] || fail "one arg: expected 2"
    "$rollsim" compare --seed x "$ex/world.yaml" "$ex/canary.yaml" 2>err.txt
    [ $? -eq 2 ] || fail "bad seed: expected 2"
    "$rollsim" compare --help | grep -q "common random numbers" || fail "help"
    "$rollsim" compare -q --json /nonexistent-dir/x.json "$ex/world.yaml" "$ex/canary.yaml" 2>/dev/null
    [ $? -eq 3 ] || fail "unwritable JSON: expected 3"
    ;;
plot)
    command -v gnuplot >/dev/null || exit 77
    run_example -q --out out || fail "exited $?"
    gnuplot -e "dir='out'; names='canary bluegreen guarded'; outfile='compare.png'" \
        "$src/plots/compare.gp" || fail "gnuplot failed"
    [ -s compare.png ] || fail "no plot"
    ;;
*) fail "unknown case $case_name" ;;
esac
exit 0
