"""What changed between two versions of the data package: per table, the rows added, removed and
changed (matched by primary key, changed cells shown old → new), and columns added or removed.

Cells are compared as written (text; an empty cell is missing), so the diff shows exactly what a
curator changed, whether or not either version is valid. Rendered as text, JSON or Markdown (for
release notes and the CHANGELOG).

    >>> from cotw.diff import diff_packages                    # doctest: +SKIP
    >>> print(diff_packages("v0.1/", "v0.2/").render_markdown())  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .package import Package
from .report import shorten


@dataclass
class Change:
    key: str
    cells: dict[str, tuple[str | None, str | None]]  # column -> (old, new)


@dataclass
class TableDiff:
    name: str
    key: list[str]
    status: str = "same"  # same | changed | added (a new table) | removed (a table dropped)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed) and self.status == "same"

    def to_dict(self) -> dict:
        return {"table": self.name, "key": self.key, "status": self.status,
                "columns_added": self.columns_added, "columns_removed": self.columns_removed,
                "added": self.added, "removed": self.removed,
                "changed": [{"key": c.key, "cells": {k: {"old": o, "new": n} for k, (o, n) in c.cells.items()}} for c in self.changed]}


@dataclass
class PackageDiff:
    old: str
    new: str
    tables: list[TableDiff]

    @property
    def empty(self) -> bool:
        return all(t.empty for t in self.tables)

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "identical": self.empty,
                "summary": {t.name: {"added": len(t.added), "removed": len(t.removed), "changed": len(t.changed)} for t in self.tables},
                "tables": [t.to_dict() for t in self.tables if not t.empty]}

    def render_text(self) -> str:
        lines = []
        for t in self.tables:
            if t.empty:
                continue
            head = f"{t.name}: +{len(t.added)} added, -{len(t.removed)} removed, ~{len(t.changed)} changed"
            lines.append(head + (f" (table {t.status})" if t.status in ("added", "removed") else ""))
            lines += [f"  + column {c}" for c in t.columns_added] + [f"  - column {c}" for c in t.columns_removed]
            lines += [f"  + {_key(r, t.key)}" for r in t.added] + [f"  - {_key(r, t.key)}" for r in t.removed]
            for c in t.changed:
                cells = "; ".join(f"{col} {_q(o)} → {_q(n)}" for col, (o, n) in c.cells.items())
                lines.append(f"  ~ {c.key}: {cells}")
        lines.append(f"no changes between {self.old} and {self.new}" if self.empty else
                     f"{sum(not t.empty for t in self.tables)} of {len(self.tables)} tables changed between {self.old} and {self.new}")
        return "\n".join(lines)

    def render_markdown(self) -> str:
        out = ["### Data changes", ""]
        if self.empty:
            return "\n".join(out + ["No changes to the data.", ""])
        out += ["| table | added | removed | changed |", "|---|--:|--:|--:|"]
        out += [f"| `{t.name}`{' (new table)' if t.status == 'added' else ' (table removed)' if t.status == 'removed' else ''} "
                f"| {len(t.added)} | {len(t.removed)} | {len(t.changed)} |" for t in self.tables if not t.empty]
        for t in self.tables:
            if t.empty:
                continue
            out += ["", f"#### `{t.name}`", ""]
            if t.columns_added:
                out.append("- New columns: " + ", ".join(_code(c) for c in t.columns_added))
            if t.columns_removed:
                out.append("- Removed columns: " + ", ".join(_code(c) for c in t.columns_removed))
            if t.added:
                out.append("- Added: " + ", ".join(_code(_key(r, t.key)) for r in t.added))
            if t.removed:
                out.append("- Removed: " + ", ".join(_code(_key(r, t.key)) for r in t.removed))
            if t.changed:
                out.append("- Changed:")
                for c in t.changed:
                    cells = "; ".join(f"{col}: {_code(o)} → {_code(n)}" for col, (o, n) in c.cells.items())
                    out.append(f"  - {_code(c.key)}: {cells}")
        return "\n".join(out) + "\n"


def _key(row: dict, key: list[str]) -> str:
    return "/".join("" if row.get(k) is None else str(row[k]) for k in key)


def _q(v) -> str:
    return "(empty)" if v is None else repr(shorten(v, 60))


def _code(v) -> str:
    if v is None:
        return "_(empty)_"
    text = shorten(str(v), 80).replace("\n", " ").replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _rows(pkg: Package | None, name: str) -> tuple[list[str], dict[str, dict], list[str]] | None:
    """(columns, rows by key, key) of a table as written, or None when the package has no such table."""
    from .reader import read_table

    if pkg is None or name not in pkg.names():
        return None
    sch = pkg.schema(name)
    key = sch.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    frame = read_table(pkg, name).frame
    if frame is None:
        return [f["name"] for f in sch["fields"]], {}, key
    cols = list(frame.columns)
    key = [k for k in key if k in cols] or cols[:1]
    rows = {}
    for rec in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        rows.setdefault(_key(rec, key), {c: rec[c] for c in cols})
    return cols, rows, key


def diff_table(old: Package | None, new: Package | None, name: str) -> TableDiff:
    a, b = _rows(old, name), _rows(new, name)
    key = (b or a)[2]
    t = TableDiff(name, key)
    if a is None:
        t.status, t.added = "added", list(b[1].values())
        return t
    if b is None:
        t.status, t.removed = "removed", list(a[1].values())
        return t
    (acols, arows, _), (bcols, brows, _) = a, b
    t.columns_added = [c for c in bcols if c not in acols]
    t.columns_removed = [c for c in acols if c not in bcols]
    shared = [c for c in bcols if c in acols]
    t.added = [brows[k] for k in sorted(set(brows) - set(arows))]
    t.removed = [arows[k] for k in sorted(set(arows) - set(brows))]
    for k in sorted(set(arows) & set(brows)):
        cells = {c: (arows[k][c], brows[k][c]) for c in shared if arows[k][c] != brows[k][c]}
        if cells:
            t.changed.append(Change(k, cells))
    if not t.empty:
        t.status = "changed"
    return t


def diff_packages(old: str | Path | None, new: str | Path | None = None) -> PackageDiff:
    """Compare the package at `old` with the one at `new` (None: the installed data)."""
    from .validation import usable

    a, b = usable(Package.open(old)), usable(Package.open(new))
    names = b.names() + [n for n in a.names() if n not in b.names()]
    label = lambda p, pkg: str(p) if p is not None else f"installed data ({pkg.root})"  # noqa: E731
    return PackageDiff(label(old, a), label(new, b), [diff_table(a, b, n) for n in names])
