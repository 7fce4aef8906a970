"""Shared core of the SQL-logic test tools: parsing `.test` files, running
their records through a sqlite3-compatible command-line shell, and rendering
results the way they are written in the files.

Used by `run_sql_tests.py` (runs the files through the keel shell and checks
them) and `regen.py` (rewrites expected results from the real sqlite3 CLI).

Execution model: every file runs in ONE shell process (so TEMP objects,
pragmas such as recursive_triggers and attached databases live across
records) on the database `test.db` inside a fresh scratch directory that is
also the working directory (relative ATTACH names land there). The runner
writes one script: a few settings, then each record's SQL followed by a
`.print` marker line. Standard output is split at the markers, so each
record gets exactly its own rows; errors go to standard error as
"Parse error near line N: ..." / "Runtime error near line N: ... (code)",
and the line number says which record they belong to.

Output settings: list mode, NULL printed as `NULL`, columns separated by
\\037 and rows ended by \\036 + newline, so values may hold any other text.
Inside a result file, a value that is the empty string is written
`(empty)`, and newlines / carriage returns / backslashes in a value are
written as `\\n`, `\\r` and `\\\\` so that each value stays on one line.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field

COL_SEP = "\x1f"
ROW_SEP = "\x1e\n"
MARK_PREFIX = "@@slt-record-done "
VALID_TYPES = set("ITR")
SORT_MODES = ("nosort", "rowsort", "valuesort")

# ---------------------------------------------------------------- parsing


@dataclass
class Record:
    """One record of a .test file, with where it sits in the file."""

    kind: str  # "statement" | "query" | "hash-threshold" | "halt"
    line: int  # 1-based line of the record's first line (the header)
    header: str  # the header line as written
    sql: str = ""
    # statement
    expect_ok: bool = True
    error_regex: str | None = None
    # query
    types: str = ""
    sort: str = "nosort"
    label: str | None = None
    expected: list[str] = field(default_factory=list)  # lines after ----
    has_results: bool = False  # a ---- line was present
    # conditions (skipif / onlyif lines before the header)
    conditions: list[tuple[str, str]] = field(default_factory=list)
    # hash-threshold
    threshold: int = 0
    # the span of source lines the record occupies (for rewriting)
    first_line: int = 0
    last_line: int = 0


class TestFileError(Exception):
    pass


def parse_file(path: str) -> tuple[list[str], list[Record]]:
    """Returns the file's lines and its records. Raises TestFileError on a
    malformed header, naming the line."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    records: list[Record] = []
    i = 0
    n = len(lines)
    conditions: list[tuple[str, str]] = []
    cond_start = None
    while i < n:
        raw = lines[i]
        stripped = raw.strip()
        if stripped == "" or stripped.startswith("#"):
            i += 1
            continue
        words = stripped.split()
        first = i
        if words[0] in ("skipif", "onlyif"):
            if len(words) < 2:
                raise TestFileError(f"{path}:{i + 1}: '{words[0]}' needs an engine name")
            if cond_start is None:
                cond_start = i
            conditions.append((words[0], words[1]))
            i += 1
            continue
        if cond_start is not None:
            first = cond_start
        if words[0] == "hash-threshold":
            if len(words) != 2 or not words[1].isdigit():
                raise TestFileError(f"{path}:{i + 1}: hash-threshold needs a number")
            records.append(Record("hash-threshold", i + 1, raw, threshold=int(words[1]),
                                  conditions=conditions, first_line=first, last_line=i))
            i += 1
        elif words[0] == "halt":
            records.append(Record("halt", i + 1, raw, conditions=conditions,
                                  first_line=first, last_line=i))
            i += 1
        elif words[0] == "statement":
            if len(words) < 2 or words[1] not in ("ok", "error"):
                raise TestFileError(f"{path}:{i + 1}: expected 'statement ok' or 'statement error'")
            rec = Record("statement", i + 1, raw, conditions=conditions, first_line=first)
            rec.expect_ok = words[1] == "ok"
            if not rec.expect_ok:
                rest = stripped[len("statement"):].strip()[len("error"):].strip()
                rec.error_regex = rest or None
            elif len(words) > 2:
                raise TestFileError(f"{path}:{i + 1}: 'statement ok' takes no argument")
            i += 1
            body = []
            while i < n and lines[i].strip() != "":
                body.append(lines[i])
                i += 1
            if not body:
                raise TestFileError(f"{path}:{rec.line}: statement without SQL")
            rec.sql = "\n".join(body)
            rec.last_line = i - 1
            records.append(rec)
        elif words[0] == "query":
            if len(words) < 2:
                raise TestFileError(f"{path}:{i + 1}: query needs a type string")
            rec = Record("query", i + 1, raw, conditions=conditions, first_line=first)
            rec.types = words[1]
            if not rec.types or set(rec.types) - VALID_TYPES:
                raise TestFileError(f"{path}:{i + 1}: bad type string {rec.types!r} (use I, T, R)")
            if len(words) > 2:
                if words[2] not in SORT_MODES:
                    raise TestFileError(f"{path}:{i + 1}: bad sort mode {words[2]!r}")
                rec.sort = words[2]
            if len(words) > 3:
                rec.label = words[3]
            if len(words) > 4:
                raise TestFileError(f"{path}:{i + 1}: too many words in the query header")
            i += 1
            body = []
            while i < n and lines[i].strip() != "" and lines[i].rstrip() != "----":
                body.append(lines[i])
                i += 1
            if not body:
                raise TestFileError(f"{path}:{rec.line}: query without SQL")
            rec.sql = "\n".join(body)
            if i < n and lines[i].rstrip() == "----":
                rec.has_results = True
                i += 1
                while i < n and lines[i] != "":
                    rec.expected.append(lines[i])
                    i += 1
            rec.last_line = i - 1
            records.append(rec)
        else:
            raise TestFileError(f"{path}:{i + 1}: unknown record type {words[0]!r}")
        conditions = []
        cond_start = None
    return lines, records


def applies(rec: Record, engine: str) -> bool:
    """skipif/onlyif: whether the record runs on `engine` ("keel" or "sqlite")."""
    for kind, name in rec.conditions:
        if kind == "skipif" and name == engine:
            return False
        if kind == "onlyif" and name != engine:
            return False
    return True


# ---------------------------------------------------------------- rendering


def encode_value(v: str) -> str:
    if v == "":
        return "(empty)"
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def render_rows(rows: list[list[str]], sort: str) -> list[str]:
    """The value lines of a result, sorted as the record asks."""
    if sort == "rowsort":
        rows = sorted(rows, key=lambda r: [encode_value(v) for v in r])
    values = [encode_value(v) for row in rows for v in row]
    if sort == "valuesort":
        values.sort()
    return values


def hash_values(values: list[str]) -> str:
    h = hashlib.md5()
    for v in values:
        h.update(v.encode("utf-8"))
        h.update(b"\n")
    return f"{len(values)} values hashing to {h.hexdigest()}"


def result_lines(values: list[str], threshold: int) -> list[str]:
    if threshold > 0 and len(values) > threshold:
        return [hash_values(values)]
    return values


# ---------------------------------------------------------------- execution


@dataclass
class Outcome:
    """What one record did: its rows (lists of column values) and its error
    messages (empty if it succeeded)."""

    rows: list[list[str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ran: bool = True  # False if the shell died before reaching the record


@dataclass
class FileRun:
    outcomes: dict[int, Outcome]  # by record index
    shell_failure: str | None  # crash / timeout description, if any
    malformed: dict[int, str]  # record index -> why it was not run


_ERR_RE = re.compile(r"^(Parse|Runtime) error near line (\d+): (.*)$")
_RUNTIME_CODE_RE = re.compile(r" \(\d+\)$")


def _statement_is_complete(sql: str) -> bool:
    return sqlite3.complete_statement(sql + "\n;")


def build_script(records: list[Record], engine: str) -> tuple[str, list[tuple[int, int, int]], dict[int, str]]:
    """The shell script for the records that run on `engine`. Returns the
    script, (record index, first line, last line) spans, and malformed
    records (not run)."""
    out = [
        ".nullvalue NULL",
        ".mode list",
        ".headers off",
        '.separator "\\037" "\\036\\n"',
    ]
    spans = []
    malformed = {}
    for idx, rec in enumerate(records):
        if rec.kind not in ("statement", "query") or not applies(rec, engine):
            continue
        if not _statement_is_complete(rec.sql):
            malformed[idx] = "the SQL is not a complete statement (unterminated string, comment or trigger body)"
            continue
        start = len(out) + 1
        body = rec.sql.split("\n")
        out.extend(body)
        out.append(";")
        end = len(out)
        spans.append((idx, start, end))
        out.append(f".print {MARK_PREFIX}{idx}")
    return "\n".join(out) + "\n", spans, malformed


def run_records(shell_cmd: list[str], records: list[Record], engine: str,
                timeout: float = 600.0, keep_dir: bool = False) -> FileRun:
    """Runs the records in one shell process in a fresh scratch directory."""
    # Records up to a `halt` only.
    active = []
    for rec in records:
        if rec.kind == "halt" and applies(rec, engine):
            break
        active.append(rec)
    script, spans, malformed = build_script(active, engine)
    scratch = tempfile.mkdtemp(prefix="sqltest-")
    shell_failure = None
    try:
        with open(os.path.join(scratch, "script.sql"), "w", encoding="utf-8") as f:
            f.write(script)
        try:
            proc = subprocess.run(
                shell_cmd + ["-batch", "-init", os.devnull, "test.db"],
                input=script.encode("utf-8"), cwd=scratch, capture_output=True,
                timeout=timeout)
            stdout, stderr, rc = proc.stdout, proc.stderr, proc.returncode
            if rc < 0:
                shell_failure = f"the shell was killed by signal {-rc}"
        except subprocess.TimeoutExpired as e:
            stdout, stderr = e.stdout or b"", e.stderr or b""
            shell_failure = f"the shell did not finish within {timeout:.0f} s"
    finally:
        if not keep_dir:
            shutil.rmtree(scratch, ignore_errors=True)

    out_text = stdout.decode("utf-8", errors="replace")
    err_text = stderr.decode("utf-8", errors="replace")

    outcomes: dict[int, Outcome] = {}
    # Standard output: chunks ended by marker lines.
    pos = 0
    for idx, _, _ in spans:
        marker = f"{MARK_PREFIX}{idx}\n"
        at = out_text.find(marker, pos)
        if at < 0:
            break
        chunk = out_text[pos:at]
        pos = at + len(marker)
        rows = []
        if chunk:
            parts = chunk.split(ROW_SEP)
            if parts[-1] == "":
                parts.pop()
            else:
                # Output not ended by a row separator: print it as is.
                pass
            rows = [p.split(COL_SEP) for p in parts]
        outcomes[idx] = Outcome(rows=rows)
    for idx, _, _ in spans:
        if idx not in outcomes:
            outcomes[idx] = Outcome(ran=False)
            if shell_failure is None:
                shell_failure = "the shell stopped early (exit without finishing the script)"

    # Standard error: attribute each error to the record whose lines hold it.
    current = None
    for line in err_text.split("\n"):
        m = _ERR_RE.match(line)
        if not m:
            continue  # context lines ("  SELECT ...", "   ^--- error here")
        lineno = int(m.group(2))
        msg = m.group(3)
        if m.group(1) == "Runtime":
            msg = _RUNTIME_CODE_RE.sub("", msg)
        current = None
        for idx, start, end in spans:
            if start <= lineno <= end:
                current = idx
                break
        if current is not None and current in outcomes:
            outcomes[current].errors.append(msg)
    return FileRun(outcomes=outcomes, shell_failure=shell_failure, malformed=malformed)


def guess_types(rows: list[list[str]]) -> str:
    """A type string for a result, from its first non-NULL value per column."""
    if not rows:
        return ""
    ncol = len(rows[0])
    types = []
    for c in range(ncol):
        t = "T"
        for r in rows:
            if c < len(r) and r[c] != "NULL":
                v = r[c]
                if re.fullmatch(r"-?\d+", v):
                    t = "I"
                elif re.fullmatch(r"-?(\d+\.\d*|\d*\.\d+)(e[-+]?\d+)?|-?\d+e[-+]?\d+|-?Inf|NaN", v):
                    t = "R"
                break
        types.append(t)
    return "".join(types)


# ---------------------------------------------------------------- checking


@dataclass
class Failure:
    line: int
    sql: str
    why: str


def check_records(records: list[Record], run: FileRun, engine: str) -> tuple[int, int, list[Failure]]:
    """Compares what the records did with what they expect. Returns
    (records checked, records skipped, failures)."""
    threshold = 0
    labels: dict[str, list[str]] = {}
    checked = skipped = 0
    failures: list[Failure] = []
    for idx, rec in enumerate(records):
        if rec.kind == "halt" and applies(rec, engine):
            skipped += sum(1 for r in records[idx + 1:] if r.kind in ("statement", "query"))
            break
        if rec.kind == "hash-threshold":
            threshold = rec.threshold
            continue
        if rec.kind not in ("statement", "query"):
            continue
        if not applies(rec, engine):
            skipped += 1
            continue
        checked += 1
        if idx in run.malformed:
            failures.append(Failure(rec.line, rec.sql, run.malformed[idx]))
            continue
        out = run.outcomes.get(idx)
        if out is None or not out.ran:
            failures.append(Failure(rec.line, rec.sql, "not run: " + (run.shell_failure or "shell stopped")))
            continue
        if rec.kind == "statement":
            if rec.expect_ok:
                if out.errors:
                    failures.append(Failure(rec.line, rec.sql, "expected success, got error: " + out.errors[0]))
            elif not out.errors:
                failures.append(Failure(rec.line, rec.sql, "expected an error, the statement succeeded"))
            elif rec.error_regex is not None and not any(re.search(rec.error_regex, e) for e in out.errors):
                failures.append(Failure(rec.line, rec.sql,
                                        f"error message {out.errors[0]!r} does not match /{rec.error_regex}/"))
            continue
        # query
        if out.errors:
            failures.append(Failure(rec.line, rec.sql, "query failed: " + out.errors[0]))
            continue
        bad = [r for r in out.rows if len(r) != len(rec.types)]
        if bad:
            failures.append(Failure(rec.line, rec.sql,
                                    f"expected {len(rec.types)} column(s), a row has {len(bad[0])}: {bad[0]!r}"))
            continue
        values = render_rows(out.rows, rec.sort)
        got = result_lines(values, threshold)
        if rec.label is not None:
            digest = hash_values(values)
            if rec.label in labels and labels[rec.label] != [digest]:
                failures.append(Failure(rec.line, rec.sql, f"result differs from earlier label {rec.label}"))
                continue
            labels.setdefault(rec.label, [digest])
        if rec.has_results and got != rec.expected:
            failures.append(Failure(rec.line, rec.sql, diff_text(rec.expected, got)))
    return checked, skipped, failures


def diff_text(expected: list[str], got: list[str], limit: int = 12) -> str:
    lines = ["result mismatch:"]
    for i in range(max(len(expected), len(got))):
        e = expected[i] if i < len(expected) else "<none>"
        g = got[i] if i < len(got) else "<none>"
        if e != g:
            lines.append(f"    value {i + 1}: expected {e!r}, got {g!r}")
            if len(lines) > limit:
                lines.append("    ...")
                break
    lines.append(f"    ({len(expected)} expected line(s), {len(got)} produced)")
    return "\n".join(lines)
