"""The two validators agree: the derived pandera schemas and frictionless see the same columns and
flag the same rows for each class of bad input."""
from __future__ import annotations

import csv

import pytest

import cotw
from conftest import edit_csv


@pytest.mark.parametrize("name", cotw.names())
def test_same_columns(name, root):
    import frictionless

    resource = frictionless.Package(str(root / "datapackage.json")).get_resource(name)
    assert list(cotw.schema(name).columns) == resource.schema.field_names


def _first(pkg, table, column):
    with open(pkg / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))[column]


# class of bad input: (table, line, column, value or callable(pkg) -> value, pandera rules, frictionless error types)
CASES = {
    "enum": ("countries", 3, "kind", "country", {"enum"}, {"constraint-error"}),
    "pattern": ("statements", 2, "statement_id", "ST-1", {"pattern"}, {"constraint-error"}),
    "required": ("statements", 3, "quote", "", {"required"}, {"constraint-error"}),
    "primary-key": ("conditions", 3, "condition_id", lambda pkg: _first(pkg, "conditions", "condition_id"), {"primary-key"}, {"primary-key", "unique-error"}),
    "foreign-key": ("contributions", 2, "country", "XKX", {"foreign-key"}, {"foreign-key"}),
    "date": ("events", None, "date", "2025-02-30", {"date"}, {"type-error"}),
    "boolean": ("countries", None, "nato_member", "yes", {"boolean"}, {"type-error"}),
    "number": ("claims", 2, "value_min", "twelve", {"number"}, {"type-error"}),
    "max-length": ("countries", 2, "summary", "x" * 401, {"maxLength"}, {"constraint-error"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_rows_flagged(pkg, case):
    table, line, column, value, ours, theirs = CASES[case]
    path = pkg / "data" / f"{table}.csv"
    if line is None:  # a row where the cell is filled and its precision/peers keep other rules quiet
        with open(path, encoding="utf-8", newline="") as fh:
            line = next(n for n, r in enumerate(csv.DictReader(fh), start=2) if r[column])
    edit_csv(path, line, column, value(pkg) if callable(value) else value)
    report = cotw.validate(pkg, with_frictionless=True)
    mine = {(p.file, p.line) for p in report.problems if p.layer == "schema" and p.rule in ours}
    other = {(p.file, p.line) for p in report.problems if p.layer == "frictionless" and p.rule in theirs}
    assert mine == other == {(f"data/{table}.csv", line)}, report.render_text()
