"""Authored sections: a row's section belongs to its source, and a sectioned source's rows name theirs."""
from __future__ import annotations

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, isin, q
from ._shared import _lookup

CODES = ('section',)  # the rule codes this module's checks report


def section_rules(context: dict[str, Cols]) -> list[CheckSpec]:
    """A row's section belongs to the row's source; a row from a source that has sections names its section."""
    sections = context.get("sections")
    owner = {}
    if sections is not None and sections.has("section_id", "source_id"):
        owner = dict(zip(sections["section_id"].to_pylist(), sections["source_id"].to_pylist()))
    sectioned = set(owner.values())

    def same_source(df: Cols):
        if not owner or not df.has("section_id", "source_id"):
            return df.true()
        known = {k: v for k, v in owner.items() if k is not None}  # as a lookup, a missing key finds nothing
        want = _lookup(known, df["section_id"])  # null for a section no row has: that row fails, as its source is not the section's
        return pc.or_(pc.fill_null(pc.equal(want, df["source_id"]), False), df["section_id"].is_null())

    def named(df: Cols):
        if not sectioned or not df.has("section_id", "source_id"):
            return df.true()
        source = df["source_id"]
        of_sectioned = isin(source, sectioned - {None})
        if None in sectioned:  # a section without a source (itself invalid): a row without one matches it
            of_sectioned = pc.or_(of_sectioned, source.is_null())
        return pc.invert(pc.and_(of_sectioned, df["section_id"].is_null()))

    def say_other(v, row):
        mine = row.get("source_id") if row is not None else None
        if v not in owner:
            return f"section {q(v)} is not in sections.csv, so it is no section of source {q(mine)}", None
        if owner[v] is None:
            return f"section {q(v)} has no source_id in sections.csv, so it is no section of source {q(mine)}", None
        return f"section {q(v)} belongs to source {q(owner[v])}, not to {q(mine)}", None

    return [CheckSpec("rule:section-of-source", same_source, Rule("section", "section_id", say_other, needs_row=True)),
            CheckSpec("rule:section-required", named, Rule("section", "section_id", lambda v, r: (
                f"source {q(r.get('source_id'))} has authored sections, but section_id is empty",
                "name the section the evidence comes from (sections.csv): its authors made any assessment"), needs_row=True))]
