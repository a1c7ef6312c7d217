#!/usr/bin/env bash
# run.sh - the first quick-start command: installs what is missing, builds rollsim (Release) and
# runs the built-in default scenario. Extra arguments go to `rollsim run`, e.g.
#   scripts/run.sh --out out/default
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target rollsim >/dev/null
exec build/sim/rollsim run "$@"
