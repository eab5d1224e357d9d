"""Reading a table's CSV exactly as written: every cell as text, every row with its CSV line.

Structural problems (encoding, BOM, line ends, header, row length, quoting, blank lines) are
reported here with their line; the rows that can be read still go on to the schema checks.
Text such as "NA", "None" or "null" stays text: only an empty cell is missing.
"""
from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .package import Package, PackageError, unsafe_path_reason
from .report import Problem, shorten

csv.field_size_limit(2**31 - 1)  # huge cells are reported by maxLength, not by the reader


@dataclass
class Table:
    """A table as read: text cells (missing = NaN), the CSV line of each row, and what went wrong."""

    name: str
    file: str
    fields: list[str]
    frame: pd.DataFrame | None = None
    lines: np.ndarray | None = None  # CSV line of each frame row (header is line 1)
    problems: list[Problem] = field(default_factory=list)
    canonical_hint: bool = False

    def line(self, index: int) -> int | None:
        if self.lines is None or not 0 <= index < len(self.lines):
            return None
        return int(self.lines[index])


def _problem(table: Table, rule: str, message: str, line: int | None = None, column: str | None = None,
             value: str | None = None, hint: str | None = None) -> None:
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
    path = pkg.root / relpath
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _problem(table, "missing-file", f"file {relpath} of resource '{name}' does not exist")
        return table
    except OSError as exc:
        _problem(table, "unreadable-file", f"cannot read {relpath}: {exc.strerror}")
        return table
    text = _decode(table, data)
    if text is None:
        return table
    _parse(table, text)
    return table


def _decode(table: Table, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        _problem(table, "encoding", f"byte 0x{data[exc.start]:02x} at byte {exc.start} is not UTF-8; the file must be saved as UTF-8",
                 line=line, hint="re-save the file as UTF-8")
        return None
    if text.startswith("\ufeff"):
        _problem(table, "bom", "the file starts with a byte-order mark (BOM)", line=1,
                 hint="save as UTF-8 without BOM; `cotw fmt` does this")
        text = text[1:]
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        _problem(table, "line-ends", "the file uses CR or CRLF line ends; cotw CSVs use LF", line=line,
                 hint="`cotw fmt` rewrites the file with LF line ends")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _parse(table: Table, text: str) -> None:
    if not text.strip():
        _problem(table, "empty-file", "the file is empty; it needs at least the header row", line=1)
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        _problem(table, "header", f"the header row cannot be parsed: {exc}", line=1)
        return
    columns = _check_header(table, header)
    width = len(header)
    rows: list[list[str]] = []
    starts: list[int] = []
    prev_end = reader.line_num
    while True:
        start = prev_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            msg = str(exc)
            if "EOF" in msg or "end of data" in msg or "newline inside string" in msg:
                _problem(table, "unbalanced-quote", f"a quoted cell opened on line {start} is never closed", line=start,
                         hint="close the quote (a literal \" inside a quoted cell is written \"\")")
            else:
                _problem(table, "csv-syntax", f"cannot parse the row: {msg}", line=start,
                         hint="a cell containing a \" must be quoted as a whole, with the \" doubled")
            break
        prev_end = reader.line_num
        if not row:
            _problem(table, "blank-line", "blank line", line=start, hint="delete the line; `cotw fmt` does this")
            continue
        if len(row) != width:
            kind = "short" if len(row) < width else "long"
            _problem(table, f"{kind}-row", f"the row has {len(row)} cells; the header has {width}", line=start,
                     hint="a cell containing a comma must be quoted" if kind == "long" else "add the missing cells (empty cells still need their commas)")
            continue
        rows.append(row)
        starts.append(start)
    table.lines = np.asarray(starts, dtype=np.int64)
    data = {}
    for pos, name in columns.items():
        col = [r[pos] for r in rows]
        data[name] = pd.array(col, dtype="str")
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    if len(frame.columns):
        frame = frame.replace("", np.nan)
    table.frame = frame


def _check_header(table: Table, header: list[str]) -> dict[int, str]:
    """Compare the header with the schema; return {position: field name} for the columns that can be checked."""
    expected = table.fields
    if len(header) == 1 and expected and len(expected) > 1:
        for sep in (";", "\t", "|"):
            if sep in header[0]:
                _problem(table, "delimiter", f"the header is one column {shorten(header[0])!r}: the file looks {sep!r}-delimited; cotw CSVs use ','",
                         line=1, hint="save the file with comma as the delimiter")
                return {}
    stripped = [h.strip() for h in header]
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for pos, (raw, name) in enumerate(zip(header, stripped)):
        col_no = pos + 1
        if raw != name:
            _problem(table, "header", f"column {col_no} header {raw!r} has leading or trailing whitespace", line=1, column=name,
                     hint=f"write it as {name!r}")
        if name in seen:
            _problem(table, "duplicate-column", f"column {name!r} appears twice (columns {seen[name] + 1} and {col_no})", line=1, column=name)
            continue
        seen[name] = pos
        if name in expected:
            columns[pos] = name
        else:
            missing = [f for f in expected if f not in stripped]
            close = difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
            hint = f"renamed? did you mean {close[0]!r}?" if close else f"the schema's columns are: {', '.join(expected)}"
            _problem(table, "extra-column", f"column {name!r} is not in the schema", line=1, column=name, hint=hint)
    for name in expected:
        if name not in seen:
            _problem(table, "missing-column", f"column {name!r} is missing", line=1, column=name,
                     hint="add the column (empty cells are fine where the field is optional)")
    present = [n for n in stripped if n in expected]
    if not any(p.rule in {"missing-column", "extra-column", "duplicate-column"} for p in table.problems):
        if present != expected:
            _problem(table, "column-order", "the columns are not in schema order", line=1,
                     hint=f"expected: {', '.join(expected)}; `cotw fmt` reorders them")
    return columns

