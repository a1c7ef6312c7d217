#!/usr/bin/env bash
# run_golden.sh ROLLSIM SOURCE_DIR SCENARIO EXPECTED - runs a scenario twice (determinism) and
# compares its event log with the expected file; RSIM_UPDATE_GOLDEN=1 rewrites the expected file.
set -u
rollsim=$1 src=$2 scenario=$3 expected=$4
cd "$src" || exit 1
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
"$rollsim" run --quiet --events "$tmp/a.jsonl" "$scenario" || { echo "run failed"; exit 1; }
"$rollsim" run --quiet --events "$tmp/b.jsonl" "$scenario" || { echo "second run failed"; exit 1; }
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || { echo "not deterministic:"; diff "$tmp/a.jsonl" "$tmp/b.jsonl"; exit 1; }
if [ "${RSIM_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$tmp/a.jsonl" "$expected" && echo "updated $expected" && exit 0
fi
[ -f "$expected" ] || { echo "missing $expected (run with RSIM_UPDATE_GOLDEN=1)"; exit 1; }
diff -u "$expected" "$tmp/a.jsonl" || { echo "golden mismatch for $scenario"; exit 1; }
echo "PASS: $scenario"
