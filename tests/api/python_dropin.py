#!/usr/bin/env python3
"""Python's sqlite3 module, unmodified, on Keel: runs one workload script
under the system libsqlite3 and under Keel's drop-in libsqlite3.so.0 (through
LD_LIBRARY_PATH) and compares what both print.

usage: python_dropin.py LIBDIR   (the directory holding Keel's libsqlite3.so.0)
Exit 77 (skip) when Python's _sqlite3 does not load libsqlite3.so.0
dynamically, since LD_LIBRARY_PATH cannot swap a statically linked SQLite."""
import difflib
import os
import subprocess
import sys
import tempfile

WORKLOAD = r'''
import os, sqlite3, sys
libdir = os.environ.get("KEEL_EXPECT_LIBDIR")
if libdir:
    maps = open("/proc/self/maps").read()
    if os.path.join(os.path.realpath(libdir), "libsqlite3.so.0") not in maps:
        print("NOT RUNNING ON KEEL")
        sys.exit(3)
print("version", sqlite3.sqlite_version, sqlite3.sqlite_version_info >= (3, 40, 0))
workdir = sys.argv[1]
path = os.path.join(workdir, "py.db")
con = sqlite3.connect(path)
con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, data BLOB)")
con.executemany("INSERT INTO t(name, score, data) VALUES (?, ?, ?)",
                [("alice", 9.5, b"\x00\x01"), ("bob", None, None), ("carol", 7.25, b"xyz")])
con.commit()
print("rows", con.execute("SELECT * FROM t ORDER BY id").fetchall())
print("lastrowid", con.execute("INSERT INTO t(name) VALUES ('dave')").lastrowid, con.in_transaction)
con.rollback()
print("after rollback", con.execute("SELECT count(*) FROM t").fetchone(), con.in_transaction)
cur = con.execute("SELECT name AS who, score FROM t WHERE id = :id", {"id": 3})
print("named", cur.fetchall(), [d[0] for d in cur.description])
try:
    con.execute("INSERT INTO t(id, name) VALUES (1, 'dup')")
except sqlite3.IntegrityError as e:
    print("integrity", e, getattr(e, "sqlite_errorname", ""))
try:
    con.execute("SELECT * FROM missing")
except sqlite3.OperationalError as e:
    print("operational", e)
try:
    con.execute("SELEC 1")
except sqlite3.OperationalError as e:
    print("syntax", e)
con.create_function("twice", 1, lambda v: None if v is None else v * 2, deterministic=True)
print("function", con.execute("SELECT twice(score), twice(name) FROM t ORDER BY id").fetchall())
def boom(v):
    raise ValueError("no")
con.create_function("boom", 1, boom)
try:
    con.execute("SELECT boom(1)").fetchall()
except sqlite3.OperationalError as e:
    print("function error", e)
class Avg:
    def __init__(self):
        self.n, self.s = 0, 0.0
    def step(self, v):
        if v is not None:
            self.n += 1
            self.s += v
    def finalize(self):
        return self.s / self.n if self.n else None
con.create_aggregate("myavg", 1, Avg)
print("aggregate", con.execute("SELECT myavg(score) FROM t").fetchone())
con.create_collation("backwards", lambda a, b: (a < b) - (a > b))
print("collation", con.execute("SELECT name FROM t ORDER BY name COLLATE backwards").fetchall())
with con:
    con.execute("UPDATE t SET score = 1 WHERE name = 'bob'")
print("changes", con.total_changes)
with con.blobopen("t", "data", 3) as blob:
    blob.write(b"XY")
print("blob", con.execute("SELECT data FROM t WHERE id = 3").fetchone())
mem = sqlite3.connect(":memory:")
con.backup(mem)
print("backup", mem.execute("SELECT count(*), sum(score) FROM t").fetchone())
image = con.serialize()
fresh = sqlite3.connect(":memory:")
fresh.deserialize(image)
print("deserialize", fresh.execute("SELECT name FROM t ORDER BY id").fetchall())
seen = []
con.set_trace_callback(seen.append)
con.execute("SELECT 1").fetchall()
con.set_trace_callback(None)
print("trace", seen)
calls = []
con.set_progress_handler(lambda: calls.append(1) or 0, 1)
con.execute("SELECT count(*) FROM t a, t b, t c, t d, t e, t f, t g").fetchone()
con.set_progress_handler(None, 1)
print("progress called", len(calls) > 0)
print("complete", sqlite3.complete_statement("SELECT 1;"), sqlite3.complete_statement("SELECT 1"))
con.isolation_level = None
con.execute("BEGIN")
con.execute("DELETE FROM t WHERE id = 1")
print("autocommit", con.in_transaction)
con.execute("COMMIT")
print("final", con.execute("SELECT id, name FROM t ORDER BY id").fetchall())
cur = con.execute("UPDATE t SET score = coalesce(score, 0) + 1 RETURNING id")
print("returning first row", cur.fetchone())
cur.close()
print("all rows changed by the first step", con.execute("SELECT id, score FROM t ORDER BY id").fetchall())
con.close()
try:
    con.execute("SELECT 1")
except sqlite3.ProgrammingError as e:
    print("closed", e)
'''


def dynamic_sqlite():
    try:
        import _sqlite3
    except ImportError:
        return False
    out = subprocess.run(["ldd", _sqlite3.__file__], capture_output=True, text=True).stdout
    return "libsqlite3.so.0" in out


# On the drop-in, the sqlite3_* functions Python calls are libkeel's (the
# drop-in is an auxiliary filter of libkeel.so.0), so a module, which links
# libkeel, runs in the same kernel as the connection that loaded it.
ONE_KERNEL = r'''
import ctypes, os, sqlite3, sys
libdir = os.environ["KEEL_EXPECT_LIBDIR"]
dropin = ctypes.CDLL(os.path.join(libdir, "libsqlite3.so.0"))
keel = ctypes.CDLL(os.path.join(libdir, "libkeel.so.0"))
address = lambda f: ctypes.cast(f, ctypes.c_void_p).value
print("one kernel", address(dropin.sqlite3_open_v2) == address(keel.sqlite3_open_v2))
con = sqlite3.connect(":memory:")
print("module", con.execute("SELECT vector_extract(vector32('[1,2]'))").fetchone()[0])
'''


def run(env_extra, workdir, script=WORKLOAD):
    env = dict(os.environ)
    env.update(env_extra)
    os.makedirs(workdir, exist_ok=True)
    p = subprocess.run([sys.executable, "-c", script, workdir], capture_output=True, text=True, env=env,
                       timeout=240)
    if p.returncode != 0:
        print(p.stdout)
        print(p.stderr)
    return p.returncode, p.stdout.splitlines()


def main():
    libdir = os.path.abspath(sys.argv[1])
    if not dynamic_sqlite():
        print("Python's _sqlite3 does not load libsqlite3.so.0 dynamically: skipped")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        rc1, expected = run({}, os.path.join(tmp, "sqlite"))
        rc2, actual = run({"LD_LIBRARY_PATH": libdir, "KEEL_EXPECT_LIBDIR": libdir}, os.path.join(tmp, "keel"))
        if rc1 != 0 or rc2 != 0:
            return 1
        if expected != actual:
            sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(expected, actual, "libsqlite3", "keel", lineterm=""))
            return 1
        rc3, one_kernel = run({"LD_LIBRARY_PATH": libdir, "KEEL_EXPECT_LIBDIR": libdir}, os.path.join(tmp, "one"),
                              ONE_KERNEL)
    if rc3 != 0 or one_kernel != ["one kernel True", "module [1,2]"]:
        print("drop-in with modules:", one_kernel)
        return 1
    print("\n".join(actual))
    return 0


if __name__ == "__main__":
    sys.exit(main())
