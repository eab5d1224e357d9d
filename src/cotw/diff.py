"""What changed between two versions of the data package: per table, the rows added, removed and
changed (matched by primary key, changed cells shown old → new), and columns added or removed.

Cells are compared as written (text; an empty cell is missing), so the diff shows exactly what a
curator changed, whether or not either version is valid. A package that cannot be read faithfully
(a file missing or unreadable, rows or columns the reader had to skip, a primary key used twice) is
refused with DiffRefused rather than reported as rows removed or, worse, as no change.

Rendered as text, JSON or Markdown (for release notes and the CHANGELOG). A long cell's change is shown
as the changed words with a little context (`…real and [-substantial-]{+well advanced+}…`), since both
sides shortened would often look the same. What is printed is escaped: control characters become
visible escapes, and in Markdown every value sits in a code span it cannot close, so backticks, pipes,
HTML and line breaks in the data stay text.

    >>> from cotw.diff import diff_packages                    # doctest: +SKIP
    >>> print(diff_packages("v0.1/", "v0.2/").render_markdown())  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .package import Package
from .report import Problem, escape, shorten

SHORT = 60  # a changed cell up to this long is shown whole on both sides; longer ones as a word diff
CONTEXT = 4  # words (and the spaces between them) kept either side of a change
MAX_SHOWN = 400  # characters of a word diff, at most
MAX_DUPLICATES = 20  # duplicate keys listed per table; the rest are counted
# structure problems after which the cells read are still exactly the cells written (an unparsable
# header also says "header", but then nothing is read at all, which is refused on its own)
FAITHFUL = {"bom", "line-ends", "column-order", "blank-line", "header"}


class DiffRefused(Exception):
    """A package cannot be read faithfully; `problems` says where (file, line) and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"cannot compare: {len(problems)} problem{'s' if len(problems) != 1 else ''} reading the packages")


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

    def render_text(self, summary: bool = True) -> str:
        """One line per change, then (with `summary`) one line saying how many tables changed."""
        lines = []
        for t in self.tables:
            if t.empty:
                continue
            head = f"{escape(t.name)}: +{len(t.added)} added, -{len(t.removed)} removed, ~{len(t.changed)} changed"
            lines.append(head + (f" (table {t.status})" if t.status in ("added", "removed") else ""))
            lines += [f"  + column {escape(c)}" for c in t.columns_added] + [f"  - column {escape(c)}" for c in t.columns_removed]
            lines += [f"  + {escape(_key(r, t.key))}" for r in t.added] + [f"  - {escape(_key(r, t.key))}" for r in t.removed]
            for c in t.changed:
                cells = "; ".join(f"{escape(col)} {_change(o, n)}" for col, (o, n) in c.cells.items())
                lines.append(f"  ~ {escape(c.key)}: {cells}")
        old, new = escape(self.old), escape(self.new)
        if summary:
            lines.append(f"no changes between {old} and {new}" if self.empty else
                         f"{sum(not t.empty for t in self.tables)} of {len(self.tables)} tables changed between {old} and {new}")
        return "\n".join(lines)

    def render_markdown(self) -> str:
        out = ["### Data changes", ""]
        if self.empty:
            return "\n".join(out + ["No changes to the data.", ""])
        out += ["| table | added | removed | changed |", "|---|--:|--:|--:|"]
        out += [f"| {_code(t.name, table=True)}{' (new table)' if t.status == 'added' else ' (table removed)' if t.status == 'removed' else ''} "
                f"| {len(t.added)} | {len(t.removed)} | {len(t.changed)} |" for t in self.tables if not t.empty]
        for t in self.tables:
            if t.empty:
                continue
            out += ["", f"#### {_code(t.name)}", ""]
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
                    cells = "; ".join(f"{_code(col)}: {_change(o, n, markdown=True)}" for col, (o, n) in c.cells.items())
                    out.append(f"  - {_code(c.key)}: {cells}")
        return "\n".join(out) + "\n"


def _key(row: dict, key: list[str]) -> str:
    return "/".join("" if row.get(k) is None else str(row[k]) for k in key)


def _q(v) -> str:
    return "(empty)" if v is None else repr(shorten(v, SHORT))


def _code(v, table: bool = False, limit: int = 80) -> str:
    """A Markdown code span the value cannot close: the fence is one backtick longer than any run inside it.
    Inside a code span CommonMark shows `<`, `>`, `&`, `*` and `_` literally; line breaks (which would end
    the list item or start a block) are escaped first, and in a table cell the pipe is escaped as GFM asks."""
    if v is None:
        return "_(empty)_"
    text = escape(shorten(str(v), limit) if limit else str(v))
    if table:
        text = text.replace("|", "\\|")
    import re

    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "  # CommonMark strips one space each side; keeps a leading or trailing backtick apart
    return f"{fence}{text}{fence}"


def _change(old, new, markdown: bool = False) -> str:
    """How one changed cell is printed: both values when short, else the changed words in context."""
    if old is None or new is None or (len(str(old)) <= SHORT and len(str(new)) <= SHORT):
        show = _code if markdown else _q
        return f"{show(old)} → {show(new)}"
    words = word_diff(str(old), str(new))
    return _code(words, limit=0) if markdown else escape(words)


def word_diff(old: str, new: str, context: int = CONTEXT, limit: int = MAX_SHOWN) -> str:
    """The changed words marked as git's --word-diff does (`[-removed-]{+added+}`), with `context` words of
    the unchanged text either side and `…` for what is left out."""
    import difflib
    import re

    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    if len(a) + len(b) > 20_000:  # SequenceMatcher's cost grows fast: compare as one changed middle
        p = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        s = next((i for i, (x, y) in enumerate(zip(reversed(a[p:]), reversed(b[p:]))) if x != y), min(len(a), len(b)) - p)
        ops = [("equal", 0, p, 0, p), ("replace", p, len(a) - s, p, len(b) - s), ("equal", len(a) - s, len(a), len(b) - s, len(b))]
    else:
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    keep = 2 * context  # tokens: a word and the space before it
    out = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            same = a[i1:i2]
            first, last = n == 0, n == len(ops) - 1
            if len(same) > (keep if first or last else 2 * keep):
                head = [] if first else _trim(same[:keep], -1)
                tail = [] if last else _trim(same[-keep:], 0)
                out += head + ["…" if first or last else " … "] + tail
            else:
                out += same
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _trim(tokens: list[str], end: int) -> list[str]:
    """The tokens without whitespace at one end (0: the start, -1: the end), so `…` sits beside a word."""
    while tokens and not tokens[end].strip():
        tokens = tokens[1:] if end == 0 else tokens[:-1]
    return tokens


def _rows(pkg: Package | None, name: str, problems: list[Problem]) -> tuple[list[str], dict[str, dict], list[str]] | None:
    """(columns, rows by key, key) of a table exactly as written, or None when the package has no such table.
    When the table cannot be read faithfully, what is wrong is added to `problems` (and the rows are not used)."""
    from .io.reader import read_table

    if pkg is None or name not in pkg.names():
        return None
    sch = pkg.schema(name)
    key = sch.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    table = read_table(pkg, name)
    lost = [p for p in table.problems if p.rule not in FAITHFUL]
    if lost or table.arrow is None:
        problems += [_located(pkg, p) for p in lost] or [_located(pkg, Problem("structure", "unreadable", f"table '{name}' could not be read", table.file))]
        return None
    cols = list(table.arrow.column_names)
    key = [k for k in key if k in cols] or cols[:1]
    rows: dict[str, dict] = {}
    first: dict[str, int | None] = {}
    twice = []
    # the cells as text, None where missing, straight from arrow (through pandas, two thirds of a diff's time);
    # a table of no known columns still has its rows, each of no cells
    records = table.arrow.to_pylist() if cols else [{} for _ in range(table.rows)]
    for i, rec in enumerate(records):
        k = _key(rec, key)  # the key as printed: two keys that print alike could not be told apart either
        if k in rows:
            twice.append((k, table.line(i)))
        else:
            rows[k], first[k] = rec, table.line(i)
    for k, line in twice[:MAX_DUPLICATES]:
        problems.append(_located(pkg, Problem(
            "structure", "duplicate-key",
            f"{'/'.join(key)} {_q(k)} is used again (first on line {first[k]}); rows cannot be matched by key", table.file, line)))
    if len(twice) > MAX_DUPLICATES:
        problems.append(_located(pkg, Problem("structure", "duplicate-key", f"... and {len(twice) - MAX_DUPLICATES} more keys used again", table.file)))
    return None if twice else (cols, rows, key)


def _located(pkg: Package, p: Problem) -> Problem:
    """The problem with its file named from where the diff was run (two packages are involved)."""
    from dataclasses import replace

    return replace(p, file=str(pkg.root / (p.file or "datapackage.json")))


def diff_table(old: Package | None, new: Package | None, name: str) -> TableDiff:
    problems: list[Problem] = []
    a, b = _rows(old, name, problems), _rows(new, name, problems)
    if problems:
        raise DiffRefused(problems)
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
    """Compare the package at `old` with the one at `new` (None: the installed data).

    Raises DiffRefused, listing every problem in both packages, when either cannot be read faithfully,
    and PackageError when a descriptor or schema cannot be read at all."""
    from .check.pipeline import usable

    a, b = usable(Package.open(old)), usable(Package.open(new))
    names = b.names() + [n for n in a.names() if n not in b.names()]
    label = lambda p, pkg: str(p) if p is not None else f"installed data ({pkg.root})"  # noqa: E731
    tables, problems = [], []
    for n in names:
        try:
            tables.append(diff_table(a, b, n))
        except DiffRefused as exc:
            problems += exc.problems
    if problems:
        raise DiffRefused(problems)
    return PackageDiff(label(old, a), label(new, b), tables)
