"""EDTF dates (`x-edtf`): valid, and never after the source can have been published."""
from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import TEXT, CheckSpec, Cols, Rule, isin, q

CODES = ('edtf', 'date-after-source')  # the rule codes this module's checks report


_DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def _dates_of(table: Cols | None, key: str, col: str):
    """{key: (earliest, latest)} of an EDTF column of another table."""
    from ...dates import DateError, bounds

    out = {}
    if table is None or not table.has(key, col):
        return out
    for k, v in zip(table[key].to_pylist(), table[col].to_pylist()):
        if isinstance(k, str) and isinstance(v, str) and k not in out:
            try:
                out[k] = bounds(v)
            except DateError:
                pass
    return out


def edtf_rules(col: str, sources: Cols | None, table: str) -> list[CheckSpec]:
    """An EDTF date is one cotw accepts (see cotw.dates), and no row's date starts after its source can
    have been published (the latest day the publication date allows)."""
    from ...dates import DateError, bounds, check as why

    def valid(df: Cols):
        if col not in df:
            return df.true()
        dates = df[col]
        bad = [v for v in pc.unique(dates).drop_null().to_pylist() if why(v)]  # a column has few distinct dates
        return pc.invert(isin(dates, bad))

    def say_invalid(v, row):
        hint = "write an EDTF date: 2025-04-10, 2025-04, 2025-05-08/2025-05-10, ../2025-04-10, XXXX-04-10"
        m = _DAY_FIRST.fullmatch(str(v))
        if m:
            hint = f"EDTF writes the year first: '{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}' if the day comes first"
        return f"{col} {why(v) if isinstance(v, str) else q(v)}", hint

    out = [CheckSpec(f"rule:{col}-edtf", valid, Rule("edtf", col, say_invalid))]
    if table == "sources" or sources is None:
        return out
    published = {k: hi for k, (lo, hi) in _dates_of(sources, "source_id", "published").items() if hi is not None}

    def not_after(df: Cols):
        if not published or not df.has(col, "source_id"):
            return df.true()
        dates = df[col]
        distinct = pc.unique(dates).drop_null()
        earliest = []  # per distinct date (a column has few), as a day number; None: invalid or open
        for v in distinct.to_pylist():
            try:
                lo = bounds(v)[0]
            except DateError:
                lo = None
            earliest.append(None if lo is None else lo.toordinal())

        lo = pc.take(pa.array(earliest, pa.int64()), pc.index_in(dates, value_set=distinct))
        sids = pa.array(list(published), TEXT)
        pub = pc.take(pa.array([d.toordinal() for d in published.values()], pa.int64()), pc.index_in(df["source_id"], value_set=sids))
        return pc.fill_null(pc.less_equal(lo, pub), True)

    def say_after(v, row):
        sid = row.get("source_id") if row is not None else None
        pub = published.get(sid)
        return (f"{col} {q(v)} starts after its source {q(sid)} can have been published (at the latest {pub})",
                "check the date; a source cannot report what happened after it was published")

    out.append(CheckSpec(f"rule:{col}-not-after-published", not_after, Rule("date-after-source", col, say_after, needs_row=True)))
    return out
