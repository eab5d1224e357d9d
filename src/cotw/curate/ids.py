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
from ..package import Package

_COUNTER = re.compile(r"^\^([A-Za-z]+-)\[0-9\]\{(\d+)(,\d*)?\}\$$")


def counter_format(pkg: Package, table: str) -> tuple[str, str, int] | None:
    """(key field, prefix, minimum digits) of a table keyed by a prefixed counter, else None."""
    sch = pkg.schema(table)
    key = sch.get("primaryKey") or []
    key = [key] if isinstance(key, str) else list(key)
    if len(key) != 1:
        return None
    field = next((f for f in sch["fields"] if isinstance(f, dict) and f.get("name") == key[0]), {})
    m = _COUNTER.match(str(field.get("constraints", {}).get("pattern", "")))
    return (key[0], m.group(1), int(m.group(2))) if m else None


def counter_tables(pkg: Package) -> list[str]:
    return [n for n in pkg.names() if counter_format(pkg, n) is not None]


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
    numbers = [int(v[len(prefix):]) for v in (t.frame[key].dropna() if t.frame is not None and key in t.frame else [])
               if isinstance(v, str) and v.startswith(prefix) and v[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:0{digits}d}"
