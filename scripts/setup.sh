#!/usr/bin/env bash
# setup.sh - installs the Debian packages rollsim needs, if any are missing. Idempotent and fast
# when nothing is missing (one dpkg-query). Usage: scripts/setup.sh [--test]
#   --test  also the packages the test suite needs (formatting, fuzzing).
set -euo pipefail

packages=(build-essential cmake pkg-config libgsl-dev libyaml-dev libcjson-dev librandom123-dev
          gnuplot-nox)
if [[ "${1:-}" == "--test" ]]; then
    packages+=(libcmocka-dev clang clang-format libclang-rt-14-dev prometheus)
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "rollsim: installing missing packages: ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "rollsim: need root or sudo to run apt-get" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
