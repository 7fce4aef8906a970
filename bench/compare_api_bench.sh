#!/usr/bin/env bash
# Runs the sqlite3-API workload driver against libsqlite3 and against libkeel,
# interleaved, and prints per workload the median time of each and the ratio
# keel/sqlite (the machines are shared and noisy: compare only ratios taken in
# the same run). Check values (row counts, sums) must agree; a row whose notes
# differ is flagged.
#
#   bench/compare_api_bench.sh [build-dir] [repetitions] [scale] [groups]
#   e.g. bench/compare_api_bench.sh build 5 0.1 core
set -euo pipefail
build=${1:-build}
reps=${2:-3}
scale=${3:-0.1}
groups=${4:-core}
for b in bench_sqlite bench_keel; do
  if [[ ! -x "$build/bin/$b" ]]; then
    echo "missing $build/bin/$b (cmake --build $build --target bench_sqlite bench_keel)" >&2
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/results.tsv"
for ((i = 0; i < reps; i++)); do
  for engine in sqlite keel; do
    rm -rf "$work/db"
    mkdir -p "$work/db"
    "$build/bin/bench_$engine" --engine "$engine" --scale "$scale" --dir "$work/db" --groups "$groups" \
      2>/dev/null >>"$out"
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
notes = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 4:
        continue
    times[(f[0], f[1])].append(float(f[3]))
    notes[(f[0], f[1])] = f[5] if len(f) > 5 else ""
print("%-20s %10s %10s %7s" % ("workload", "sqlite_s", "keel_s", "ratio"))
for w in sorted({k[1] for k in times}):
    if ("sqlite", w) not in times or ("keel", w) not in times:
        continue
    s = statistics.median(times[("sqlite", w)])
    k = statistics.median(times[("keel", w)])
    flag = "" if notes[("sqlite", w)] == notes[("keel", w)] else "  CHECK VALUES DIFFER"
    print("%-20s %10.4f %10.4f %6.2fx%s" % (w, s, k, k / s if s > 0 else float("nan"), flag))
PY
