"""Canonical CSV form, and `cotw fmt`: rewrite tables without changing the content of any cell.

Canonical: UTF-8 without BOM, LF line ends, a final newline, columns in schema order, rows sorted
by primary key (stable), no blank lines, and minimal quoting — a cell is quoted only when it holds
a comma, a quote or a line break, or begins or ends with whitespace (so no line ends in whitespace
outside a quoted cell). A file that cannot be parsed unambiguously is refused and left untouched.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from ..report import names_list

from ..package import DESCRIPTOR, Package, PackageError
from . import safeio
from .csvtext import quote_cell
from .safeio import UnsafeFile, unsafe_path_reason

class Unparsable(Exception):
    """The file cannot be rewritten without guessing; `line` is where (header = 1), when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def canonical(data: bytes, fields: list[str], key: list[str]) -> bytes:
    """The canonical bytes of a CSV table with the given schema field order and primary key."""
    return _canonical(data, fields, key)[0]


def _canonical(data: bytes, fields: list[str], key: list[str]) -> tuple[bytes, list[str]]:
    """Canonical bytes, and what differs from `data` in words (empty when already canonical)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Unparsable(f"byte 0x{data[exc.start]:02x} at byte {exc.start} is not UTF-8; save the file as UTF-8", line) from None
    changes: list[str] = []
    if text.startswith("\ufeff"):
        changes.append("byte-order mark")
        text = text[1:]
    from .reader import _first_cr_line_end, syntax_problem  # lazily: reader imports pandas, which fmt does not need

    if _first_cr_line_end(text) is not None:
        changes.append("CR/CRLF line ends")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    blank = 0
    prev = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            _, message, _ = syntax_problem(exc, prev + 1)
            raise Unparsable(message, prev + 1) from None
        start, prev = prev + 1, reader.line_num
        if not row or (rows and len(fields) > 1 and len(row) == len(rows[0][1]) and not any(row)):
            blank += 1
            continue
        rows.append((start, row))
    if blank:
        changes.append("blank lines")
    if not rows:
        raise Unparsable("the file is empty", 1)
    header = rows[0][1]
    # sets and a position map, never list searches: a hostile header may have a million columns
    position = {h: i for i, h in enumerate(header)}
    if len(position) != len(header):
        raise Unparsable("a column appears twice in the header", 1)
    wanted = set(fields)
    if len(header) != len(fields) or not wanted.issuperset(position):
        extra = [h for h in header if h not in wanted]
        missing = [f for f in fields if f not in position]
        if len(header) == 1 and len(fields) > 1 and any(sep in header[0] for sep in ";\t|"):
            raise Unparsable("the header is one column: the file is not comma-delimited", 1)
        why = "; ".join(filter(None, [f"not in the schema: {names_list(extra, quote=True)}" if extra else "",
                                      f"missing: {names_list(missing, quote=True)}" if missing else ""]))
        raise Unparsable(f"the header does not have exactly the schema's columns ({why})", 1)
    if header != fields:
        changes.append("column order")
    order = [position[f] for f in fields]
    body = []
    for line, r in rows[1:]:
        if len(r) != len(header):
            raise Unparsable(f"the row has {len(r)} cells; the header has {len(header)}", line)
        body.append([r[i] for i in order])
    keypos = [fields.index(k) for k in key if k in fields]
    if keypos:
        ordered = sorted(body, key=lambda r: [r[i] for i in keypos])
        if ordered != body:
            changes.append(f"rows not sorted by {', '.join(key)}")
        body = ordered
    out = [",".join(quote_cell(c) for c in fields)]
    out.extend(",".join(quote_cell(c) for c in r) for r in body)
    new = ("\n".join(out) + "\n").encode("utf-8")
    if new != data and not changes:
        changes.append("quoting or final newline")
    return new, changes


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    why: dict[str, list[str]] = field(default_factory=dict)  # changed file -> what changes, in words
    descriptor: list[str] = field(default_factory=list)  # descriptor problems that stop a table from being read

    @property
    def ok(self) -> bool:
        return not (self.refused or self.descriptor)


def _targets(pkg: Package, result: FmtResult, names: list[str] | None = None):
    """(path as written, field order, primary key) of every table that may be touched.

    Paths outside the package and URLs are refused without being read."""
    for name in pkg.names() if names is None else names:
        path = pkg.resource(name).get("path")
        reason = unsafe_path_reason(path)
        if reason:
            result.descriptor.append(f"{DESCRIPTOR}: resource '{name}' path {str(path)[:80]!r} {reason}; it was not read")
            continue
        try:
            sch = pkg.schema(name)
        except PackageError as exc:
            where = f"{exc.file}:{exc.line}" if exc.line else exc.file
            result.descriptor.append(f"{where}: {exc.message}; no table was rewritten")
            return
        fields = [f.get("name") for f in sch["fields"] if isinstance(f, dict)]
        pk = sch.get("primaryKey") or []
        yield path, fields, [pk] if isinstance(pk, str) else list(pk)


def format_package(pkg: Package, check: bool = False, names: list[str] | None = None) -> FmtResult:
    """Rewrite every table (or those named) in canonical form (with check=True, only report what would change)."""
    result = FmtResult()
    if pkg.zip is not None and not check:
        result.descriptor.append(f"{pkg.root}: a zipped package is read-only; unzip it to rewrite its tables")
        return result
    for rel, fields, key in _targets(pkg, result, names):
        try:
            data = pkg.read_bytes(rel)
        except UnsafeFile as exc:
            result.refused[rel] = exc.reason
            continue
        except OSError as exc:
            result.refused[rel] = f"it cannot be read ({exc.strerror or exc})"
            continue
        try:
            new, why = _canonical(data, fields, key)
        except Unparsable as exc:
            result.refused[f"{rel}:{exc.line}" if exc.line else rel] = exc.message
            continue
        if new == data:
            result.unchanged.append(rel)
            continue
        if not check:
            try:  # the real file inside the package is replaced, never written through a link
                safeio.replace_bytes(pkg.root, rel, new)
            except UnsafeFile as exc:
                result.refused[rel] = exc.reason
                continue
            except OSError as exc:
                result.refused[rel] = f"it cannot be written ({exc.strerror or exc})"
                continue
        result.changed.append(rel)
        result.why[rel] = why
    return result


def non_canonical(pkg: Package, names: list[str] | None = None) -> list[str]:
    """Files (of the tables `names`, default all) that are readable but would be changed by `cotw fmt`."""
    return format_package(pkg, check=True, names=names).changed

