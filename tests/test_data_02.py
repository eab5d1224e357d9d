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


def _reader_names(path) -> list[str]:
    """The names an independent reader listed under '## 1. Named people' (the first spelling of each row)."""
    import re

    text = path.read_text(encoding="utf-8")
    part = text.split("## 1. ", 1)[1].split("\n## 2. ", 1)[0]
    names = []
    for line in part.splitlines():
        if re.match(r"\|\s*P\d+\s*\|", line):
            cell = line.split("|")[2]
            first = re.sub(r"\(.*?\)", "", cell).split(";")[0].strip().strip("«»").strip()
            names.append(first)
    return names


def test_every_person_an_independent_reader_found_in_the_texts_has_a_row(root):
    """docs/curation/reader-0.2 holds what a reader who had not seen the tables listed in each text; every
    person named there is in people, by the normalised name, a printed spelling, or (for a surname printed
    alone, like '000: Trump') the surname of exactly one person."""
    people = cotw.load("people", root)
    names = set(people.name)
    printed = {s.strip() for v in people.printed_as.dropna() for s in str(v).split(";")}
    surnames: dict[str, int] = {}
    for n in people.name:
        surnames[n.split()[-1]] = surnames.get(n.split()[-1], 0) + 1
    lists = sorted((root / "docs" / "curation" / "reader-0.2").glob("0*.md"))
    assert len(lists) == 5
    found = [(p.name, n) for p in lists for n in _reader_names(p)]
    assert len(found) >= 60  # 8 + 8 + 11 + 4 + 31 rows in the five lists
    missing = [(f, n) for f, n in found if n not in names and n not in printed and surnames.get(n) != 1]
    assert missing == []
