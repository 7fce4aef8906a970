#!/usr/bin/env python3
"""Runs the C API transcript program built against libsqlite3 and against
libkeel, each in its own scratch directory, and fails on any difference."""
import difflib
import os
import shutil
import subprocess
import sys


def run(exe, workdir):
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    p = subprocess.run([exe, workdir], capture_output=True, text=True, timeout=240)
    if p.returncode != 0:
        print(f"{exe} exited with {p.returncode}\n{p.stderr}")
    return p.returncode, p.stdout.splitlines()


def main():
    oracle, keel, work = sys.argv[1], sys.argv[2], sys.argv[3]
    rc1, expected = run(oracle, os.path.join(work, "sqlite"))
    rc2, actual = run(keel, os.path.join(work, "keel"))
    if rc1 != 0 or rc2 != 0:
        return 1
    if expected != actual:
        sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(expected, actual, "libsqlite3", "libkeel", lineterm=""))
        return 1
    print(f"{len(expected)} transcript lines identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
