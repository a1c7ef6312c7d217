#!/usr/bin/env bash
# check.sh ROLLSIM DIR - runs DIR/scenario.yaml (an Istio-routed canary that crash-loops) and
# checks the ingress gateway's series of the canary Service against the ground truth of the
# same run: its request and 5xx counters at a measurement at T lie between the canary
# revision's cumulative requests (failures) at T - 7 s and at T (the last scrape is at most
# 5 s old, plus a tick), whatever the cause of a failure (refused by the crashed pod, no pod,
# base failures).
set -u
rollsim=$1 dir=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
"$rollsim" run --quiet --no-plots --out "$tmp/out" "$dir/scenario.yaml" ||
    { echo "FAIL: the scenario did not run"; exit 1; }
ev=$tmp/out/events.jsonl
for col in failures requests; do
    awk -F, -v col="rev2_$col" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
             { cum += $c; print $1, cum }' "$tmp/out/timeline.csv" >"$tmp/cum-$col"
done
for metric in errors requests; do
    grep '"type":"measurement"' "$ev" | grep "\"metric\":\"$metric\"" |
        sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/' >"$tmp/$metric"
done
# within CUM METRIC: every measurement between the cumulative count 7 s before it and at it.
within() {
    awk 'NR == FNR { cum[$1] = $2; next }
         $2 != "" { lo = 0; hi = 0
                    for (t in cum) { if (t + 0 <= $1 - 7000 && cum[t] > lo) lo = cum[t]
                                     if (t + 0 <= $1 && cum[t] > hi) hi = cum[t] }
                    if ($2 < lo || $2 > hi) { print $1, $2, lo, hi; n++ } }
         END { exit n > 0 }' "$1" "$2"
}
bad=$(within "$tmp/cum-failures" "$tmp/errors") ||
    { echo "FAIL: gateway 5xx counter outside the ground truth (t value low high): $bad"; fail=1; }
bad=$(within "$tmp/cum-requests" "$tmp/requests") ||
    { echo "FAIL: gateway request counter outside the ground truth (t value low high): $bad"; fail=1; }
errors=$(awk '$2 != "" { v = $2 } END { print v + 0 }' "$tmp/errors")
requests=$(awk '$2 != "" { v = $2 } END { print v + 0 }' "$tmp/requests")
[ "$errors" -ge 100 ] || { echo "FAIL: gateway 5xx counter ends at $errors, wanted >= 100"; fail=1; }
[ "$requests" -ge 1000 ] ||
    { echo "FAIL: gateway request counter ends at $requests, wanted >= 1000"; fail=1; }
[ "$fail" -eq 0 ] && echo "PASS: the gateway counted $requests requests to the canary Service, $errors failed"
exit "$fail"
