"""Positions: a value belongs to its issue's vocabulary."""
from __future__ import annotations

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, isin, q
from ...report import shorten

CODES = ('issue-value',)  # the rule codes this module's checks report


ISSUE_VALUES = {"own_troops": {"committed", "willing", "undecided", "ruled_out"},
                "participation": {"leads", "joined", "prospective", "declined"},
                "deployment": {"supports", "reservations", "opposes"}}


def value_for_issue() -> CheckSpec:
    def check(df: Cols):
        if not df.has("issue", "value"):
            return df.true()
        issue, value = df["issue"], df["value"]
        ok = pc.or_(pc.is_null(value), pc.invert(isin(issue, ISSUE_VALUES)))
        for name, allowed in ISSUE_VALUES.items():
            of_issue = pc.fill_null(pc.equal(issue, name), False)
            ok = pc.or_(ok, pc.and_(of_issue, isin(value, sorted(allowed))))
        return ok

    def say(v, row):
        issue = row.get("issue") if row is not None else None
        return f"value {q(v)} is not a value of issue {q(issue)}", f"the values of {shorten(issue)} are: {', '.join(sorted(ISSUE_VALUES.get(issue, ())))}"

    return CheckSpec("rule:value-for-issue", check, Rule("issue-value", "value", say, needs_row=True))
