#!/usr/bin/env bash
# check.sh ROLLSIM DIR - runs DIR/scenario.yaml (an Istio-routed canary that crash-loops) and
# checks the ingress gateway's series of the canary Service against the ground truth of the
# same run: its request and 5xx counters at a measurement at T lie between the canary
# revision's cumulative requests (failures) at T - 7 s and at T (the last scrape is at most
# 5 s old, plus a tick), whatever the cause of a failure (refused by the crashed pod, no pod,
# base failures).
set -u
rollsim=$1 dir=$2
. "$dir/../lib/ground_truth.sh"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
"$rollsim" run --quiet --no-plots --out "$tmp/out" "$dir/scenario.yaml" ||
    { echo "FAIL: the scenario did not run"; exit 1; }
for col in failures requests; do
    cumulative "$tmp/out/timeline.csv" "rev2_$col" >"$tmp/cum-$col"
done
for metric in errors requests; do
    measured "$tmp/out/events.jsonl" "$metric" >"$tmp/$metric"
done
bad=$(within "$tmp/cum-failures" "$tmp/errors" 7000) ||
    { echo "FAIL: gateway 5xx counter outside the ground truth (t value low high): $bad"; fail=1; }
bad=$(within "$tmp/cum-requests" "$tmp/requests" 7000) ||
    { echo "FAIL: gateway request counter outside the ground truth (t value low high): $bad"; fail=1; }
errors=$(last_value "$tmp/errors")
requests=$(last_value "$tmp/requests")
[ "$errors" -ge 100 ] || { echo "FAIL: gateway 5xx counter ends at $errors, wanted >= 100"; fail=1; }
[ "$requests" -ge 1000 ] ||
    { echo "FAIL: gateway request counter ends at $requests, wanted >= 1000"; fail=1; }
[ "$fail" -eq 0 ] && echo "PASS: the gateway counted $requests requests to the canary Service, $errors failed"
exit "$fail"
