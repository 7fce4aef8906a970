#!/usr/bin/env python3
"""Runs the shared sqllogictest corpus through the keel shell.

Prints the runner's per-file pass table and its closing line, then checks the
overall pass rate against the ratchet in conformance_baseline.txt (the best
rate reached so far): a lower rate is a regression and fails the test. When
the corpus beside the repository (../shared/conformance) is absent, the test
is skipped (exit 77).

  conformance.py --shell build/bin/keel [--update-baseline]
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(REPO), "shared", "conformance")
BASELINE = os.path.join(HERE, "conformance_baseline.txt")
SKIP = 77


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shell", required=True)
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--update-baseline", action="store_true")
    args = ap.parse_args()
    runner = os.path.join(SHARED, "slt_runner.py")
    corpus = os.path.join(SHARED, "sqllogictest")
    if not os.path.exists(runner) or not os.path.isdir(corpus):
        print("SKIP: the conformance corpus (../shared/conformance) is not beside this checkout")
        return SKIP
    cmd = [sys.executable, runner, "--engine-cmd", os.path.abspath(args.shell), "-j", args.jobs,
           "--timeout", "900", corpus]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(proc.stdout)
    m = None
    for line in proc.stdout.splitlines():
        mm = re.fullmatch(r"\s*(?:\w+:\s*)?(\d+) passed, (\d+) failed.*", line)
        if mm:
            m = mm
    if not m:
        print("conformance: the runner printed no summary line")
        return 1
    passed, failed = int(m.group(1)), int(m.group(2))
    total = passed + failed
    rate = 100.0 * passed / total if total else 0.0
    with open(BASELINE) as f:
        baseline = float(f.read().split()[0])
    print("conformance: %d of %d records pass (%.2f%%); baseline %.2f%%, target 99.5%%"
          % (passed, total, rate, baseline))
    if args.update_baseline and rate > baseline:
        with open(BASELINE, "w") as f:
            f.write("%.2f\n" % rate)
        print("conformance: baseline raised to %.2f%%" % rate)
        return 0
    if rate + 1e-9 < baseline:
        print("conformance: REGRESSION below the baseline")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
