"""Group keys (`x-group-key`): a fact's key names a row of the same table whose key is itself."""
from __future__ import annotations

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, q

CODES = ('group-key',)  # the rule codes this module's checks report


def group_key(col: str, pk: str) -> CheckSpec:
    """A group key names a row of the same table whose own key is itself (the group's representative)."""

    def check(df: Cols):
        if not df.has(col, pk):
            return df.true()
        g = df[col]
        at = pc.index_in(g, value_set=df[pk])  # the first row whose key is the group key
        return pc.or_(pc.fill_null(pc.equal(pc.take(g, at), g), False), pc.is_null(g))

    def say(v, row):
        return (f"{col} {q(v)} is not the id of a row of this table whose {col} is itself",
                f"a group key is the id of one row of the group (usually its first), and that row's {col} is its own id")

    return CheckSpec(f"rule:{col}-group-key", check, Rule("group-key", col, say))
