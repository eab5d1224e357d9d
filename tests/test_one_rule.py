"""Every command acts on the package by one rule (issue 18): the PATH given, else the nearest folder
upwards that holds a datapackage.json, else the installed data; the first line on stderr names it.

The curation commands (`next-id`, `locate`, `source add`) once defaulted to the installed data and
took the package as `-p/--package`; a user editing a clone after a normal install got an id the clone
already used, and a locate that did not search the source just added. `installed` stands for the copy
in site-packages (default_root() is pointed at a pristine copy), `pkg` for the user's clone.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

DECLARED = f"version {json.loads((ROOT / 'datapackage.json').read_text(encoding='utf-8'))['version']}"
TEXT = "Ministers meet in Oslo\n\nThe ministers agreed that the harbour of Bergen will host the staff.\n"
META = ["--title", "Ministers meet in Oslo", "--kind", "news", "--language", "en", "--published", "2025-06-02",
        "--published-basis", "The dateline prints 'June 2, 2025'."]


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def highest_statement(pkg: Path) -> int:
    with open(pkg / "data/statements.csv", encoding="utf-8", newline="") as fh:
        return max(int(r["statement_id"].split("-")[1]) for r in csv.DictReader(fh))


def add_statement_row(pkg: Path) -> int:
    """The clone gains a statement with the next id (as a curator adds one); returns that id's number."""
    path = pkg / "data/statements.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    n = highest_statement(pkg) + 1
    copy = list(rows[1])
    copy[rows[0].index("statement_id")] = f"st-{n:04d}"
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(copy)
    return n


def test_next_id_in_an_edited_clone_answers_the_clones_next_id_and_names_it(pkg, installed, cli, monkeypatch):
    n = add_statement_row(pkg)
    monkeypatch.chdir(pkg / "data")
    result = cli("next-id", "statements")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"st-{n + 1:04d}\n"  # the installed data's answer would be st-{n}, already used
    assert result.stderr.splitlines()[0] == f"cotw next-id: {pkg} ({DECLARED}; found from the current directory)"


def test_next_id_takes_the_package_as_path_like_every_command(pkg, installed, outside, cli, monkeypatch):
    n = add_statement_row(pkg)
    monkeypatch.chdir(outside)
    result = cli("next-id", "statements", pkg)
    assert result.exit_code == 0 and result.stdout == f"st-{n + 1:04d}\n"
    assert result.stderr.splitlines()[0] == f"cotw next-id: {pkg} ({DECLARED})"
    quiet = cli("next-id", "statements", pkg, "-q")
    assert quiet.stdout == f"st-{n + 1:04d}\n" and quiet.stderr == ""


def test_outside_any_package_next_id_reads_the_installed_data_and_says_so(installed, outside, cli, monkeypatch):
    monkeypatch.chdir(outside)
    result = cli("next-id", "statements")
    assert result.exit_code == 0 and result.stdout == f"st-{highest_statement(installed) + 1:04d}\n"
    assert result.stderr.splitlines()[0].startswith(f"cotw next-id: {installed} ({DECLARED}; the installed data")


def test_locate_searches_the_source_just_added_to_the_clone(pkg, installed, article, cli, monkeypatch):
    monkeypatch.chdir(pkg)
    added = cli("source", "add", article, *META)
    assert added.exit_code == 0, added.output
    assert added.stderr.splitlines()[0] == f"cotw source add: {pkg} ({DECLARED}; found from the current directory)"
    assert not any(installed.glob("seeds/005_*"))  # the installed data is untouched
    result = cli("locate", "the harbor of Bergen will host the staff", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matches"][0]["source_id"] == "ministers-meet-in-oslo"
    assert result.stderr.splitlines()[0] == f"cotw locate: {pkg} ({DECLARED}; found from the current directory)"


def test_locate_takes_the_package_as_its_last_argument(pkg, installed, article, outside, cli, monkeypatch):
    assert cli("source", "add", article, pkg, *META).exit_code == 0
    monkeypatch.chdir(outside)
    for args in (["the harbor of Bergen will host the staff", pkg],
                 ["ministers-meet-in-oslo", "the harbor of Bergen will host the staff", pkg]):
        result = cli("locate", *args, "-f", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["matches"][0]["source_id"] == "ministers-meet-in-oslo"
        assert result.stderr.splitlines()[0] == f"cotw locate: {pkg} ({DECLARED})"
    # words that are no package on disk stay words
    assert cli("locate", "ministers-meet-in-oslo", "harbor of Bergen").exit_code == 2  # the installed data lacks it


def test_source_add_outside_any_package_refuses_as_fmt_does(installed, outside, article, cli, monkeypatch):
    monkeypatch.chdir(outside)
    before = (installed / "data/sources.csv").read_bytes()
    result = cli("source", "add", article, *META)
    assert result.exit_code == 2
    assert "cotw source add never rewrites the installed data; cd into your package, or give its PATH" in result.stderr
    assert (installed / "data/sources.csv").read_bytes() == before


@pytest.mark.parametrize("command", [["next-id", "statements"], ["locate", "the harbor of Bergen will host the staff"]])
def test_the_old_package_option_still_works_with_a_deprecation_warning(pkg, installed, article, outside, cli, monkeypatch, command):
    assert cli("source", "add", article, "-p", pkg, *META).exit_code == 0
    monkeypatch.chdir(outside)
    result = cli(*command, "-p", pkg)
    assert result.exit_code == 0, result.output
    assert f"is deprecated; give the package as PATH" in result.stderr
    assert f"{pkg} ({DECLARED})" in result.stderr
    both = cli(*command, pkg, "--package", pkg)
    assert both.exit_code == 2


def test_check_refuses_a_descriptor_it_would_not_read_instead_of_checking_its_neighbour(pkg, cli):
    # country.package.json beside another package's datapackage.json: checking the neighbour would be a lie
    other = pkg / "country.package.json"
    other.write_text('{"name": "country", "resources": [{"name": "x", "path": "missing.csv"}]}', encoding="utf-8")
    result = cli("check", other)
    assert result.exit_code == 2
    assert "country.package.json" in result.stderr and "datapackage.json" in result.stderr
    assert "valid" not in result.stdout
    import cotw
    from cotw.package import PackageError

    with pytest.raises(PackageError, match="country.package.json"):
        cotw.load("statements", other)
