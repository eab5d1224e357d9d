"""Claims: numeric bounds are in order."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, number, q

CODES = ('range',)  # the rule codes this module's checks report


def numbers(a):
    """Each cell of arrow text `a` as the number cotw.load reads (float64), null where it is none;
    computed once per distinct value."""
    distinct = pc.unique(a).drop_null()
    read = [number(v) for v in distinct.to_pylist()]
    return pc.take(pa.array(read, pa.float64()), pc.index_in(a, value_set=distinct))


def min_not_above_max() -> CheckSpec:
    def check(df: Cols):
        if not df.has("value_min", "value_max"):
            return df.true()
        lo, hi = (numbers(df[c]) for c in ("value_min", "value_max"))
        return pc.invert(pc.fill_null(pc.greater(lo, hi), False))  # a missing bound, or one that is no number, is never greater

    return CheckSpec("rule:value-min-not-above-max", check, Rule("range", "value_min", lambda v, r: (
        f"value_min {q(v)} is greater than value_max {q(r.get('value_max'))}", None), needs_row=True))
