"""Rows of one fact agree on every coded value (the data model's principle 2): a report that differs in
actor, issue, condition, kind, value, stance, applies_to, scope, commitment (or, for claims, question,
numeric bounds and unit, not the one-line subject or the value as printed; for events, kind) is another fact, joined by a `contradicts` link if the two
disagree. Each row is compared with its group's representative (the row whose key is the fact_id)."""
from __future__ import annotations

from ..blocks import CheckSpec, Cols, Rule, q
from ...report import shorten
from ._shared import CODED, cells, mask

CODES = ("fact-values",)  # the rule codes this module's checks report


def fact_agrees(table: str, pk: str, group: str = "fact_id") -> CheckSpec:
    coded = CODED.get(table, ())
    differs: dict[object, tuple[str, object, object]] = {}  # row id -> (column, its value, the representative's)

    def check(df: Cols):
        cols = [c for c in coded if c in df]
        if not cols or not df.has(pk, group):
            return df.true()
        ids, groups = cells(df, pk), cells(df, group)
        values = list(zip(*(cells(df, c) for c in cols)))
        rep: dict[object, int] = {}
        for i, (rid, g) in enumerate(zip(ids, groups)):
            if g is not None and rid == g and g not in rep:
                rep[g] = i
        good = [True] * df.num_rows
        for i, g in enumerate(groups):
            r = rep.get(g)
            if r is None or r == i or values[r] == values[i]:
                continue  # a group key that names no row of its own is the group-key rule's to say
            good[i] = False
            c = next(k for k, (a, b) in enumerate(zip(values[i], values[r])) if a != b)
            differs[ids[i]] = (cols[c], values[i][c], values[r][c])
        return mask(good)

    def say(v, row):
        col, mine, theirs = differs.get(row.get(pk) if row is not None else None, ("a coded value", None, None))
        return (f"{group} {q(v)} groups reports of one fact, but this row's {col} {q(mine)} differs from {shorten(v)}'s {q(theirs)}",
                f"rows of one fact agree on every coded value ({', '.join(coded)}); a report that differs is another fact "
                "(its own fact_id), linked by contradicts where the two disagree at the same time")

    return CheckSpec(f"rule:{group}-values-agree", check, Rule("fact-values", group, say, needs_row=True))
