"""Contributions: own troops for the coalition force are a position, not a contribution."""
from __future__ import annotations

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule

CODES = ('own-troops',)  # the rule codes this module's checks report


def own_troops_are_positions() -> CheckSpec:
    def check(df: Cols):
        if not df.has("kind", "scope"):
            return df.true()
        return pc.invert(pc.fill_null(pc.and_(pc.equal(df["kind"], "troops"), pc.equal(df["scope"], "coalition")), False))

    return CheckSpec("rule:own-troops-are-positions", check, Rule("own-troops", "kind", lambda v, r: (
        "own troops for the coalition force are a position (positions, issue own_troops), not a contribution",
        "move the row to positions.csv with issue own_troops"), needs_row=True))
