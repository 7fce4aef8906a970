#!/usr/bin/env bash
# Runs every benchmark program of a build; prints each one's table.
set -euo pipefail
build=${1:-build}
echo "== storage (b-tree layer vs SQLite, same run)"
"$build/bin/storage_bench" --benchmark_min_time=0.2
if [[ -x "$build/bin/bench_sqlite" && -x "$build/bin/bench_keel" ]]; then
  echo "== sqlite3-API workloads (keel vs SQLite, same run, scale 0.1, median of 3)"
  bash "$(dirname "$0")/compare_api_bench.sh" "$build" 3 0.1 core
fi
