"""Issue 18, what a newcomer meets first: one error for a table that cannot be loaded, the cause of a
changed archive reported first, one message per bad date, and documentation that says what is true."""
from __future__ import annotations

import csv
import json
import re

import pytest

import cotw
from conftest import ROOT, edit_csv


# ---------------------------------------------------------------- cotw.load: one located LoadError


def test_an_invalid_edtf_date_is_a_located_load_error_not_an_empty_bound(pkg):
    edit_csv(pkg / "data/statements.csv", 4, "said", "2025-13-45")  # line 4: the third data row
    with pytest.raises(cotw.LoadError) as err:
        cotw.load("statements", pkg)
    exc = err.value
    assert isinstance(exc, cotw.PackageError)
    assert (exc.file, exc.row, exc.column, exc.value) == ("data/statements.csv", 3, "said", "2025-13-45")
    assert str(exc).startswith("data/statements.csv: column 'said' cannot be read as an EDTF date: '2025-13-45'")
    assert "(first at row 3); run `cotw check`" in str(exc)


def test_a_value_outside_a_vocabulary_is_the_same_located_load_error(pkg):
    edit_csv(pkg / "data/statements.csv", 5, "speaker_kind", "persn")
    with pytest.raises(cotw.LoadError) as err:
        cotw.load("statements", pkg)
    exc = err.value
    assert isinstance(exc, cotw.PackageError) and isinstance(exc, ValueError)
    assert (exc.file, exc.row, exc.column, exc.value) == ("data/statements.csv", 4, "speaker_kind", "persn")
    assert "(first at row 4: 'persn')" in str(exc)


def test_load_error_is_exported_once():
    from cotw.io import loader

    assert cotw.LoadError is loader.LoadError and issubclass(cotw.LoadError, cotw.PackageError)
    assert "LoadError" in cotw.__all__


# ---------------------------------------------------------------- what the README says of the sources


def test_the_readme_says_of_the_sources_dates_what_sources_csv_records():
    with open(ROOT / "data/sources.csv", encoding="utf-8", newline="") as fh:
        sources = list(csv.DictReader(fh))
    news = [s for s in sources if s["kind"] == "news"]
    dated = [s for s in news if s["published"]]
    [report] = [s for s in sources if s["kind"] == "report"]
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"The sources are {words[len(news)]} news reports, only {words[len(dated)]} of which prints its date" in readme
    assert len(dated) == 1 and dated[0]["published"] == "2025-04-10" and "(April 10, 2025; the other three print none" in readme
    assert f"(published `{report['published']}`, on or after that day)" in readme
    assert "news reports from April 2025" not in readme  # three of them print no date at all


# ---------------------------------------------------------------- a changed archive: the cause first


@pytest.fixture
def changed(pkg):
    archive = pkg / "seeds/002_9dbf6375c5c84b83.txt"
    archive.write_text(archive.read_text(encoding="utf-8").replace("on Thursday to refine", "on Tuesday to refine"), encoding="utf-8")
    return pkg


def test_a_changed_archive_is_reported_first_with_what_it_causes_grouped_under_it(changed, cli):
    lines = cli("check", changed).stdout.splitlines()
    assert lines[0].startswith("data/sources.csv:5: seeds/002_9dbf6375c5c84b83.txt has sha256 ") and lines[0].endswith("[archive-changed]")
    caused = lines[1:-1]
    # the quotes citing that source are not looked up in an archive no curator vouched for (SECURITY.md):
    # what the change causes is that they go unchecked, one line per table and column, under the cause
    assert caused and all(l.startswith("  data/") and "whose archive changed: not checked against it" in l
                          and l.endswith("(follows from data/sources.csv:5) [unverified]") for l in caused), lines
    assert {l.split(":")[0].strip() for l in caused} >= {"data/claims.csv", "data/statements.csv"}
    assert lines[-1].startswith("invalid: ")


def test_the_cause_leads_in_json_and_github_output_too(changed, cli):
    problems = json.loads(cli("check", changed, "-f", "json").stdout)["problems"]
    assert problems[0]["rule"] == "archive-changed" and "cause" not in problems[0]
    assert len(problems) > 1 and all(p["rule"] == "unverified" and p["cause"] == "data/sources.csv:5" for p in problems[1:])
    github = cli("check", changed, "-f", "github").stdout.splitlines()
    assert "title=cotw provenance%3A archive-changed::" in github[0]
    assert all("unverified::" in l and l.endswith("(follows from data/sources.csv%3A5)") or l.endswith("(follows from data/sources.csv:5)") for l in github[1:-1])


def test_verbatim_problems_of_an_unchanged_archive_name_no_cause(pkg):
    edit_csv(pkg / "data/claims.csv", 7, "evidence", "words that are in no archive at all")
    [p] = [p for p in cotw.validate(pkg).problems if p.rule == "verbatim"]
    assert p.cause is None and "follows from" not in p.text()


# ---------------------------------------------------------------- one bad date, one problem


@pytest.mark.parametrize("table, line, column, value", [("statements", 11, "said", "10/04/2025"),
                                                        ("positions", 5, "date", "April 2025")])
def test_a_bad_date_is_one_problem_in_words_not_a_second_quoting_the_regex(pkg, table, line, column, value):
    edit_csv(pkg / f"data/{table}.csv", line, column, value)
    report = cotw.validate(pkg)
    mine = [p for p in report.problems if p.file == f"data/{table}.csv" and p.line == line]
    assert [p.rule for p in mine] == ["edtf"], [p.text() for p in mine]
    assert report.count == 1 and "[0-9X]" not in report.render_text()
