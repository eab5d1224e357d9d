"""A `contradicts` link joins two reports that cannot both hold: rows of one table about the same thing
whose dates cannot be told apart.

- the same subject: positions the same country and issue; conditions the same country and condition;
  contributions the same country and kind; claims the same question; events any two (the happening is
  the subject, and its kind may be what the texts disagree on);
- date bounds that overlap or cannot be separated (a missing or open bound is unbounded; an invalid
  date, which the edtf rule reports, counts as undated): rows whose dates are disjoint are a change
  over time, never a contradiction;
- never two rows of one fact_id (a fact's rows agree on every coded value).
"""
from __future__ import annotations

from ..blocks import CheckSpec, Cols, Rule
from ...package import Package
from ...report import shorten
from ._shared import cells, key_of, mask

CODES = ("contradicts",)  # the rule codes this module's checks report
SUBJECT = {"positions": ("country", "issue"), "conditions": ("country", "condition"), "contributions": ("country", "kind"),
           "claims": ("question",), "events": ()}
DATE = {"positions": "date", "conditions": "date", "contributions": "date", "claims": "date", "events": "date"}


def _bounds(v):
    from ...dates import DateError, bounds

    try:
        return bounds(v) if isinstance(v, str) else (None, None)
    except DateError:
        return None, None


def contradicts_rules(pkg: Package, context: dict[str, Cols]) -> list[CheckSpec]:
    from .links import _prefixes

    tables = {p: t for p, t in _prefixes(pkg).items() if t in SUBJECT}
    rows: dict[str, dict] = {}  # id -> {column: value} of the rows a contradicts link may name, built on first use
    why: dict[tuple, tuple[str, str]] = {}

    def index(named):
        """The rows the links name (only those: a table may have many more), found by arrow."""
        import pyarrow as pa
        import pyarrow.compute as pc

        want = pa.array(sorted(named - set(rows)), pa.large_string())
        for name in tables.values():
            df, pk = context.get(name), key_of(name, pkg.schema(name))
            if df is None or pk is None or pk not in df or not len(want):
                continue
            hit = pc.fill_null(pc.is_in(df[pk], value_set=want), False)
            cols = [c for c in ("fact_id", DATE[name], *SUBJECT[name]) if c in df]
            for rid, *vals in zip(pc.filter(df[pk], hit).to_pylist(), *(pc.filter(df[c], hit).to_pylist() for c in cols)):
                if rid is not None and rid not in rows:
                    rows[rid] = dict(zip(cols, vals), _table=name)

    def problem(a: str, b: str) -> tuple[str, str] | None:
        x, y = rows.get(a), rows.get(b)
        if not x or not y or x["_table"] != y["_table"]:
            return None  # a missing end or a link across tables: the link rules say so
        name = x["_table"]
        if x.get("fact_id") is not None and x.get("fact_id") == y.get("fact_id"):
            return (f"{shorten(a)} and {shorten(b)} are one fact ({shorten(x['fact_id'])}), which never contradicts itself",
                    "remove the link, or give the report that differs its own fact_id")
        for c in SUBJECT[name]:
            if x.get(c) != y.get(c):
                return (f"{shorten(a)} and {shorten(b)} are about different things ({c} {x.get(c)!r} and {y.get(c)!r}), so they cannot contradict",
                        f"contradicts joins {name} rows of the same {' and '.join(SUBJECT[name])} at the same time")
        (lo1, hi1), (lo2, hi2) = _bounds(x.get(DATE[name])), _bounds(y.get(DATE[name]))
        if (hi1 is not None and lo2 is not None and hi1 < lo2) or (hi2 is not None and lo1 is not None and hi2 < lo1):
            return (f"{shorten(a)} ({x.get(DATE[name])}) and {shorten(b)} ({y.get(DATE[name])}) have dates that do not overlap: "
                    "a change over time, not a contradiction", "remove the link: the summary reports a change over time by itself")
        return None

    def check(df: Cols):
        if not df.has("from_id", "relation", "to_id"):
            return df.true()
        triples = list(zip(cells(df, "from_id"), cells(df, "relation"), cells(df, "to_id")))
        index({x for a, rel, b in triples if rel == "contradicts" for x in (a, b) if isinstance(x, str)})
        good = []
        for a, rel, b in triples:
            p = problem(a, b) if rel == "contradicts" else None
            if p:
                why[(a, b)] = p
            good.append(p is None)
        return mask(good)

    def say(v, row):
        return why.get((row.get("from_id"), row.get("to_id")), (f"{shorten(row.get('from_id'))} contradicts {shorten(row.get('to_id'))} cannot hold", None))

    return [CheckSpec("rule:contradicts-same-thing-same-time", check, Rule("contradicts", "relation", say, needs_row=True))]
