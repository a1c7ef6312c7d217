# ground_truth.sh - shell helpers of the end-to-end checks that compare what an AnalysisRun
# measured with the ground truth of the same run. Source it; every function prints to stdout.

# cumulative TIMELINE COLUMN: "t count" lines, the running sum of a per-tick column of
# timeline.csv (rev2_failures, rev2_requests, ...).
cumulative() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
                         { cum += $c; print $1, cum }' "$1"
}

# measured EVENTS METRIC: "t value" lines, the measurements of one metric of events.jsonl
# (a one-element vector read as its number).
measured() {
    grep '"type":"measurement"' "$1" | grep "\"metric\":\"$2\"" |
        sed -E 's/.*"t":([0-9]+),.*"value":"\[?([^]"]*)\]?".*/\1 \2/'
}

# within CUMULATIVE MEASURED SLACK_MS: succeeds when every measured value lies between the
# cumulative count SLACK_MS before its instant and at it; else prints the offending
# "t value low high" lines and fails.
within() {
    awk -v slack="$3" 'NR == FNR { cum[$1] = $2; next }
         $2 != "" { lo = 0; hi = 0
                    for (t in cum) { if (t + 0 <= $1 - slack && cum[t] > lo) lo = cum[t]
                                     if (t + 0 <= $1 && cum[t] > hi) hi = cum[t] }
                    if ($2 < lo || $2 > hi) { print $1, $2, lo, hi; n++ } }
         END { exit n > 0 }' "$1" "$2"
}

# last_value MEASURED: the last measured number (0 when none).
last_value() {
    awk '$2 != "" { v = $2 } END { print v + 0 }' "$1"
}
