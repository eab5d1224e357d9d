"""Probable missed groupings, for a curator to decide (`cotw review`): never an error.

Two rows of one table are listed together when they report the same thing and could be one fact but
carry different `fact_id`s: the same actor, the same subject and the same coded value(s) (positions:
country, issue, value; conditions: country, condition, stance, applies_to; contributions: country,
kind, scope, commitment; claims: question, value_min, value_max, unit; events: kind and host),
and dates that overlap or cannot be separated (a missing or open bound is unbounded). Rows of one
source are listed too (a source may repeat a fact). The curator then either groups them (one fact_id)
or leaves them apart; the list says why each pair was suggested.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..package import Package

SAME = {"positions": ("country", "issue", "value"),
        "conditions": ("country", "condition", "stance", "applies_to"),
        "contributions": ("country", "kind", "scope", "commitment"),
        "claims": ("question", "value_min", "value_max", "unit"),
        "events": ("kind", "host")}


@dataclass(frozen=True)
class Candidate:
    """Rows of `table` that report the same coded values at times that cannot be told apart, in different facts."""

    table: str
    key: tuple  # the shared coded values, in the order of SAME[table]
    rows: tuple  # (id, fact_id, source_id, date) of each row, in id order

    def text(self) -> str:
        what = ", ".join(f"{c}={v}" for c, v in zip(SAME[self.table], self.key) if v is not None)
        facts = sorted({r[1] for r in self.rows if r[1] is not None})
        lines = [f"{self.table}: {what}: {len(self.rows)} rows in {len(facts)} facts ({', '.join(facts)}) with overlapping dates"]
        lines += [f"  {rid} fact {fid} source {src} date {date or '(undated)'}" for rid, fid, src, date in self.rows]
        return "\n".join(lines)


def _bounds(v):
    from ..dates import DateError, bounds

    try:
        return bounds(v) if isinstance(v, str) and v else (None, None)
    except DateError:
        return None, None


def candidates(path: str | Path | None = None) -> list[Candidate]:
    """Every probable missed grouping in the package at `path` (see the module docstring)."""
    from ..io.reader import read_table

    pkg = Package.open(path)
    out = []
    for table, same in SAME.items():
        if table not in pkg.names():
            continue
        t = read_table(pkg, table)
        if t.arrow is None:
            continue
        cols = t.arrow.column_names
        pk = (pkg.schema(table).get("primaryKey") or [None])
        pk = pk if isinstance(pk, str) else pk[0]
        if not {pk, "fact_id", "source_id", *same} <= set(cols):
            continue
        get = {c: t.arrow.column(c).to_pylist() for c in {pk, "fact_id", "source_id", "date", *same} if c in cols}
        n = t.arrow.num_rows
        groups: dict[tuple, list[int]] = {}
        for i in range(n):
            groups.setdefault(tuple(get[c][i] for c in same), []).append(i)
        for key, at in sorted(groups.items(), key=lambda kv: str(kv[0])):
            if len({get["fact_id"][i] for i in at}) < 2:
                continue
            dates = {i: _bounds(get.get("date", [None] * n)[i]) for i in at}
            # the rows' date spans merged where they overlap (sorted by start, an open start first): each merged
            # run is a set of rows no date separates, in O(m log m)
            import datetime as dt

            low, high = dt.date.min, dt.date.max
            order = sorted(at, key=lambda i: dates[i][0] or low)
            clusters: dict[int, list[int]] = {}
            head, reach = None, None
            for i in order:
                lo, hi = dates[i][0] or low, dates[i][1] or high
                if head is None or lo > reach:
                    head, reach = i, hi
                else:
                    reach = max(reach, hi)
                clusters.setdefault(head, []).append(i)
            for members in clusters.values():
                if len({get["fact_id"][i] for i in members}) > 1:
                    rows = tuple(sorted((get[pk][i], get["fact_id"][i], get["source_id"][i], get.get("date", [None] * n)[i]) for i in members))
                    out.append(Candidate(table, key, rows))
    return out
