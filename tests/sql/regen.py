#!/usr/bin/env python3
"""Rewrites the expected results of SQL-logic test files from the real sqlite3.

    regen.py [--sqlite3 PATH] [--check] FILE...

Runs each file through the sqlite3 CLI exactly as run_sql_tests.py runs it
through keel, then rewrites every record that runs on sqlite (skipif/onlyif)
with what sqlite3 did:

  * `statement ok` that fails in sqlite3 becomes `statement error <message>`;
  * `statement error` that succeeds becomes `statement ok`;
  * `statement error REGEX` keeps its regex if sqlite3's message matches it,
    else the regex becomes sqlite3's exact message; a bare `statement error`
    stays bare (write a regex, or run once with --messages, to pin the text);
  * `query` gets its result lines (sorted per its sort mode, hashed above
    the hash-threshold); a query that fails becomes `statement error`;
    its type string is kept when its length matches the column count and
    otherwise guessed from the values.

Comments, blank lines and records that do not run on sqlite are kept as they
are. Every change of a record's kind (ok -> error, query -> error) is printed,
so that a typo in a test is seen rather than enshrined.

--check rewrites nothing: it exits 1 if any file would change (the ctest
sql_logic_oracle runs this: the files still agree with sqlite3), 77 if there
is no sqlite3 CLI.
"""

from __future__ import annotations

import argparse
import difflib
import glob
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sltlib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE = "sqlite"


def error_regex_for(message: str) -> str:
    """The message as a regex matching itself (only regex operators escaped,
    so the file stays readable)."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", message)


def regenerate(path: str, shell: list[str], all_messages: bool, notes: list[str]) -> str:
    lines, records = sltlib.parse_file(path)
    run = sltlib.run_records(shell, records, ENGINE)
    if run.shell_failure:
        raise sltlib.TestFileError(f"{path}: sqlite3 failed: {run.shell_failure}")
    if run.malformed:
        idx, why = next(iter(run.malformed.items()))
        raise sltlib.TestFileError(f"{path}:{records[idx].line}: {why}")

    out: list[str] = []
    pos = 0  # next source line (0-based) not yet copied
    threshold = 0
    halted = False
    for idx, rec in enumerate(records):
        out.extend(lines[pos:rec.first_line])
        pos = rec.last_line + 1
        original = lines[rec.first_line:rec.last_line + 1]
        if rec.kind == "halt" and sltlib.applies(rec, ENGINE):
            halted = True
        if rec.kind == "hash-threshold" and not halted:
            threshold = rec.threshold
        if halted or rec.kind not in ("statement", "query") or not sltlib.applies(rec, ENGINE):
            out.extend(original)
            continue
        cond_lines = lines[rec.first_line:rec.line - 1]
        outcome = run.outcomes[idx]
        where = f"{os.path.basename(path)}:{rec.line}"
        out.extend(cond_lines)
        if outcome.errors:
            message = outcome.errors[0]
            if rec.kind == "statement" and not rec.expect_ok:
                if rec.error_regex is None and not all_messages:
                    header = "statement error"
                elif rec.error_regex is not None and any(re.search(rec.error_regex, e) for e in outcome.errors):
                    header = rec.header.rstrip()
                else:
                    header = "statement error " + error_regex_for(message)
                    if rec.error_regex is not None:
                        notes.append(f"{where}: error regex replaced by sqlite3's message: {message}")
            else:
                header = "statement error " + error_regex_for(message)
                notes.append(f"{where}: {rec.kind} {'ok' if rec.kind == 'statement' else ''} now an error in sqlite3: "
                             f"{message}".replace("  ", " "))
            out.append(header)
            out.extend(rec.sql.split("\n"))
            continue
        if rec.kind == "statement":
            if not rec.expect_ok:
                notes.append(f"{where}: expected an error, sqlite3 accepts it: now 'statement ok'")
            out.append("statement ok")
            out.extend(rec.sql.split("\n"))
            continue
        # query
        rows = outcome.rows
        types = rec.types
        if rows and any(len(r) != len(types) for r in rows):
            types = sltlib.guess_types(rows)
            notes.append(f"{where}: type string {rec.types} -> {types}")
        if types == rec.types:
            header = rec.header.rstrip()
        else:
            header = " ".join(["query", types, rec.sort] + ([rec.label] if rec.label else []))
        out.append(header)
        out.extend(rec.sql.split("\n"))
        out.append("----")
        out.extend(sltlib.result_lines(sltlib.render_rows(rows, rec.sort), threshold))
    out.extend(lines[pos:])
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite3", default=shutil.which("sqlite3"), help="the sqlite3 CLI (default: on PATH)")
    ap.add_argument("--check", action="store_true", help="rewrite nothing; exit 1 if a file would change")
    ap.add_argument("--messages", action="store_true",
                    help="also pin sqlite3's message on bare 'statement error' records")
    ap.add_argument("files", nargs="*", help="test files (default with --check: every tests/sql/*.test)")
    args = ap.parse_args()

    if not args.sqlite3 or not os.path.isfile(args.sqlite3):
        print("SKIP: no sqlite3 CLI found; install sqlite3 to regenerate or check the expected results")
        return 77
    files = args.files
    if not files:
        if not args.check:
            ap.error("name the files to regenerate")
        files = sorted(glob.glob(os.path.join(HERE, "*.test")))
    shell = [args.sqlite3]

    changed = 0
    failed = 0
    for path in files:
        notes: list[str] = []
        try:
            with open(path, encoding="utf-8") as f:
                before = f.read()
            after = regenerate(path, shell, args.messages, notes)
        except (sltlib.TestFileError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            failed += 1
            continue
        name = os.path.basename(path)
        for n in notes:
            print(n)
        if after == before:
            print(f"{name}: matches sqlite3")
            continue
        changed += 1
        if args.check:
            print(f"{name}: DIFFERS from what sqlite3 produces:")
            diff = difflib.unified_diff(before.split("\n"), after.split("\n"), "file", "sqlite3", lineterm="", n=2)
            for i, line in enumerate(diff):
                if i >= 60:
                    print("  ...")
                    break
                print("  " + line)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(after)
            print(f"{name}: rewritten")
    if failed:
        return 2
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
