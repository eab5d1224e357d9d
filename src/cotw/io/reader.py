"""Reading a table's CSV exactly as written: every cell as text, every row with its CSV line.

Structural problems (encoding, BOM, line ends, header, row length, quoting, blank lines) are
reported here with their line; the rows that can be read still go on to the schema checks.
Text such as "NA", "None" or "null" stays text: only an empty cell is missing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np

from . import fastread
from ..package import Package, PackageError
from ..report import MAX_NAMES, MAX_VALUE, Problem, Problems, names_list, shorten
from ..suggest import did_you_mean
from .safeio import UnsafeFile, unsafe_path_reason

csv.field_size_limit(2**31 - 1)  # huge cells are reported by maxLength, not by the reader


@dataclass
class Table:
    """A table as read: text cells (arrow large_string, null = missing), the CSV line of each row, and
    what went wrong. `frame` is the same cells as a pandas DataFrame (missing = NaN), made on first use:
    `cotw check` needs pandas only to describe problems."""

    name: str
    file: str
    fields: list[str]
    arrow: object | None = None  # pyarrow.Table; only the columns the header has that the schema knows
    lines: np.ndarray | None = None  # CSV line of each row (header is line 1)
    problems: Problems = field(default_factory=Problems)  # bounded per rule, see report.Problems
    canonical: bool | None = None  # known from the fast path; None: ask fmt
    _frame: object = field(default=None, repr=False)

    @property
    def frame(self):
        """The cells as pandas text columns (arrow-backed, no copy), NaN where missing; None when unread."""
        if self._frame is None and self.arrow is not None:
            self._frame = to_frame(self.arrow, self.rows)
        return self._frame

    @frame.setter
    def frame(self, value) -> None:
        self._frame = value

    @property
    def rows(self) -> int:
        """Rows read (an arrow table of no columns, when the header names none the schema knows, has no length)."""
        if self.arrow is None:
            return 0
        return len(self.lines) if self.lines is not None else self.arrow.num_rows

    def line(self, index: int) -> int | None:
        if self.lines is None or not 0 <= index < len(self.lines):
            return None
        return int(self.lines[index])


def _problem(table: Table, rule: str, message: str, line: int | None = None, column: str | None = None,
             value: str | None = None, hint: str | None = None) -> None:
    if table.problems.full(rule, table.file):
        table.problems.omit(rule, table.file)
    else:
        table.problems.append(Problem("structure", rule, message, table.file, line, column, value, hint))


def read_table(pkg: Package, name: str) -> Table:
    res = pkg.resource(name)
    fields = [f.get("name") for f in pkg.schema(name)["fields"]]
    relpath = res.get("path")
    table = Table(name=name, file=str(relpath), fields=fields)
    reason = unsafe_path_reason(relpath)
    if reason:
        table.file = "datapackage.json"
        _problem(table, "unsafe-path", f"resource '{name}' path {shorten(relpath)!r} {reason}; it was not read")
        return table
    try:
        data = pkg.read_bytes(relpath)
    except FileNotFoundError:
        _problem(table, "missing-file", f"file {relpath} of resource '{name}' does not exist")
        return table
    except UnsafeFile as exc:
        _problem(table, "unsafe-path" if exc.rule == "unsafe-path" else "unreadable-file", f"file {relpath} of resource '{name}' {exc.reason}")
        return table
    except OSError as exc:
        _problem(table, "unreadable-file", f"cannot read {relpath}: {exc.strerror}")
        return table
    sch = pkg.schema(name)
    key = sch.get("primaryKey") or []
    fast = fastread.read(data, fields, [key] if isinstance(key, str) else list(key))
    if fast is not None:
        table.arrow, table.lines, table.canonical = fast
        return table
    text = _decode(table, data)
    if text is None:
        return table
    _parse(table, text)
    return table


UNREAD = ("missing-file", "unreadable-file", "unsafe-path")  # rules meaning the file itself was not read


def require_table(pkg: Package, name: str, rules: tuple[str, ...] = UNREAD) -> Table:
    """read_table, raising PackageError (file and reason) when the table's file itself could not be
    read (one of `rules`: missing, unsafe, not a regular file). For callers that must not mistake a
    file they were refused for an empty table (the Python API, diff)."""
    table = read_table(pkg, name)
    refused = next((p for p in table.problems if p.rule in rules), None)
    if refused is not None:
        raise PackageError(refused.message, file=refused.file)
    return table


def _decode(table: Table, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        line = data[: exc.start].count(b"\n") + 1
        try:
            guess = f" (in Windows-1252 it would be {bytes([bad]).decode('cp1252')!r})"
        except UnicodeDecodeError:
            guess = ""
        _problem(table, "encoding", f"byte 0x{bad:02x} at byte {exc.start} is not UTF-8{guess}; the file was not checked further",
                 line=line, hint="save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')")
        return None
    if text.startswith("\ufeff"):
        _problem(table, "bom", "the file starts with a byte-order mark (BOM)", line=1,
                 hint="save as UTF-8 without BOM; `cotw fmt` does this")
        text = text[1:]
    line = _first_cr_line_end(text)
    if line is not None:
        _problem(table, "line-ends", "the file uses CR or CRLF line ends; cotw CSVs use LF", line=line,
                 hint="`cotw fmt` rewrites the file with LF line ends")
    return text


def _first_cr_line_end(text: str) -> int | None:
    """The line of the first CR that ends a line. A CR inside a quoted cell is the cell's content, not a line end."""
    if "\r" not in text:
        return None
    m = _UNQUOTED_CR.search(text)
    return None if m is None else 1 + _count_breaks(text[: m.end() - 1])


# A quoted cell opens at the start of a cell and closes at the end of one (as the csv module reads
# it); any other quote is a stray, literal character and must not hide the CRs after it (the reader
# resumes on the next line after a stray quote, so those CRs do end lines). Possessive: linear time.
_QUOTED = r'(?<![^,\r\n])"[^"]*+(?:""[^"]*+)*+"(?=[,\r\n]|\Z)'
_UNQUOTED_CR = re.compile(rf'\A(?:{_QUOTED}|[^"\r]++|")*+\r')


_BREAK = re.compile(r"\r\n|\r|\n")


def _count_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")  # what _BREAK matches, without a list


MAX_RESYNC = 50  # syntax errors per file after which reading stops (each one re-reads the rest of the file)


def _records(text: str):
    """(first line, cells) of every record after the header, or (first line, csv.Error) for a record that
    cannot be parsed. After an error, reading resumes on the line after the one where the bad record began,
    so one stray quote does not hide the rest of the file."""
    offset = 0  # physical lines before `chunk`
    chunk = text
    breaks: list[int] | None = None
    restarts = 0
    while True:
        reader = csv.reader(io.StringIO(chunk, newline=""), strict=True)
        prev = 0
        while True:
            start = offset + prev + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, exc
                break
            yield start, row
            prev = reader.line_num
        restarts += 1
        if breaks is None:
            breaks = [m.end() for m in _BREAK.finditer(text)]
        if restarts > MAX_RESYNC or start > len(breaks) or breaks[start - 1] >= len(text):
            if restarts > MAX_RESYNC:
                yield start, None
            return
        chunk = text[breaks[start - 1]:]
        offset = start


def syntax_problem(exc: csv.Error, start: int) -> tuple[str, str, str]:
    """(rule, message, hint) for a record, beginning on line `start`, that the csv module cannot parse."""
    msg = str(exc)
    if "EOF" in msg or "end of data" in msg or "newline inside string" in msg:
        return ("unbalanced-quote", f"a quoted cell opened on line {start} is never closed",
                "close the quote (a literal \" inside a quoted cell is written \"\")")
    hint = "a cell containing a \" must be quoted as a whole, with each \" inside it doubled"
    if "expected after" in msg:
        return "unbalanced-quote", "a quoted cell is closed and then followed by more text before the next comma", hint
    return "csv-syntax", f"cannot parse the row: {msg}", hint


def _cells(n: int) -> str:
    return f"{n} cell{'s' if n != 1 else ''}"


def _parse(table: Table, text: str) -> None:
    if not text.strip():
        _problem(table, "empty-file", "the file is empty; it needs at least the header row", line=1)
        return
    records = _records(text)
    first = next(records, None)
    if first is None:
        _problem(table, "empty-file", "the file is empty; it needs at least the header row", line=1)
        return
    _, header = first
    if isinstance(header, csv.Error):
        _problem(table, "header", f"the header row cannot be parsed: {header}", line=1,
                 hint="the header is the column names separated by commas, unquoted")
        return
    if not header or not any(h.strip() for h in header):
        _problem(table, "header", "the first line is blank; it must be the header (the column names)", line=1,
                 hint="delete the blank line(s) above the header")
        return
    columns = _check_header(table, header)
    if any(p.rule == "delimiter" for p in table.problems):
        return  # every row would be one long cell: the delimiter problem says it all
    width = len(header)
    rows: list[list[str]] = []
    starts: list[int] = []
    for start, row in records:
        if row is None:
            _problem(table, "csv-syntax", f"more than {MAX_RESYNC} rows cannot be parsed; the rest of the file was not checked", line=start)
            break
        if isinstance(row, csv.Error):
            rule, message, hint = syntax_problem(row, start)
            _problem(table, rule, message, line=start, hint=hint)
            continue
        if not row or (len(row) == 1 and not row[0].strip() and width > 1):
            _problem(table, "blank-line", "blank line" if not row else "the line holds only whitespace", line=start,
                     hint="delete the line; `cotw fmt` does this" if not row else "delete the line")
            continue
        if len(row) != width:
            kind = "short" if len(row) < width else "long"
            _problem(table, f"{kind}-row", f"the row has {_cells(len(row))}; the header has {width}", line=start,
                     hint="a cell containing a comma must be quoted" if kind == "long" else "add the missing cells (empty cells still need their commas)")
            continue
        if width > 1 and not any(row):
            _problem(table, "blank-line", "every cell of the row is empty", line=start, hint="delete the row; `cotw fmt` does this")
            continue
        rows.append(row)
        starts.append(start)
    import pyarrow as pa

    table.lines = np.asarray(starts, dtype=np.int64)
    table.arrow = pa.table({name: pa.array([r[pos] or None for r in rows], pa.large_string()) for pos, name in columns.items()},
                           schema=pa.schema([(name, pa.large_string()) for name in columns.values()]))


def to_frame(table, rows: int | None = None):
    """An arrow table of text as a pandas DataFrame of text columns (arrow-backed, no copy), NaN where
    missing; `rows` rows (default: the table's; a table of no columns has none of its own)."""
    import pandas as pd

    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.DataFrame({c: pd.array(pd.arrays.ArrowStringArray(table.column(c)), dtype=dtype) for c in table.column_names},
                        index=pd.RangeIndex(table.num_rows if rows is None else rows))


MAX_SUGGEST = 5  # extra columns that get a did-you-mean hint; edit distance is too slow to run for thousands


def _check_header(table: Table, header: list[str]) -> dict[int, str]:
    """Compare the header with the schema; return {position: field name} for the columns that can be checked.

    Linear in the number of columns (sets, not list searches), and bounded: only the first MAX_SUGGEST
    extra columns are compared with the missing ones for a did-you-mean hint."""
    expected = table.fields
    if len(header) == 1 and expected and len(expected) > 1:
        for sep in (";", "\t", "|"):
            if sep in header[0]:
                _problem(table, "delimiter", f"the header is one column {shorten(header[0])!r}: the file looks {sep!r}-delimited; cotw CSVs use ','",
                         line=1, hint="save the file with comma as the delimiter")
                return {}
    stripped = [h.strip() for h in header]
    known = set(expected)
    present_names = set(stripped)
    missing = [f for f in expected if f not in present_names]
    candidates = [m for m in missing if len(str(m)) <= MAX_VALUE][:MAX_NAMES]
    suggested = 0
    listing = f"the schema's columns are: {names_list(expected)}"
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for pos, (raw, name) in enumerate(zip(header, stripped)):
        col_no = pos + 1
        if raw != name:
            _problem(table, "header", f"column {col_no} header {shorten(raw)!r} has leading or trailing whitespace", line=1, column=name,
                     hint=f"write it as {shorten(name)!r}")
        if name in seen:
            _problem(table, "duplicate-column", f"column {shorten(name)!r} appears twice (columns {seen[name] + 1} and {col_no})", line=1, column=name)
            continue
        seen[name] = pos
        if name in known:
            columns[pos] = name
        else:
            close = None
            if suggested < MAX_SUGGEST and candidates and len(name) <= MAX_VALUE:
                suggested += 1
                close = did_you_mean(name, candidates)
            hint = f"renamed? {close}" if close else listing
            _problem(table, "extra-column", f"column {shorten(name)!r} is not in the schema", line=1, column=name, hint=hint)
    for name in missing:
        _problem(table, "missing-column", f"column {name!r} is missing", line=1, column=name,
                 hint="add the column (empty cells are fine where the field is optional)")
    if not any(p.rule in {"missing-column", "extra-column", "duplicate-column"} for p in table.problems):
        present = [n for n in stripped if n in known]
        if present != expected:
            _problem(table, "column-order", "the columns are not in schema order", line=1,
                     hint=f"expected: {names_list(expected)}; `cotw fmt` reorders them")
    return columns
