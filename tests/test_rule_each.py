"""Every cross-column rule, table by table, has a case of its own: a copy of the package with one row
broken so that only that rule can see it, and the rule's code reported at that row.

Dropping a rule (as a deliberate bug did with statements' speaker_kind rule, and no test noticed) fails
its case here. The cases name rule codes and messages as `cotw check` reports them, never the module
that holds the rule, so they hold whichever way the checks are arranged in code.
"""
from __future__ import annotations

import csv
import json

import pytest

import cotw
from conftest import ROOT, edit_csv
from cotw.package import Package


def schema_not_required(pkg, table: str, field: str) -> None:
    path = pkg / "schema" / f"{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        if f["name"] == field:
            f.setdefault("constraints", {})["required"] = False
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False), encoding="utf-8")


def append(pkg, table: str, line: str) -> None:
    with open(pkg / "data" / f"{table}.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\n")


# (id, how to break the package, where the problem is reported, its rule code, words of its message)
CASES = [
    # statements
    ("statements speaker_kind: a named speaker who is not a person",
     lambda p: edit_csv(p / "data/statements.csv", 2, "speaker_kind", "unnamed"),
     "data/statements.csv:2", "speaker-kind", "speaker_id 'kaja-kallas' is set but speaker_kind is 'unnamed'"),
    ("statements speaker_kind: a person without a speaker_id",
     lambda p: edit_csv(p / "data/statements.csv", 2, "speaker_id", ""),
     "data/statements.csv:2", "speaker-kind", "speaker_kind is 'person' but speaker_id is empty"),
    ("statements: the speaker's country is none of their offices'",
     lambda p: edit_csv(p / "data/statements.csv", 2, "country", "GBR"),
     "data/statements.csv:2", "speaker-country", "country 'GBR' is not the country of any office of speaker 'kaja-kallas'"),
    ("statements said: an invalid EDTF date",
     lambda p: edit_csv(p / "data/statements.csv", 11, "said", "2025-02-30"),
     "data/statements.csv:11", "edtf", "2025-02-30"),
    ("statements said: after the source's publication",
     lambda p: edit_csv(p / "data/statements.csv", 11, "said", "2025-04-11"),
     "data/statements.csv:11", "date-after-source", "said '2025-04-11' starts after its source"),
    ("statements utterance_id: a group key naming no row of the group",
     lambda p: edit_csv(p / "data/statements.csv", 2, "utterance_id", "st-9998"),
     "data/statements.csv:2", "group-key", "utterance_id 'st-9998' is not the id of a row of this table whose utterance_id is itself"),
    # positions
    ("positions: a value of another issue",
     lambda p: edit_csv(p / "data/positions.csv", 2, "value", "willing"),
     "data/positions.csv:2", "issue-value", "value 'willing' is not a value of issue 'participation'"),
    ("positions: an official statement by a speaker of another country",
     lambda p: (edit_csv(p / "data/positions.csv", 2, "basis", "official_statement"),
                edit_csv(p / "data/positions.csv", 2, "speaker_id", "kaja-kallas")),
     "data/positions.csv:2", "speaker-country", "in an official statement, country 'GBR' is not the country of any office of speaker 'kaja-kallas'"),
    ("positions date: after the source's publication",
     lambda p: edit_csv(p / "data/positions.csv", 19, "date", "2025-04-11"),
     "data/positions.csv:19", "date-after-source", "date '2025-04-11' starts after its source"),
    ("positions fact_id: a group key naming no row of the group",
     lambda p: edit_csv(p / "data/positions.csv", 2, "fact_id", "po-9998"),
     "data/positions.csv:2", "group-key", "fact_id 'po-9998' is not the id of a row of this table whose fact_id is itself"),
    ("positions section_id: a section of another source",
     lambda p: edit_csv(p / "data/positions.csv", 2, "section_id", "gmf-canada"),
     "data/positions.csv:2", "section", "section 'gmf-canada' belongs to source 'gmf-coalition-of-the-willing', not to 'tomorrows-affairs-cooling-down'"),
    ("positions evidence: a source without evidence, where evidence is optional",
     lambda p: (schema_not_required(p, "positions", "evidence"), edit_csv(p / "data/positions.csv", 2, "evidence", "")),
     "data/positions.csv:2", "evidence-pair", "source_id is set but evidence is empty"),
    # conditions
    ("conditions: an official statement by a speaker of another country",
     lambda p: edit_csv(p / "data/conditions.csv", 3, "country", "FRA"),
     "data/conditions.csv:3", "speaker-country", "in an official statement, country 'FRA' is not the country of any office of speaker 'friedrich-merz'"),
    ("conditions section_id: empty for a source with authored sections",
     lambda p: edit_csv(p / "data/conditions.csv", 2, "section_id", ""),
     "data/conditions.csv:2", "section", "source 'gmf-coalition-of-the-willing' has authored sections, but section_id is empty"),
    ("conditions date: after the source's publication",
     lambda p: edit_csv(p / "data/conditions.csv", 7, "date", "2025-04-11"),
     "data/conditions.csv:7", "date-after-source", "date '2025-04-11' starts after its source"),
    # contributions
    ("contributions: own troops for the coalition are a position, not a contribution",
     lambda p: (edit_csv(p / "data/contributions.csv", 2, "kind", "troops"), edit_csv(p / "data/contributions.csv", 2, "scope", "coalition")),
     "data/contributions.csv:2", "own-troops", ""),
    ("contributions date: after the source's publication",
     lambda p: edit_csv(p / "data/contributions.csv", 38, "date", "2025-04-11"),
     "data/contributions.csv:38", "date-after-source", "date '2025-04-11' starts after its source"),
    ("contributions fact_id: a group key naming no row of the group",
     lambda p: edit_csv(p / "data/contributions.csv", 2, "fact_id", "ct-9998"),
     "data/contributions.csv:2", "group-key", "fact_id 'ct-9998' is not the id of a row of this table whose fact_id is itself"),
    # claims
    ("claims: value_min above value_max",
     lambda p: edit_csv(p / "data/claims.csv", 2, "value_min", "7"),
     "data/claims.csv:2", "range", "value_min '7' is greater than value_max '6'"),
    ("claims date: after the source's publication",
     lambda p: edit_csv(p / "data/claims.csv", 7, "date", "2025-04-11"),
     "data/claims.csv:7", "date-after-source", "date '2025-04-11' starts after its source"),
    # events
    ("events date: after the source's publication",
     lambda p: edit_csv(p / "data/events.csv", 17, "date", "2025-04-11"),
     "data/events.csv:17", "date-after-source", "date '2025-04-11' starts after its source"),
    ("events fact_id: a group key naming no row of the group",
     lambda p: edit_csv(p / "data/events.csv", 2, "fact_id", "ev-9998"),
     "data/events.csv:2", "group-key", "fact_id 'ev-9998' is not the id of a row of this table whose fact_id is itself"),
    # sources
    ("sources published: an invalid EDTF date",
     lambda p: edit_csv(p / "data/sources.csv", 5, "published", "2025-02-30"),
     "data/sources.csv:5", "edtf", "2025-02-30"),
    # countries
    ("countries: a state's iso_alpha2 that is not its code's",
     lambda p: edit_csv(p / "data/countries.csv", 2, "iso_alpha2", "AT"),
     "data/countries.csv:2", "country-code", "iso_alpha2 'AT' of AUS is not its ISO 3166-1 alpha-2 code"),
    ("countries: an organisation whose code is not EU or NATO",
     lambda p: edit_csv(p / "data/countries.csv", 2, "kind", "organisation"),
     "data/countries.csv:2", "country-code", "code 'AUS' is not an organisation code (EU or NATO)"),
    ("countries: a row named by no other table",
     lambda p: append(p, "countries", "NZL,New Zealand,state,NZ,false,"),
     "data/countries.csv", "unreferenced", "code 'NZL' is named by no row of any other table"),
    # sections
    ("sections authors: a name that is no person",
     lambda p: edit_csv(p / "data/sections.csv", 2, "authors", "kristine-berzina;nobody-at-all"),
     "data/sections.csv:2", "foreign-key", "authors names 'nobody-at-all', which is not a person_id in people"),
    # links
    ("links: an end that is no row",
     lambda p: edit_csv(p / "data/links.csv", 2, "to_id", "st-9999"),
     "data/links.csv:2", "link", "link cd-0006 rests_on st-9999: st-9999 is not a row of"),
    ("links: part_of joins statements only",
     lambda p: edit_csv(p / "data/links.csv", 2, "relation", "part_of"),
     "data/links.csv:2", "link", "link cd-0006 part_of st-0013: part_of joins a statement to a statement"),
    ("links: a row linked to itself",
     lambda p: edit_csv(p / "data/links.csv", 2, "to_id", "cd-0006"),
     "data/links.csv:2", "link", "link cd-0006 rests_on cd-0006 links a row to itself"),
    ("links: the same link twice",
     lambda p: append(p, "links", "cd-0006,rests_on,st-0013,the same link again"),
     "data/links.csv", "primary-key", "the primary key (from_id, relation, to_id) is a duplicate"),
    ("links: contradicts stored one way only",
     lambda p: append(p, "links", "cl-0001,contradicts,cl-0002,one way only"),
     "data/links.csv", "link", "cl-0001 contradicts cl-0002, but cl-0002 contradicts cl-0001 is missing"),
]


def _rows(table: str) -> list[dict]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _generic_cases() -> list[tuple]:
    """The rules every table of a kind gets from its schema, one case per table: an invalid EDTF date in each
    x-edtf column, a group key naming no row in each x-group-key column, and, where rows name a section, a
    section of another source and a missing section for a source that has sections."""
    out = []
    pkg = Package.open(ROOT)
    sectioned = {r["source_id"] for r in _rows("sections")}
    owner = {r["section_id"]: r["source_id"] for r in _rows("sections")}
    for table in pkg.names():
        fields = pkg.schema(table)["fields"]
        names = [f["name"] for f in fields]
        rows = _rows(table)
        file = f"data/{table}.csv"
        for f in fields:
            col = f["name"]
            if f.get("x-edtf"):
                out.append((f"{table} {col}: an invalid EDTF date",
                            lambda p, file=file, col=col: edit_csv(p / file, 2, col, "2025-02-30"),
                            f"{file}:2", "edtf", f"{col} '2025-02-30'"))
            if f.get("x-group-key"):
                other = rows[0][names[0]].split("-")[0] + "-9998"
                out.append((f"{table} {col}: a group key naming no row of the group",
                            lambda p, file=file, col=col, other=other: edit_csv(p / file, 2, col, other),
                            f"{file}:2", "group-key", f"{col} '{other}' is not the id of a row of this table whose {col} is itself"))
        if "section_id" in names and table != "sections":
            line, row = next((i, r) for i, r in enumerate(rows, start=2) if r["source_id"] not in sectioned)
            section = next(iter(owner))
            out.append((f"{table} section_id: a section of another source",
                        lambda p, file=file, line=line, section=section: edit_csv(p / file, line, "section_id", section),
                        f"{file}:{line}", "section", f"section '{section}' belongs to source '{owner[section]}', not to '{row['source_id']}'"))
            line, row = next((i, r) for i, r in enumerate(rows, start=2) if r["source_id"] in sectioned and r["section_id"])
            out.append((f"{table} section_id: empty for a source with authored sections",
                        lambda p, file=file, line=line: edit_csv(p / file, line, "section_id", ""),
                        f"{file}:{line}", "section", f"source '{row['source_id']}' has authored sections, but section_id is empty"))
    return out


# The issue-20 rules of the four tables of observations (and events, links), each broken on a real row.
OBSERVED = {"positions": ("position_id", "value"), "conditions": ("condition_id", "stance"),
            "contributions": ("contribution_id", "commitment"), "claims": ("claim_id", "basis"), "events": ("event_id", "kind")}


def _line_with(table: str, test) -> tuple[int, dict]:
    return next((i, r) for i, r in enumerate(_rows(table), start=2) if test(r))


def _other_value(table: str, col: str, value: str) -> str:
    field = next(f for f in Package.open(ROOT).schema(table)["fields"] if f["name"] == col)
    return next(v for v in field["constraints"]["enum"] if v != value)


def _issue20_cases() -> list:
    out = []
    for table, (pk, coded) in OBSERVED.items():
        file = f"data/{table}.csv"
        rows = _rows(table)
        # note-coded: a note that names another value of the row's vocabulary as what the row is coded
        line, row = _line_with(table, lambda r: r["fact_id"] == r[pk])
        other = _other_value(table, coded, row[coded])
        out.append((f"{table} notes: 'Coded {other}' on a row coded {row[coded]!r}",
                    lambda p, file=file, line=line, other=other: edit_csv(p / file, line, "notes", f"Coded {other}."),
                    f"{file}:{line}", "note-coded", f"the note says the row is coded '{other}'"))
        # fact-values: a row moved into the fact of a row with another coded value
        head = next(r for r in rows if r["fact_id"] == r[pk])
        line, row = _line_with(table, lambda r, head=head: r[pk] != head[pk] and r[coded] != head[coded] and r["fact_id"] == r[pk]
                               and not any(x["fact_id"] == r[pk] and x[pk] != r[pk] for x in rows))
        out.append((f"{table} fact_id: a report of another value in the fact",
                    lambda p, file=file, line=line, fid=head[pk]: edit_csv(p / file, line, "fact_id", fid),
                    f"{file}:{line}", "fact-values", f"fact_id '{head[pk]}'"))
        if table == "events":
            continue
        # focus: words that are not in the row's evidence
        line, row = _line_with(table, lambda r: r["evidence"])
        out.append((f"{table} focus: words that are not in the evidence",
                    lambda p, file=file, line=line: edit_csv(p / file, line, "focus", "words found in no evidence"),
                    f"{file}:{line}", "focus", "focus 'words found in no evidence'"))
        # same-words: a row citing another row's words of the same source with another basis
        a_line, a = _line_with(table, lambda r: r["evidence"] and not r["focus"])
        b_line, b = _line_with(table, lambda r, a=a: r[pk] != a[pk] and r["source_id"] == a["source_id"] and r["evidence"] != a["evidence"])
        basis = _other_value(table, "basis", a["basis"])

        def cite_the_same(p, file=file, a=a, b_line=b_line, basis=basis):
            for col in ("evidence", "focus", "date", "event_id"):
                edit_csv(p / file, b_line, col, a[col])
            edit_csv(p / file, b_line, "basis", basis)

        out.append((f"{table} basis: the same words of one source under another basis", cite_the_same,
                    f"{file}:{b_line}", "same-words", f"its basis is {a['basis']!r} and this row's {basis!r}"))
    # contradicts: a link between reports whose dates are apart is a change over time
    early = next(r for r in _rows("positions") if (r["country"], r["issue"], r["date"]) == ("TUR", "own_troops", "2025-02"))
    late = next(r for r in _rows("positions") if r["country"] == early["country"] and r["issue"] == early["issue"]
                and r["date"].startswith("2025-03-20"))
    line = len(_rows("links")) + 2
    out.append(("links contradicts: two reports whose dates cannot overlap",
                lambda p, a=early["position_id"], b=late["position_id"]: (append(p, "links", f"{a},contradicts,{b},x"),
                                                                           append(p, "links", f"{b},contradicts,{a},x")),
                f"data/links.csv:{line}", "contradicts", "have dates that do not overlap: a change over time, not a contradiction"))
    return out


ALL = CASES + _generic_cases() + _issue20_cases()


def test_every_rule_of_every_table_has_a_case():
    """Each table's row rules (its checks of whole rows, by rule code) have a case here: a rule added to a
    table without one fails this test."""
    from cotw.check import derive
    from cotw.io.reader import require_table

    pkg = Package.open(ROOT)
    context = derive.context_of({n: require_table(pkg, n) for n in pkg.names()})
    rules = {(name, spec.rule.rule) for name in pkg.names() for spec in derive.checks(pkg, name, None, context).frame}
    covered = {(c[2].split("/")[1].split(".")[0], c[3]) for c in ALL}
    assert rules <= covered, sorted(rules - covered)


@pytest.mark.parametrize("break_it, where, code, words", [c[1:] for c in ALL], ids=[c[0] for c in ALL])
def test_each_rule_reports_its_own_violation(pkg, break_it, where, code, words):
    break_it(pkg)
    problems = cotw.validate(pkg).problems
    mine = [p.text() for p in problems if p.rule == code and p.text().startswith(where) and words in p.text()]
    assert mine, f"no [{code}] problem at {where} saying {words!r}; got:\n" + "\n".join(p.text() for p in problems)
