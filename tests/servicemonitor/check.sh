#!/usr/bin/env bash
# check.sh ROLLSIM DIR - runs DIR/scenario.yaml (spec.metrics.targets: services) and checks the
# measured numbers of its AnalysisRuns: during the 20 % canary step, a ratio selecting
# service="app-canary" is the canary's 10 % error ratio, while the same ratio over every series
# is diluted by the stable pods; after promotion both Services select the new pods, so a rate
# summed over every series is twice the load (200 rps) and one Service's is the load. The same
# world with targets: pods has no service label, so the Service's query finds nothing.
set -u
rollsim=$1 dir=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0

# numbers FILE ANALYSIS METRIC: the "number" of each measurement line, one per line.
numbers() {
    grep '"type":"measurement"' "$1" | grep "\"analysis\":\"$2\",\"metric\":\"$3\"" |
        grep -o '"number":[-0-9.e+]*' | sed 's/"number"://'
}
# within WHAT LO HI VALUES...: every value in [LO, HI], and at least one value.
within() {
    local what=$1 lo=$2 hi=$3
    shift 3
    if [ $# -eq 0 ]; then
        echo "FAIL: $what: no measurement with a number"
        fail=1
        return
    fi
    for v in "$@"; do
        if awk -v v="$v" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
            echo "PASS: $what: $v in [$lo, $hi]"
        else
            echo "FAIL: $what: $v not in [$lo, $hi]"
            fail=1
        fi
    done
}

"$rollsim" run --quiet --no-plots --out "$tmp/services" "$dir/scenario.yaml" ||
    { echo "FAIL: the scenario did not run"; exit 1; }
ev=$tmp/services/events.jsonl
# 3 measurements per metric; 40 rps at 10 % over a 2 m window: 10 % within a few points.
# shellcheck disable=SC2046
within "canary Service's error ratio" 0.085 0.115 $(numbers "$ev" during-canary canary-service)
# shellcheck disable=SC2046
within "every series' error ratio (diluted)" 0.012 0.032 $(numbers "$ev" during-canary every-series)
# shellcheck disable=SC2046
within "rate over every series (double-counted)" 370 430 $(numbers "$ev" after-promotion every-series)
# shellcheck disable=SC2046
within "rate of the stable Service" 185 215 $(numbers "$ev" after-promotion stable-service)
n=$(grep '"type":"measurement"' "$ev" | grep -c '"analysis":"during-canary","metric":"canary-service"')
if [ "$n" != 3 ]; then
    echo "FAIL: canary Service's error ratio measured $n times, want 3"
    fail=1
fi

# The same world with one target per pod: no series carries service="app-canary".
sed 's/^    targets: services$/    targets: pods/' "$dir/scenario.yaml" > "$tmp/pods.yaml"
if ! grep -q '^    targets: pods$' "$tmp/pods.yaml"; then
    echo "FAIL: could not switch the scenario to targets: pods"
    exit 1
fi
"$rollsim" run --quiet --no-plots --out "$tmp/pods" "$tmp/pods.yaml" ||
    { echo "FAIL: the targets: pods scenario did not run"; exit 1; }
got=$(numbers "$tmp/pods/events.jsonl" during-canary canary-service | wc -l)
if [ "$got" = 0 ]; then
    echo "PASS: targets: pods: no series of the canary Service"
else
    echo "FAIL: targets: pods: $got measurements found service=\"app-canary\""
    fail=1
fi
# shellcheck disable=SC2046
within "targets: pods: rate over every series (each pod once)" 185 215 \
    $(numbers "$tmp/pods/events.jsonl" after-promotion every-series)
exit $fail
