"""The 0.2 data package passes every check (including the 0.2 rules: EDTF dates, group keys, links,
sections), its codebook is the one its descriptor generates, and each 0.2 rule catches what it is for."""
from __future__ import annotations

import pytest

import cotw
from cotw.codebook import render
from cotw.package import Package


def test_the_02_package_is_valid(root):
    report = cotw.validate(root)
    assert report.ok, "\n".join(p.text() for p in report.sorted_problems()[:20])
    assert len(report.rows) == 12 and sum(report.rows.values()) > 600


def test_its_codebook_is_current(root):
    assert (root / "CODEBOOK.md").read_text(encoding="utf-8") == render(Package.open(root))


def rows(path):
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def line_where(path, **match) -> int:
    """The CSV line (header = 1) of the first row whose cells equal `match`."""
    return next(i for i, r in enumerate(rows(path), start=2) if all(r[k] == v for k, v in match.items()))


@pytest.fixture
def nxt(pkg):
    return pkg


@pytest.mark.parametrize("table,where,column,value,rule", [
    ("positions", {}, "date", "2025-02-30", "edtf"),
    ("positions", {}, "fact_id", "po-9999", "group-key"),
    ("positions", {"issue": "own_troops"}, "value", "leads", "issue-value"),
    ("contributions", {}, "scope", "coalition", None),  # with kind troops below: own troops are positions
    ("conditions", {"source_id": "gmf-coalition-of-the-willing"}, "section_id", "", "section"),
    ("sections", {}, "authors", "nobody-named-so", "foreign-key"),
    ("links", {"relation": "contradicts"}, "to_id", "po-9999", "link"),
    ("statements", {"source_id": "myind-defence-ministers-meet"}, "said", "2025-04-11", "date-after-source"),
])
def test_the_02_rules_catch_what_they_are_for(nxt, table, where, column, value, rule):
    from conftest import edit_csv

    path = nxt / "data" / f"{table}.csv"
    line = line_where(path, **where)
    edit_csv(path, line, column, value)
    if rule is None:
        edit_csv(path, line, "kind", "troops")
        rule = "own-troops"
    found = {(p.rule, p.line) for p in cotw.validate(nxt).problems if p.file == f"data/{table}.csv"}
    assert (rule, line) in found, found


def test_contradicts_must_be_stored_both_ways(nxt):
    path = nxt / "data" / "links.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = line_where(path, relation="contradicts")
    del text[line - 1]
    path.write_text("".join(text), encoding="utf-8")
    assert "link" in {p.rule for p in cotw.validate(nxt).problems}


def test_a_country_no_row_names_is_refused(nxt):
    path = nxt / "data" / "countries.csv"
    path.write_text(path.read_text(encoding="utf-8") + "NOR,Norway,state,NO,false,\n", encoding="utf-8")
    assert ("unreferenced", "code") in {(p.rule, p.column) for p in cotw.validate(nxt).problems}
