"""Focus: the words of `evidence` a row codes (`x-within`), so that rows sharing one sentence are told apart.

- `focus-within`: a focus occurs verbatim in the row's evidence (the field its `x-within` names).
- `focus-distinct`: rows of one table that share source, evidence and fixed values (positions: country
  and issue; conditions, contributions: country; claims: question) each carry a focus of their own,
  non-empty and unlike the others': else a coder cannot tell which row codes which words.
"""
from __future__ import annotations

from ..blocks import CheckSpec, Cols, Rule, q
from ...report import names_list, shorten
from ._shared import FIXED, cells, mask

CODES = ("focus",)  # the rule codes this module's checks report


def focus_within(col: str, within: str) -> CheckSpec:
    """A `col` cell occurs verbatim (same characters, case and spacing) in the row's `within` cell."""

    def check(df: Cols):
        if not df.has(col, within):
            return df.true()
        return mask(f is None or (isinstance(e, str) and f in e) for f, e in zip(cells(df, col), cells(df, within)))

    def say(v, row):
        return (f"{col} {q(v)} does not occur in the row's {within}",
                f"copy the words from {within} exactly (same case, spacing and punctuation), or leave {col} empty when the whole {within} is this row's")

    return CheckSpec(f"rule:{col}-within-{within}", check, Rule("focus", col, say, needs_row=True))


def shared_evidence(df: Cols) -> list[int]:
    """The rows whose `evidence` (present) another row of the table has too, in order (an arrow count of each
    value: at 10,000 positions most evidence is a row's own, and grouping every row in Python took ~17 ms)."""
    import pyarrow.compute as pc

    evidence = df["evidence"]
    counts = pc.value_counts(evidence)
    shared = counts.field("values").filter(pc.greater(counts.field("counts"), 1)).drop_null()
    if len(shared) == 0:
        return []
    return pc.indices_nonzero(pc.is_in(evidence, value_set=shared)).to_pylist()


def focus_distinct(table: str, pk: str) -> CheckSpec:
    """Rows sharing source_id, evidence and the table's fixed values each have a distinct non-empty focus."""
    fixed = FIXED.get(table, ())
    others: dict[object, list] = {}  # row id -> the ids of the rows it cannot be told from (for the message)

    def check(df: Cols):
        if not df.has(pk, "source_id", "evidence", "focus", *fixed):
            return df.true()
        rows = shared_evidence(df)  # a row whose evidence no other row has is alone in its group: it passes
        if not rows:
            return df.true()
        ids, focus = cells(df, pk, rows), cells(df, "focus", rows)
        keys = list(zip(cells(df, "source_id", rows), cells(df, "evidence", rows), *(cells(df, c, rows) for c in fixed)))
        groups: dict[tuple, list[int]] = {}
        for i, k in enumerate(keys):
            groups.setdefault(k, []).append(i)
        good = [True] * df.num_rows
        for at in groups.values():
            if len(at) < 2:
                continue
            seen: dict[object, list[int]] = {}
            for i in at:
                seen.setdefault(focus[i], []).append(i)
            for f, same in seen.items():
                if f is None or len(same) > 1:
                    for i in same:
                        good[rows[i]] = False
                        others[ids[i]] = [ids[j] for j in (at if f is None else same) if j != i]
        return mask(good)

    def say(v, row):
        rid = row.get(pk) if row is not None else None
        what = ", ".join(f"{c} {q(row.get(c))}" for c in fixed) if row is not None else ""
        mates = others.get(rid, [])
        if v is None:
            msg = f"{names_list([shorten(m) for m in mates])} {'shares' if len(mates) == 1 else 'share'} this row's source, evidence and {what}, and focus is empty"
        else:
            msg = f"focus {q(v)} is also the focus of {names_list([shorten(m) for m in mates])}, which {'shares' if len(mates) == 1 else 'share'} this row's source, evidence and {what}"
        return msg, "give each row the words of the evidence it codes (focus), so no two rows sharing one evidence are alike"

    return CheckSpec("rule:focus-distinct", check, Rule("focus", "focus", say, needs_row=True))
