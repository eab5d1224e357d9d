"""Evidence and its source come together (the `x-verbatim-in` annotation of an optional evidence field)."""
from __future__ import annotations

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule
from ._shared import _missing

CODES = ('evidence-pair',)  # the rule codes this module's checks report


def pair_rule(evidence_col: str, source_col: str) -> CheckSpec:
    """Evidence and its source come together: one without the other cannot be verified."""

    def both_or_neither(df: Cols):
        if not df.has(evidence_col, source_col):
            return df.true()
        return pc.equal(df[evidence_col].is_null(), df[source_col].is_null())

    def say(v, row):
        if row is not None and _missing(row.get(evidence_col)):
            return f"{source_col} is set but {evidence_col} is empty", f"quote the words of the source that support the row, or empty {source_col}"
        return f"{evidence_col} is set but {source_col} is empty", "name the source the words come from"

    return CheckSpec(f"rule:{evidence_col}-needs-{source_col}", both_or_neither, Rule("evidence-pair", evidence_col, say, needs_row=True))
