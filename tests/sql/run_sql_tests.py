#!/usr/bin/env python3
"""Runs the SQL-logic test files (tests/sql/*.test) through the keel shell.

    run_sql_tests.py [--shell PATH] [--verbose] [--keep] [FILE...]

Each file runs in one shell process, in a fresh scratch directory that is its
working directory (see sltlib.py). Prints one line per file (records, passed,
failed, skipped, seconds) and the failing records; exits 1 on any failure,
77 (ctest's "skipped") if the shell binary does not exist.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sltlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SHELL = os.path.join(HERE, "..", "..", "build", "bin", "keel")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shell", default=DEFAULT_SHELL, help="the shell binary (default: build/bin/keel)")
    ap.add_argument("--engine", default="keel",
                    help="engine name for skipif/onlyif (default keel; 'sqlite' when --shell is sqlite3)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every failure in full")
    ap.add_argument("--max-failures", type=int, default=10, help="failures printed per file (default 10)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per file (default 120)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directories (path printed)")
    ap.add_argument("files", nargs="*", help="test files (default: every tests/sql/*.test)")
    args = ap.parse_args()

    if not args.shell or not os.path.isfile(args.shell) or not os.access(args.shell, os.X_OK):
        print(f"SKIP: the keel shell binary is absent ({args.shell or 'not built in this configuration'}); "
              "build the keel_shell target to run the SQL-logic tests")
        return 77
    shell = [os.path.abspath(args.shell)]
    files = args.files or sorted(glob.glob(os.path.join(HERE, "*.test")))
    if not files:
        print("no .test files")
        return 0

    total = {"records": 0, "passed": 0, "failed": 0, "skipped": 0}
    report = []
    details = []
    for path in files:
        name = os.path.basename(path)
        t0 = time.monotonic()
        try:
            _, records = sltlib.parse_file(path)
        except (sltlib.TestFileError, OSError, UnicodeDecodeError) as e:
            report.append((name, 0, 0, 1, 0, 0.0, "unreadable"))
            details.append(f"{name}: {e}")
            total["failed"] += 1
            continue
        run = sltlib.run_records(shell, records, args.engine, timeout=args.timeout, keep_dir=args.keep)
        checked, skipped, failures = sltlib.check_records(records, run, args.engine)
        secs = time.monotonic() - t0
        passed = checked - len(failures)
        note = run.shell_failure or ""
        report.append((name, checked, passed, len(failures), skipped, secs, note))
        total["records"] += checked
        total["passed"] += passed
        total["failed"] += len(failures)
        total["skipped"] += skipped
        shown = failures if args.verbose else failures[: args.max_failures]
        for f in shown:
            sql = f.sql if len(f.sql) < 400 else f.sql[:400] + " ..."
            details.append(f"{name}:{f.line}: {f.why}\n    SQL: " + sql.replace("\n", "\n         "))
        if len(shown) < len(failures):
            details.append(f"{name}: ... and {len(failures) - len(shown)} more failure(s) (use --verbose)")

    if details:
        print("\n".join(details))
        print()
    width = max(len(r[0]) for r in report)
    print(f"{'file':<{width}}  {'records':>7}  {'passed':>7}  {'failed':>6}  {'skipped':>7}  {'secs':>6}")
    for name, checked, passed, failed, skipped, secs, note in report:
        status = "ok" if failed == 0 else "FAIL"
        extra = f"  {note}" if note else ""
        print(f"{name:<{width}}  {checked:>7}  {passed:>7}  {failed:>6}  {skipped:>7}  {secs:>6.1f}  {status}{extra}")
    print(f"{'total':<{width}}  {total['records']:>7}  {total['passed']:>7}  {total['failed']:>6}  "
          f"{total['skipped']:>7}")
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
