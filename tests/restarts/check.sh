#!/usr/bin/env bash
# check.sh ROLLSIM DIR - runs DIR/scenario.yaml (a canary pod crashing 40 s after each start,
# scraped every 5 s) and checks what its AnalysisRun measured, against the pod events of the
# same run:
# - while no container runs (from a crash until the restarted container's probes pass, the
#   pod NotReady), the pod's 2xx series is absent: the scrapes fail or the new process has not
#   served yet (Prometheus marks the series stale); the scrapes of a restarted container fail
#   until its app has initialised;
# - while it is Available, the series is there, and the raw counter drops after each restart
#   (each process counts from zero), while increase() over the reset never goes negative;
# - up is 0 after the failed scrapes and 1 whenever the pod is Available;
# - with the istio preset (the exporter is the sidecar) nothing of this happens: up stays 1 and
#   the counter never drops; and the requests the crashed pod refuses before its endpoint is
#   withdrawn are 5xx in the sidecar's series: the pod's 5xx counter follows the revision's
#   failures of the ground truth (the pod is the revision's only one).
set -u
rollsim=$1 dir=$2
. "$dir/../lib/ground_truth.sh"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
"$rollsim" run --quiet --no-plots --out "$tmp/out" "$dir/scenario.yaml" ||
    { echo "FAIL: the scenario did not run"; exit 1; }
ev=$tmp/out/events.jsonl

# Intervals of the canary pod's states: "t state" lines.
grep '"type":"pod"' "$ev" | grep '"image":"shop:1.1"' |
    sed -E 's/.*"t":([0-9]+),.*"state":"([A-Za-z]+)".*/\1 \2/' >"$tmp/states"
# Measurements of one metric: "t value" lines.
grep '"type":"measurement"' "$ev" | grep '"metric":"exporting"' |
    sed -E 's/.*"t":([0-9]+),.*"value":"([^"]*)".*/\1 \2/' >"$tmp/exporting"
grep '"type":"measurement"' "$ev" | grep '"metric":"counter"' |
    sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/' >"$tmp/counter"
grep '"type":"measurement"' "$ev" | grep '"metric":"increase"' |
    grep -o '"number":[-0-9.e+]*' | sed 's/"number"://' >"$tmp/increase"

crashes=$(grep -c NotReady "$tmp/states")
[ "$crashes" -ge 3 ] || { echo "FAIL: wanted at least 3 crashes, got $crashes"; fail=1; }

# The state of the pod at a time: the last state change at or before it.
state_at() { awk -v t="$1" '$1 <= t { s = $2 } END { print s }' "$tmp/states"; }
absent_down=0 present_up=0
while read -r t v; do
    s=$(state_at "$t")
    # Skip the instants within 5 s of a change: a measurement sees the last scrape.
    near=$(awk -v t="$t" '$1 > t - 5000 && $1 <= t { n++ } END { print n + 0 }' "$tmp/states")
    [ "$near" -eq 0 ] || continue
    case "$s" in
    NotReady)
        if [ "$v" = "[]" ]; then absent_down=$((absent_down + 1)); else
            echo "FAIL: at ${t} ms the pod is NotReady but its series is there: $v"; fail=1; fi ;;
    Available)
        if [ "$v" = "[1]" ]; then present_up=$((present_up + 1)); else
            echo "FAIL: at ${t} ms the pod is Available but its series is $v"; fail=1; fi ;;
    esac
done <"$tmp/exporting"
[ "$absent_down" -ge 5 ] || { echo "FAIL: only $absent_down absent measurements while down"; fail=1; }
[ "$present_up" -ge 10 ] || { echo "FAIL: only $present_up present measurements while up"; fail=1; }

# up: 0 after a failed scrape (no container running), 1 whenever the pod is Available.
grep '"type":"measurement"' "$ev" | grep '"metric":"up"' |
    sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/' >"$tmp/up"
zeros=$(awk '$2 == "0" { n++ } END { print n + 0 }' "$tmp/up")
[ "$zeros" -ge 3 ] || { echo "FAIL: up was 0 in $zeros measurements, wanted >= 3"; fail=1; }
while read -r t v; do
    near=$(awk -v t="$t" '$1 > t - 5000 && $1 <= t { n++ } END { print n + 0 }' "$tmp/states")
    if [ "$near" -eq 0 ] && [ "$(state_at "$t")" = Available ] && [ "$v" != 1 ]; then
        echo "FAIL: at ${t} ms the pod is Available but up is '$v'"
        fail=1
    fi
done <"$tmp/up"

# A restarted app answers 12 s (appInit) after its container starts, so no earlier than 12 s
# after the crash: a measurement between 5 s and 12 s after a crash reads a scrape made after
# the crash and before the app could answer, which failed (up 0), also after the first crash,
# whose restart is immediate.
awk 'NR > 1 && $2 == "NotReady" && prev == "Available" { print $1 } { prev = $2 }' \
    "$tmp/states" >"$tmp/crashes"
early=$(awk 'NR == FNR { c[NR] = $1; n = NR; next }
             { for (i = 1; i <= n; i++) if ($1 > c[i] + 5000 && $1 < c[i] + 12000) {
                   k++; if ($2 != "0") { print $1, $2; bad++ } } }
             END { print "checked", k + 0; exit bad > 0 }' "$tmp/crashes" "$tmp/up") ||
    { echo "FAIL: up not 0 while a restarted app initialises: $early"; fail=1; }
echo "$early" | grep -q "checked [1-9]" ||
    { echo "FAIL: no measurement while a restarted app initialises: $early"; fail=1; }

# Each restart starts the counter again: it drops at least twice.
drops=$(awk '$2 != "" { if (have && $2 < last) d++; last = $2; have = 1 } END { print d + 0 }' \
    "$tmp/counter")
[ "$drops" -ge 2 ] || { echo "FAIL: the counter dropped $drops times, wanted >= 2"; fail=1; }
neg=$(awk '$1 < 0 { n++ } END { print n + 0 }' "$tmp/increase")
[ "$neg" -eq 0 ] || { echo "FAIL: $neg negative increase() values"; fail=1; }

# The same world with the istio preset: the exporter is the sidecar, which lives on through the
# app's crashes: no failed scrape (up stays 1) and no counter reset.
sed -e '0,/^  metrics:$/s//  metrics:\n    series: {preset: istio}/' \
    -e 's/http_requests_total{rollouts_pod_template_hash="{{args.hash}}",code="200"}/istio_requests_total{pod=~"shop-{{args.hash}}-.*",response_code="200"}/' \
    -e 's/up{rollouts_pod_template_hash="{{args.hash}}"}/up{pod=~"shop-{{args.hash}}-.*"}/' \
    -e 's/http_requests_total{rollouts_pod_template_hash="{{args.hash}}",code="500"}/istio_requests_total{pod=~"shop-{{args.hash}}-.*",response_code="500"}/' \
    "$dir/scenario.yaml" >"$tmp/istio.yaml"
grep -q 'preset: istio' "$tmp/istio.yaml" || { echo "FAIL: istio variant not written"; fail=1; }
"$rollsim" run --quiet --no-plots --out "$tmp/istio" "$tmp/istio.yaml" ||
    { echo "FAIL: the istio variant did not run"; exit 1; }
iev=$tmp/istio/events.jsonl
grep '"type":"measurement"' "$iev" | grep '"metric":"up"' |
    sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/' >"$tmp/iup"
grep '"type":"measurement"' "$iev" | grep '"metric":"counter"' |
    sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/' >"$tmp/icounter"
izeros=$(awk '$2 == "0" { n++ } END { print n + 0 }' "$tmp/iup")
iones=$(awk '$2 == "1" { n++ } END { print n + 0 }' "$tmp/iup")
idrops=$(awk '$2 != "" { if (have && $2 < last) d++; last = $2; have = 1 } END { print d + 0 }' \
    "$tmp/icounter")
if [ "$izeros" -ne 0 ] || [ "$iones" -lt 40 ] || [ "$idrops" -ne 0 ]; then
    echo "FAIL: istio sidecar: up 0 in $izeros and 1 in $iones measurements, counter dropped $idrops times; wanted 0, >= 40, 0"
    fail=1
fi

# The sidecar's 5xx counter at a measurement at T (its last scrape at most 5 s before, plus the
# tick of the ground truth) lies between the revision's cumulative failures at T - 7 s and at T.
cumulative "$tmp/istio/timeline.csv" rev2_failures >"$tmp/icum"
measured "$iev" errors >"$tmp/ierrors"
ibad=$(within "$tmp/icum" "$tmp/ierrors" 7000) ||
    { echo "FAIL: istio 5xx counter outside the ground truth (t value low high): $ibad"; fail=1; }
ilast=$(last_value "$tmp/ierrors")
[ "$ilast" -ge 100 ] || { echo "FAIL: istio 5xx counter ends at $ilast, wanted >= 100"; fail=1; }

[ "$fail" -eq 0 ] && echo "PASS: $crashes crashes; series absent in $absent_down measurements while down, present in $present_up while up; up 0 in $zeros; counter reset $drops times; istio 5xx counter $ilast"
exit "$fail"
