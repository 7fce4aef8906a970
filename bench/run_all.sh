#!/usr/bin/env bash
# Runs every benchmark program of a build; prints each one's table.
set -euo pipefail
build=${1:-build}
echo "== storage (b-tree layer vs SQLite, same run)"
"$build/bin/storage_bench" --benchmark_min_time=0.2
