#!/usr/bin/env bash
# cli_test.sh CASE ROLLSIM WORKDIR - one behaviour of the rollsim command line.
set -u
case_name=$1 rollsim=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
# expect_exit CODE CMD... : runs CMD, captures stdout/stderr in out.txt/err.txt, checks the code.
expect_exit() {
    local want=$1; shift
    "$@" >out.txt 2>err.txt
    local got=$?
    [ "$got" -eq "$want" ] || { cat out.txt err.txt; fail "exit $got, wanted $want: $*"; }
}
contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not contain: $2"; }; }

case "$case_name" in
version)
    expect_exit 0 "$rollsim" --version
    grep -qE '^rollsim [0-9]+\.[0-9]+\.[0-9]+$' out.txt || fail "bad version line: $(cat out.txt)" ;;
help_top)
    expect_exit 0 "$rollsim" --help
    contains out.txt "Usage: rollsim COMMAND"
    contains out.txt "validate FILE..." ;;
help_command)
    expect_exit 0 "$rollsim" run --help
    contains out.txt "Usage: rollsim run"
    expect_exit 0 "$rollsim" help validate
    contains out.txt "Usage: rollsim validate" ;;
no_command)
    expect_exit 2 "$rollsim"
    contains err.txt "Usage: rollsim COMMAND" ;;
unknown_command)
    expect_exit 2 "$rollsim" frobnicate
    contains err.txt "rollsim: unknown command 'frobnicate'" ;;
unknown_option)
    expect_exit 2 "$rollsim" run --frobnicate
    contains err.txt "Try 'rollsim run --help'" ;;
validate_no_file)
    expect_exit 2 "$rollsim" validate
    contains err.txt "rollsim validate: no FILE given" ;;
validate_query_selects_nothing)
    # A selector that can select no exported series is a warning at its position (status 0):
    # an unknown metric name, a label no series carries; not a placeholder's value, not a
    # matcher a missing label satisfies, not a recording rule's output.
    cat >s.yaml <<'YAML'
apiVersion: rollsim/v1alpha1
kind: Scenario
metadata: {name: q}
spec:
  metrics:
    series: {preset: istio}
    recordingRules:
      - {record: "job:errors:rate5m", expr: 'sum(rate(istio_requests_total[5m]))'}
  versions: [{image: "a:1", cached: true}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: a}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec: {containers: [{name: a, image: "a:1"}]}
  strategy: {canary: {steps: [{pause: {}}]}}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: t}
spec:
  args: [{name: svc}]
  metrics:
    - name: m
      provider:
        prometheus:
          query: |
            sum(rate(istio_requests_total{reporter="source",response_code!~"5.*"}[5m]))
            / sum(rate(istio_request_total{destination_service=~"{{args.svc}}"}[5m]))
            + sum(job:errors:rate5m{x="y"}) + count(up{foo="",bar!="z"})
            + sum(istio_requests_total{destination_service=~"{{args.svc}}"})
YAML
    expect_exit 0 "$rollsim" validate s.yaml
    contains err.txt "s.yaml:31:22: warning: this selector selects no series: every exported series has reporter=\"destination\" (the preset's: each pod's sidecar reports the server side; another value can be set in spec.metrics.series.constantLabels)"
    contains err.txt "s.yaml:32:24: warning: this selector selects no series: no series named 'istio_request_total' is exported (spec.metrics.series: istio_requests_total, istio_request_duration_milliseconds_bucket, istio_request_duration_milliseconds_sum, istio_request_duration_milliseconds_count, and up)"
    contains err.txt "s.yaml:34:19: warning: this selector selects no series unless its argument matches an empty value: no exported series carries the label 'destination_service' (they carry pod, namespace, destination_workload, destination_workload_namespace, response_code, reporter, le); it is on series scraped through Services only (spec.metrics.targets: services)"
    [ "$(grep -c warning: err.txt)" -eq 3 ] || { cat err.txt; fail "wanted exactly 3 warnings"; }
    # With the source side's value: no warning about it. With the app preset, no such label.
    sed -i 's/series: {preset: istio}/series: {preset: istio, constantLabels: {reporter: source}}/' s.yaml
    expect_exit 0 "$rollsim" validate s.yaml
    [ "$(grep -c warning: err.txt)" -eq 2 ] || { cat err.txt; fail "wanted 2 warnings"; }
    contains err.txt "istio_request_total"
    sed -i -e 's/series: {preset: istio, constantLabels: {reporter: source}}/series: {preset: app}/' \
        -e 's/istio_requests_total/http_requests_total/g' -e 's/response_code/code/' s.yaml
    expect_exit 0 "$rollsim" validate s.yaml
    contains err.txt "s.yaml:31:22: warning: this selector selects no series: no exported series carries the label 'reporter' (they carry rollouts_pod_template_hash, pod, namespace, code, le); add it to every series with spec.metrics.series.constantLabels, or name it in spec.metrics.series.labels" ;;
run_bad_seed)
    expect_exit 2 "$rollsim" run --seed forty-two
    contains err.txt "--seed needs a whole number, got 'forty-two'" ;;
run_default)
    expect_exit 0 "$rollsim" run
    contains out.txt "scenario '"
    contains out.txt "start:" ;;
run_out_dir)
    expect_exit 0 "$rollsim" run --quiet --out o/deep
    [ -s o/deep/events.jsonl ] || fail "no events.jsonl"
    [ ! -s out.txt ] || fail "--quiet printed: $(cat out.txt)"
    head -1 o/deep/events.jsonl | grep -q '"type":"run.start"' || fail "first event is not run.start"
    tail -1 o/deep/events.jsonl | grep -q '"type":"run.end"' || fail "last event is not run.end"
    ls o/deep | grep -q tmp && fail "temporary file left behind"
    true ;;
run_deterministic)
    expect_exit 0 "$rollsim" run --quiet --out a
    expect_exit 0 "$rollsim" run --quiet --out b
    cmp a/events.jsonl b/events.jsonl || fail "two runs differ" ;;
run_seed_changes)
    expect_exit 0 "$rollsim" run --quiet --seed 7 --events e7.jsonl
    head -1 e7.jsonl | grep -q '"seed":"7"' || fail "seed not recorded: $(head -1 e7.jsonl)" ;;
run_unwritable_out)
    mkdir ro && chmod 500 ro
    if [ "$(id -u)" -eq 0 ]; then
        # root ignores directory permissions: use a path below a regular file instead.
        : > ro/file
        expect_exit 3 "$rollsim" run --quiet --out ro/file/sub
    else
        expect_exit 3 "$rollsim" run --quiet --out ro/sub
    fi
    contains err.txt "rollsim: " ;;
run_bad_input_writes_nothing)
    printf 'apiVersion: rollsim/v1alpha1\nkind: Scenario\nmetadata: [\n' > broken.yaml
    expect_exit 2 "$rollsim" run --out o broken.yaml
    contains err.txt "broken.yaml:"
    [ ! -e o/events.jsonl ] || fail "events.jsonl written for bad input" ;;
default_scenario_roundtrip)
    expect_exit 0 "$rollsim" default-scenario
    cp out.txt default.yaml
    expect_exit 0 "$rollsim" validate default.yaml
    expect_exit 0 "$rollsim" run --quiet --events file.jsonl default.yaml
    expect_exit 0 "$rollsim" run --quiet --events builtin.jsonl
    # Same scenario, same events, except for the source file named in the records.
    sed 's/"source":"[^"]*"//' file.jsonl > a.txt
    sed 's/"source":"[^"]*"//' builtin.jsonl > b.txt
    cmp a.txt b.txt || fail "file and built-in runs differ" ;;
events_stdout)
    expect_exit 0 "$rollsim" run --events -
    head -1 out.txt | grep -q '^{"t":0,' || fail "stdout is not JSON Lines: $(head -1 out.txt)"
    grep -qv '^{' out.txt && fail "summary mixed into JSON Lines output"
    true ;;
run_out_all_files)
    expect_exit 0 "$rollsim" run --quiet --out o "$RSIM_SOURCE_DIR/scenarios/canary-by-hand.yaml"
    for f in events.jsonl timeline.csv totals.json; do [ -s "o/$f" ] || fail "no $f"; done
    # One row per 1 s tick over 20 minutes, plus the header.
    [ "$(wc -l < o/timeline.csv)" -eq 1201 ] || fail "timeline.csv has $(wc -l < o/timeline.csv) lines"
    head -1 o/timeline.csv | grep -q '^t_ms,time,rate_rps,requests,failures,fault_failures,rev1_requests' ||
        fail "unexpected CSV header"
    grep -q '"hitByFault"' o/totals.json || fail "totals.json lacks users.hitByFault" ;;
plot_timeline)
    command -v gnuplot >/dev/null || { echo "SKIP: gnuplot is not installed"; exit 77; }
    expect_exit 0 "$rollsim" run --quiet --out o "$RSIM_SOURCE_DIR/scenarios/canary-by-hand.yaml"
    expect_exit 0 gnuplot -e "datafile='o/timeline.csv'; outfile='o/timeline.png'; revisions=2" \
        "$RSIM_SOURCE_DIR/plots/timeline.gp"
    [ "$(head -c 4 o/timeline.png | od -An -c | tr -d ' ')" = '211PNG' ] || fail "not a PNG" ;;
*)
    fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
