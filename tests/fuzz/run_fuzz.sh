#!/usr/bin/env bash
# run_fuzz.sh - builds the scenario loader fuzz target with clang in build-fuzz/ and runs it.
# Usage: tests/fuzz/run_fuzz.sh [seconds]   (default 60)
# Seeds: scenarios/*.yaml and tests/errors/*.yaml. New inputs go to build-fuzz/fuzz-corpus/;
# a crashing input is written to build-fuzz/crash-* and the script exits non-zero.
set -u
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build-fuzz
mkdir -p "$build"

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRSIM_FUZZ=ON -DRSIM_WERROR=OFF -DRSIM_SANITIZE=address,undefined \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" > "$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  exit 1
}
cmake --build "$build" --target fuzz_scenario -j2 > "$build/build.log" 2>&1 || {
  tail -50 "$build/build.log" >&2
  exit 1
}

seeds=$build/fuzz-seeds
corpus=$build/fuzz-corpus
mkdir -p "$seeds" "$corpus"
cp "$root"/scenarios/*.yaml "$root"/tests/errors/*.yaml "$seeds"/ 2>/dev/null

# The loader reads files a Scenario lists; run from an empty folder so relative paths find
# nothing but the fuzzer's own input.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$build/tests/fuzz/fuzz_scenario" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/" "$corpus" "$seeds"
status=$?
if [ $status -ne 0 ]; then
  echo "run_fuzz.sh: the fuzzer found a problem (exit $status); see $build/crash-* or leak-*" >&2
fi
exit $status
