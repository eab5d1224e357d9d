"""The derived per-country summary (`cotw.summary()`, see cotw.derived) as an extra download in every format.

The summary is computed by code from `positions` on every export, never curated and never
hand-edited, so it is kept apart from the curated tables wherever a user meets it:

    csv/derived/summary.csv             canonical CSV, and beside it
    csv/derived/summary.schema.json     its Table Schema (what each column means, how it is derived)
    parquet/derived/summary.parquet     typed, with the same descriptions as metadata
    json/derived/summary.json, .jsonl
    sqlite: table `derived_summary`     described in metadata.json; Excel: sheet `derived_summary`

It is not a resource of the zipped data package (`datapackage.json`): every resource there is a
curated table that `cotw check` verifies row by row against the archived texts, and `cotw.load`
and `cotw diff` read them as such; the summary has no evidence of its own and would only restate
`positions`. Whoever has the package gets the same frame from `cotw.summary(path)`.

A package without the columns the summary reads (no `positions` table of the 0.2 shape) gets no
summary; nothing else changes.
"""
from __future__ import annotations

import json

from .frames import Table, columns
from .paths import table_file

NAME = "summary"
FOLDER = "derived"
TABLE = "derived_summary"  # its name in the SQLite database and the Excel workbook, beside the curated tables
DESCRIPTION = ("Derived by code, not curated: per country and issue, the headline (the strongest value the current "
               "observations all allow, or every value where they disagree), the latest position, every value observed, whether "
               "it changed over time and whether the sources disagree, computed from the table positions by "
               "cotw.summary() on every export (never hand-edited). See cotw.derived for the rules.")
# what cotw.derived.summarise reads from positions (as cotw.load gives it)
NEEDS = ("position_id", "fact_id", "country", "issue", "value", "basis", "source_id", "date", "date_earliest", "date_latest")


def files(fmt: str) -> list[str]:
    """The files of the summary in one format's folder (none for sqlite and excel: they hold it inside)."""
    stem = f"{fmt}/{FOLDER}/{NAME}"
    return {"csv": [stem + ".csv", stem + ".schema.json"], "parquet": [stem + ".parquet"],
            "json": [stem + ".json", stem + ".jsonl"]}.get(fmt, [])


def schema() -> dict:
    from ..derived import SCHEMA

    return {"$schema": "https://datapackage.org/profiles/2.0/tableschema.json", "description": DESCRIPTION,
            **json.loads(json.dumps(SCHEMA))}


def frame(tables: dict):
    """cotw.summary() of the package whose prepared tables are `tables`, or None when it has no positions to summarise."""
    from ..derived import summarise

    positions, sources, events = tables.get("positions"), tables.get("sources"), tables.get("events")
    if positions is None or not set(NEEDS) <= set(positions.frame.columns):
        return None
    return summarise(positions.frame, sources.frame if sources is not None else None, events.frame if events is not None else None)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def table(tables: dict) -> Table | None:
    """The summary as a table every format writer can take, rows in the order of cotw.summary(); or None (see frame)."""
    from ..io.csvtext import quote_cell

    data = frame(tables)
    if data is None:
        return None
    t = Table(NAME, {"name": NAME, "description": DESCRIPTION}, schema(), data.reset_index(drop=True), b"")
    t.columns = columns(t.frame, t.fields)
    lines = [[f["name"] for f in t.fields]] + [[_cell(v) for v in row] for row in t.records()]
    t.csv = "".join(",".join(quote_cell(c) for c in line) + "\n" for line in lines).encode("utf-8")  # canonical quoting
    return t


def schema_file() -> str:
    return table_file(f"csv/{FOLDER}", NAME, ".schema.json")


def schema_bytes() -> bytes:
    return (json.dumps(schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
