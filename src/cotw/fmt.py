"""Canonical CSV form, and `cotw fmt`: rewrite tables without changing the content of any cell.

Canonical: UTF-8 without BOM, LF line ends, a final newline, columns in schema order, rows sorted
by primary key (stable), no blank lines, and minimal quoting — a cell is quoted only when it holds
a comma, a quote or a line break, or begins or ends with whitespace (so no line ends in whitespace
outside a quoted cell). A file that cannot be parsed unambiguously is refused and left untouched.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .package import Package, unsafe_path_reason

_SPECIAL = (",", '"', "\n", "\r")


class Unparsable(Exception):
    """The file cannot be rewritten without guessing."""


def _cell(value: str) -> str:
    if value and (any(c in value for c in _SPECIAL) or value != value.strip()):
        return '"' + value.replace('"', '""') + '"'
    return value


def canonical(data: bytes, fields: list[str], key: list[str]) -> bytes:
    """The canonical bytes of a CSV table with the given schema field order and primary key."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unparsable(f"byte {exc.start} is not UTF-8") from None
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [r for r in reader if r]
    except csv.Error as exc:
        raise Unparsable(f"line {reader.line_num}: {exc}") from None
    if not rows:
        raise Unparsable("the file is empty")
    header = rows[0]
    if sorted(header) != sorted(fields) or len(set(header)) != len(header):
        raise Unparsable("the header does not have exactly the schema's columns")
    order = [header.index(f) for f in fields]
    body = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise Unparsable(f"record {n} has {len(r)} cells; the header has {len(header)}")
        body.append([r[i] for i in order])
    keypos = [fields.index(k) for k in key if k in fields]
    if keypos:
        body.sort(key=lambda r: [r[i] for i in keypos])
    out = [",".join(_cell(c) for c in fields)]
    out.extend(",".join(_cell(c) for c in r) for r in body)
    return ("\n".join(out) + "\n").encode("utf-8")


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)


def _targets(pkg: Package):
    for name in pkg.names():
        path = pkg.resource(name).get("path")
        if unsafe_path_reason(path):
            continue
        sch = pkg.schema(name)
        pk = sch.get("primaryKey") or []
        yield path, pkg.root / path, [f["name"] for f in sch["fields"]], [pk] if isinstance(pk, str) else list(pk)


def format_package(pkg: Package, check: bool = False) -> FmtResult:
    """Rewrite every table in canonical form (or, with check=True, only report what would change)."""
    result = FmtResult()
    for rel, path, fields, key in _targets(pkg):
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.refused[rel] = exc.strerror or "cannot be read"
            continue
        try:
            new = canonical(data, fields, key)
        except Unparsable as exc:
            result.refused[rel] = str(exc)
            continue
        if new == data:
            result.unchanged.append(rel)
            continue
        result.changed.append(rel)
        if not check:
            _atomic_write(path, new)
    return result


def non_canonical(pkg: Package) -> list[str]:
    """Files that are readable but would be changed by `cotw fmt`."""
    return format_package(pkg, check=True).changed


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
