#!/bin/sh
# Runs one promtool cross-check case: rollsim evaluates the case's expressions and writes a
# `promtool test rules` file with its answers as the expected samples; promtool then checks them
# against Prometheus' own evaluation. Exit 77 (skipped) when promtool is not installed.
# usage: run_case.sh DRIVER CASE_FILE OUT_DIR
set -eu
driver=$1
case_file=$2
out_dir=$3
if ! command -v promtool >/dev/null 2>&1; then
    echo "promtool not found: skipping (install the Debian package 'prometheus')"
    exit 77
fi
mkdir -p "$out_dir"
name=$(basename "$case_file" .case)
yaml="$out_dir/$name.test.yaml"
"$driver" "$case_file" "$yaml"
promtool --version 2>&1 | head -n 1
promtool test rules "$yaml"
