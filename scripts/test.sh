#!/usr/bin/env bash
# test.sh - the second quick-start command: installs what is missing, then builds and runs the
# whole test suite twice (a Release build, and a Debug build under AddressSanitizer and
# UndefinedBehaviorSanitizer; the suite includes the formatting and lint checks), and fuzzes the scenario loader briefly.
#   RSIM_FUZZ_SECONDS=0 scripts/test.sh   skips the fuzzing step
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON >/dev/null
cmake --build build -j"$jobs"
summary=$(mktemp) && trap 'rm -f "$summary"' EXIT
(cd build && ctest --output-on-failure -j"$jobs") | tee -a "$summary"

step "ASan+UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=ON \
      -DRSIM_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j"$jobs") | tee -a "$summary"

fuzz_seconds=${RSIM_FUZZ_SECONDS:-60}
if [[ "$fuzz_seconds" -gt 0 && -x tests/fuzz/run_fuzz.sh ]]; then
    step "fuzzing the scenario loader for ${fuzz_seconds}s"
    tests/fuzz/run_fuzz.sh "$fuzz_seconds"
fi
# One closing line for both runs: "N passed, N failed" (ctest stops the script on a failure).
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$summary" | awk '{s += $1} END {print s + 0}')
step "Release and ASan+UBSan suites"
echo "ctest: ${total} passed, 0 failed"
