"""The cross-table rules give the same answer on every kind of cell, whatever form the table is in.

The rules run as set operations in arrow. These tests pin their meaning where such a rewrite could drift:
missing cells, duplicate keys, values no table knows, and tables in both forms a rule receives (text
as read from CSV, arrow-backed; and plain object columns, e.g. a user's own frame validated with
`cotw.schema`). Each expected mask is what the per-row definition in the rule's docstring gives.
"""
from __future__ import annotations

import pandas as pd
import pytest

from cotw.check import rules
from cotw.check.blocks import Cols
from cotw.package import Package

N = None  # a missing cell


@pytest.fixture(params=["str", object], ids=["arrow-text", "object"])
def frame(request):
    def make(**cols):
        return pd.DataFrame({c: pd.Series(v, dtype=request.param) for c, v in cols.items()})
    return make


def passed(spec, df) -> list[bool]:
    """The rule's answer per row, on the frame as pandera hands it over (each column as arrow text)."""
    out = spec.fn(Cols.of_frame(df))
    assert len(out) == len(df) and out.null_count == 0
    return out.to_pylist()


def test_a_group_key_names_the_first_row_with_that_key_whose_own_key_is_itself(frame):
    df = frame(statement_id=["st-1", "st-1", "st-2", "st-3", "st-4"],
               utterance_id=["st-1", "st-2", "st-1", N, "st-9"])
    # st-2 names st-1, whose (first) row is its own group; st-1's second row names st-2, which names st-1
    assert passed(rules.group_key("utterance_id", "statement_id"), df) == [True, False, True, True, False]


def test_contradicts_needs_its_reverse_as_a_contradicts_row(root, frame):
    links = frame(from_id=["st-1", "st-2", "st-3", "st-4", "st-5"],
                  relation=["contradicts", "part_of", "contradicts", "contradicts", "contradicts"],
                  to_id=["st-2", "st-1", "st-4", "st-3", N])
    symmetric = rules.links_rules(Package.open(root), {})[1]
    assert passed(symmetric, links) == [False, True, True, True, False]


def test_link_ends_exist_in_the_table_their_prefix_names(root, frame):
    statements = frame(statement_id=["st-0001", "st-0002"])
    links = frame(from_id=["st-0001", "st-0001", "zz-0001", N, "po-0001"],
                  relation=["part_of", "part_of", "part_of", "part_of", "rests_on"],
                  to_id=["st-0002", "st-0009", "st-0002", "st-0002", "st-0001"])
    ends, _, typed = rules.links_rules(Package.open(root), {"statements": Cols.of_frame(statements)})
    # an id no table's ids look like (zz-) names nothing; a table that was not read (positions) is not
    # judged; a missing cell is the schema's
    assert passed(ends, links) == [True, False, False, True, True]
    message, _ = ends.rule.describe("st-0001", links.iloc[1].to_dict())
    assert message == "link st-0001 part_of st-0009: st-0009 is not a row of statements"
    # part_of joins two statements: a missing end is no statement
    assert passed(typed, links) == [True, True, False, False, True]


def test_a_link_to_itself_and_a_contradiction_across_tables_are_refused(root, frame):
    links = frame(from_id=["st-1", "st-1", "po-1", N], relation=["part_of", "contradicts", "contradicts", "foo"],
                  to_id=["st-1", "po-1", "po-2", N])
    typed = rules.links_rules(Package.open(root), {})[2]
    # two missing ends are not one row (the schema reports them missing): as read from CSV and in an
    # object column alike (before the rules ran in arrow, None == None refused the object form's row)
    assert passed(typed, links) == [False, False, True, True]


def test_a_named_speaker_speaks_for_a_country_of_one_of_their_offices(frame):
    roles = frame(person_id=["p1", "p1", "p1", "p2", N], country=["FRA", "DEU", N, N, "ITA"])
    rows = frame(speaker_id=["p1", "p1", "p2", "p3", "p1", N],
                 country=["FRA", "ITA", "ITA", "ITA", N, "ITA"],
                 basis=["official_statement", "reported", "official_statement", "official_statement", "official_statement", "official_statement"])
    # p2 and p3 hold no office with a country: not judged; a missing country or speaker is not judged
    assert passed(rules.speaks_for_an_office(Cols.of_frame(roles)), rows) == [True, False, True, True, True, True]
    official = rules.speaks_for_an_office(Cols.of_frame(roles), "official_statement")
    assert passed(official, rows) == [True, True, True, True, True, True]
    assert passed(official, rows.assign(basis="official_statement")) == [True, False, True, True, True, True]
    message, hint = official.rule.describe("ITA", rows.iloc[1].to_dict())
    assert message == "in an official statement, country 'ITA' is not the country of any office of speaker 'p1' in roles.csv (DEU, FRA)"
    assert hint == "use one of DEU, FRA, or add the office that explains the words to roles.csv"


def test_no_date_starts_after_its_source_can_have_been_published(frame):
    sources = frame(source_id=["s1", "s2", "s3"], published=["2025-03", "2025-05-10", "2025-13"])
    rows = frame(source_id=["s1", "s2", "s1", "s1", "s9", "s3", "s1"],
                 said=["2025-04", "2025-04", "2025-03-31", "../2025-06-01", "2030", "2030", "31.12.2025"])
    valid, after = rules.edtf_rules("said", Cols.of_frame(sources), "statements")
    # an open start is never late; an unknown source, a source without a date and an invalid date are not judged here
    assert passed(after, rows) == [False, True, True, True, True, True, True]
    assert passed(valid, rows) == [True, True, True, True, True, True, False]


def test_a_value_belongs_to_its_issue(frame):
    df = frame(issue=["own_troops", "own_troops", "other", "own_troops", N, "deployment"],
               value=["committed", "supports", "anything", N, "x", "supports"])
    assert passed(rules.value_for_issue(), df) == [True, False, True, True, True, True]


def test_a_country_exists_only_when_another_row_names_it(root, frame):
    pkg = Package.open(root)
    names = {n for n in pkg.names() for k in pkg.schema(n).get("foreignKeys", []) if k.get("reference", {}).get("resource") == "countries"}
    context = {n: frame(country=["FRA", N]) if n == "statements" else frame(country=[N]) for n in names}
    for n in context:  # every naming column a table has, filled only in statements
        for k in pkg.schema(n).get("foreignKeys", []):
            if k.get("reference", {}).get("resource") == "countries":
                field = k["fields"][0] if isinstance(k["fields"], list) else k["fields"]
                context[n][field] = context[n]["country"]
    countries = frame(code=["FRA", "DEU", N])
    assert passed(rules.referenced(pkg, "countries", "code", {n: Cols.of_frame(f) for n, f in context.items()}), countries) == [True, False, True]
    del context[sorted(names)[0]]  # a naming table that could not be read: nothing is judged
    assert passed(rules.referenced(pkg, "countries", "code", {n: Cols.of_frame(f) for n, f in context.items()}), countries) == [True, True, True]


def test_a_section_of_another_source_says_whose_it_is(frame):
    sections = frame(section_id=["sec-a", "sec-b"], source_id=["s1", N])
    same, _ = rules.section_rules({"sections": Cols.of_frame(sections)})
    rows = frame(section_id=["sec-a", "sec-a", "sec-b", "sec-x", N], source_id=["s1", "s2", "s1", "s1", "s2"])
    assert passed(same, rows) == [True, False, False, False, True]
    say = same.rule.describe
    assert say("sec-a", {"source_id": "s2"})[0] == "section 'sec-a' belongs to source 's1', not to 's2'"
    assert say("sec-b", {"source_id": "s1"})[0] == "section 'sec-b' has no source_id in sections.csv, so it is no section of source 's1'"
    assert say("sec-x", {"source_id": "s1"})[0] == "section 'sec-x' is not in sections.csv, so it is no section of source 's1'"


def test_value_min_above_value_max_is_judged_as_numbers(frame):
    df = frame(value_min=["2", "10", "x", N, "inf", " 3"], value_max=["10", "2", "1", "1", "1e400", "2.5"])
    assert passed(rules.min_not_above_max(), df) == [True, False, True, True, True, False]
