"""The next stable id of a table whose primary key is a prefixed counter (`st-0041`).

The prefix and the minimum number of digits are read from the key's pattern in the table's schema
(`^st-[0-9]{4,}$`), so the descriptor stays the one place that says what an id looks like.

Ids are never reused: the next id is one more than the highest id ever present. A package carries
no history (a zip or a wheel has no git log), so "ever present" is what the table holds now; the
one id that could come back is the highest, and only if its row was deleted. That is why rows are
corrected, not deleted (CONTRIBUTING.md says so).
"""
from __future__ import annotations

import re

from . import CurateError
from ..limits import ID_MAX_DIGITS
from ..package import Package
from ..report import shorten

_COUNTER = re.compile(r"^\^([A-Za-z]+-)\[0-9\]\{(\d+)(,\d*)?\}\$$")


def counter_format(pkg: Package, table: str) -> tuple[str, str, int] | None:
    """(key field, prefix, minimum digits) of a table keyed by a prefixed counter, else None."""
    sch = pkg.schema(table)
    key = sch.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    if len(key) != 1:
        return None
    field = next((f for f in sch["fields"] if isinstance(f, dict) and f.get("name") == key[0]), {})
    pattern = field.get("constraints", {}).get("pattern", "") if isinstance(field.get("constraints"), dict) else ""
    m = _COUNTER.match(pattern) if isinstance(pattern, str) else None
    digits = m.group(2).lstrip("0") if m else ""
    if len(digits) > len(str(ID_MAX_DIGITS)) or digits and int(digits) > ID_MAX_DIGITS:
        # the schema is the package's to write: an id as wide as it asks could take gigabytes
        raise CurateError(f"the key {key[0]!r} of table '{table}' has pattern {shorten(pattern)!r}, asking for ids of "
                          f"{shorten(m.group(2), 20)} digits; cotw makes ids of at most {ID_MAX_DIGITS} digits")
    return (key[0], m.group(1), int(m.group(2))) if m else None


def counter_tables(pkg: Package) -> list[str]:
    def counted(name: str) -> bool:
        try:
            return counter_format(pkg, name) is not None
        except CurateError:  # ids too wide to make: not a table next-id serves
            return False

    return [n for n in pkg.names() if counted(n)]


def next_id(pkg: Package, table: str) -> str:
    """One more than the highest id of `table` (the first id, `<prefix>0001`, for an empty table)."""
    from ..io.reader import read_table
    from ..check.pipeline import PARTIAL_READ

    pkg.resource(table)  # an unknown name is answered with the valid ones
    fmt = counter_format(pkg, table)
    if fmt is None:
        raise CurateError(f"table '{table}' is not keyed by a numbered id; tables that are: {', '.join(counter_tables(pkg))}"
                          + (" (a source_id is made from the title by `cotw source add`)" if table == "sources" else ""), usage=True)
    key, prefix, digits = fmt
    t = read_table(pkg, table)
    broken = [p for p in t.problems if p.rule in PARTIAL_READ]
    if broken:
        # a row that cannot be read may hold the highest id: guessing could hand out an id twice
        raise CurateError(f"{broken[0].text()}; not every row of {t.file} can be read, so the next id is not known (fix the file first)")
    counters = [v[len(prefix):] for v in (t.frame[key].dropna() if t.frame is not None and key in t.frame else [])
                if isinstance(v, str) and v.startswith(prefix) and v[len(prefix):].isascii() and v[len(prefix):].isdigit()]
    wide = next((c for c in counters if len(c.lstrip("0")) > ID_MAX_DIGITS), None)
    if wide is not None:
        raise CurateError(f"{t.file} holds the id {shorten(prefix + wide)!r}, of more than {ID_MAX_DIGITS} digits; "
                          "cotw makes ids of at most that many, so the next id is not known")
    numbers = [int(c) for c in counters]
    return f"{prefix}{max(numbers, default=0) + 1:0{digits}d}"
