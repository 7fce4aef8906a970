#!/usr/bin/env python3
"""Checks the dynamic symbol tables: libkeel.so exports only the sqlite3 C API
and the public C++ API (keel::...), libsqlite3.so.0 exactly sqlite3_*
symbols, and the drop-in covers every function the system libsqlite3 offers
that Python's _sqlite3 module imports."""
import subprocess
import sys

PUBLIC_CXX = ("keel::Database", "keel::Connection", "keel::Statement", "keel::Value", "keel::Transaction",
              "keel::Options", "keel::Status", "keel::rc::", "keel::version", "keel::ext::", "keel::Aggregate",
              "typeinfo for keel::", "typeinfo name for keel::", "vtable for keel::")


def defined(lib, demangle=False):
    args = ["nm", "-D", "--defined-only"] + (["-C"] if demangle else []) + [lib]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3:
            syms.add(parts[2])
    return syms


def undefined(lib):
    out = subprocess.run(["nm", "-D", "--undefined-only", lib], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    keel, dropin, system = sys.argv[1:4]
    failures = []
    for s in sorted(defined(keel, demangle=True)):
        if s.startswith("sqlite3_") or s.startswith(PUBLIC_CXX):
            continue
        failures.append(f"libkeel.so exports a non-public symbol: {s}")
    drop = defined(dropin)
    for s in sorted(drop):
        if not s.startswith("sqlite3_"):
            failures.append(f"libsqlite3.so.0 exports a non-API symbol: {s}")
    try:
        import _sqlite3  # noqa: F401
        needed = {s for s in undefined(_sqlite3.__file__) if s.startswith("sqlite3_")}
    except Exception:
        needed = set()
    for s in sorted(needed - drop):
        failures.append(f"Python's _sqlite3 needs {s}, which the drop-in lacks")
    missing = sorted(s for s in defined(system) if s.startswith("sqlite3_") and s not in drop)
    print(f"drop-in exports {len(drop)} sqlite3_* symbols; the system library has {len(missing)} more:")
    print("  " + " ".join(missing))
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
