"""`cotw check`: every class of bad input gets its exact, located message; the CLI is a thin shell."""
from __future__ import annotations

import csv
import json
import subprocess

import pytest

import cotw
from conftest import edit_csv


def rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def line_where(path, **match) -> tuple[int, dict]:
    """The CSV line (header = 1) and row of the first row matching all given cells."""
    for n, row in enumerate(rows(path), start=2):
        if all(row[k] == v for k, v in match.items()):
            return n, row
    raise AssertionError(f"no row in {path} with {match}")


def problems(pkg, **kw):
    report = cotw.validate(pkg, **kw)
    assert not report.ok
    return [p.text() for p in report.sorted_problems()]


def test_shipped_data_is_valid():
    report = cotw.validate()
    assert report.ok, report.render_text()
    assert set(report.rows) == set(cotw.names())


def test_shipped_data_is_valid_for_frictionless_too():
    report = cotw.validate(with_frictionless=True)
    assert report.ok, report.render_text()


def test_dangling_foreign_key_names_the_table_and_suggests(pkg):
    edit_csv(pkg / "data/statements.csv", 2, "country", "UKK")
    assert "data/statements.csv:2: country 'UKK' is not a code in data/countries.csv (did you mean 'UKR'?) [foreign-key]" in problems(pkg)


def test_value_outside_vocabulary(pkg):
    edit_csv(pkg / "data/countries.csv", 3, "troop_stance", "ruled out")
    expected = ("data/countries.csv:3: troop_stance 'ruled out' is not one of: leading, pledged, open, undecided, undisclosed, "
                "ruled_out, opposed, unclear, not_applicable (did you mean 'ruled_out'?) [enum]")
    assert expected in problems(pkg)


@pytest.mark.parametrize("bad, hint", [
    ("2025-13-45", "write dates as YYYY-MM-DD"),
    ("10/04/2025", "write dates as YYYY-MM-DD, e.g. '2025-04-10' if the day comes first"),
    ("2025-4-10", "write dates as YYYY-MM-DD"),
])
def test_impossible_or_reformatted_date(pkg, bad, hint):
    line, _ = line_where(pkg / "data/events.csv", date_precision="day")
    edit_csv(pkg / "data/events.csv", line, "date", bad)
    assert f"data/events.csv:{line}: date '{bad}' is not a valid date (YYYY-MM-DD) ({hint}) [date]" in problems(pkg)


def test_duplicate_primary_key(pkg):
    first = rows(pkg / "data/statements.csv")[0]["statement_id"]
    edit_csv(pkg / "data/statements.csv", 3, "statement_id", first)
    assert f"data/statements.csv:3: statement_id '{first}' is a duplicate: the primary key must be unique [primary-key]" in problems(pkg)


def test_empty_required_cell(pkg):
    edit_csv(pkg / "data/statements.csv", 4, "speaker_label", "")
    assert "data/statements.csv:4: speaker_label is required but the cell is empty [required]" in problems(pkg)


def test_whitespace_around_a_key(pkg):
    edit_csv(pkg / "data/conditions.csv", 2, "country", " " + rows(pkg / "data/conditions.csv")[0]["country"])
    found = problems(pkg)
    assert any(p.startswith("data/conditions.csv:2: country ' ") and "remove the whitespace" in p for p in found), found


def test_evidence_not_in_its_source(pkg):
    line, row = line_where(pkg / "data/countries.csv", code="POL")
    edit_csv(pkg / "data/countries.csv", line, "evidence", row["evidence"] + " Warsaw will send a brigade.")
    found = [p for p in problems(pkg) if "[verbatim]" in p]
    assert len(found) == 1 and found[0].startswith(f"data/countries.csv:{line}: ")
    assert f"does not occur verbatim in the archived text of source '{row['source_id']}'" in found[0]
    assert f"the first {len(row['evidence']) + 1} characters match; then the cell has 'Warsaw will send a brigad'" in found[0]


def test_archived_source_altered_after_curation(pkg):
    archive = pkg / "seeds/002_9dbf6375c5c84b83.txt"
    archive.write_bytes(archive.read_bytes().replace(b"Thursday", b"Tuesday", 1))
    line, row = line_where(pkg / "data/sources.csv", source_id="myind-defence-ministers-meet")
    found = [p for p in problems(pkg) if "[archive-changed]" in p]
    assert len(found) == 1
    assert found[0].startswith(f"data/sources.csv:{line}: seeds/002_9dbf6375c5c84b83.txt has sha256 ")
    assert f"but sources.csv records {row['sha256'][:12]}…: the archived text changed after curation" in found[0]


def test_statement_dated_after_its_source(pkg):
    line, row = line_where(pkg / "data/statements.csv", source_id="myind-defence-ministers-meet")
    edit_csv(pkg / "data/statements.csv", line, "said", "2025-04-11")
    edit_csv(pkg / "data/statements.csv", line, "said_precision", "day")
    expected = (f"data/statements.csv:{line}: said '2025-04-11' is after the publication date of its source "
                "'myind-defence-ministers-meet' (at the latest 2025-04-10) (check the date or its precision) [date-after-source]")
    assert expected in problems(pkg)


def test_speaker_country_must_match_people(pkg):
    line, row = line_where(pkg / "data/statements.csv", speaker_id="john-healey")
    edit_csv(pkg / "data/statements.csv", line, "country", "FRA")
    expected = (f"data/statements.csv:{line}: country 'FRA' differs from the country of speaker 'john-healey' in people.csv ('GBR') "
                "(did you mean 'GBR'?) [speaker-country]")
    assert expected in problems(pkg)


def test_month_precision_date_must_be_first_of_month(pkg):
    line, row = line_where(pkg / "data/sources.csv", published_precision="month")
    edit_csv(pkg / "data/sources.csv", line, "published", "2025-05-17")
    expected = (f"data/sources.csv:{line}: published '2025-05-17' has published_precision 'month', "
                "so it must be the first day of the month [date-precision]")
    assert expected in problems(pkg)


def test_every_problem_is_reported_at_once(pkg):
    edit_csv(pkg / "data/statements.csv", 2, "country", "UKK")
    edit_csv(pkg / "data/countries.csv", 3, "troop_stance", "maybe")
    edit_csv(pkg / "data/claims.csv", 2, "value_min", "many")
    found = problems(pkg)
    assert {p.split(": ")[0] for p in found} >= {"data/statements.csv:2", "data/countries.csv:3", "data/claims.csv:2"}


# --- the CLI --------------------------------------------------------------------------------

def test_cli_exit_codes_and_formats(pkg, cli):
    assert cli("check", pkg).exit_code == 0
    line = next(n for n, r in enumerate(rows(pkg / "data/statements.csv"), start=2) if r["country"] and not r["speaker_id"])
    edit_csv(pkg / "data/statements.csv", line, "country", "UKK")
    text = cli("check", pkg)
    assert text.exit_code == 1
    assert text.stdout.splitlines() == [
        f"data/statements.csv:{line}: country 'UKK' is not a code in data/countries.csv (did you mean 'UKR'?) [foreign-key]",
        f"invalid: 1 problem in {pkg} (descriptor, schema, provenance)",
    ]
    as_json = cli("check", pkg, "--format", "json")
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and report["valid"] is False
    assert report["problems"] == [{
        "layer": "schema", "rule": "foreign-key", "message": "country 'UKK' is not a code in data/countries.csv",
        "file": "data/statements.csv", "line": line, "column": "country", "value": "UKK", "hint": "did you mean 'UKR'?"}]
    github = cli("check", pkg, "--format", "github")
    assert github.exit_code == 1
    assert github.stdout.splitlines()[0] == (f"::error file=data/statements.csv,line={line},title=cotw schema%3A foreign-key::"
                                             "country 'UKK' is not a code in data/countries.csv (did you mean 'UKR'?)")


def test_cli_json_equals_library_report(pkg, cli):
    edit_csv(pkg / "data/countries.csv", 2, "kind", "country")
    assert json.loads(cli("check", pkg, "--format", "json").stdout) == cotw.validate(pkg).to_dict()


def test_cli_accepts_the_descriptor_path(pkg, cli):
    assert cli("check", pkg / "datapackage.json").exit_code == 0


def test_usage_errors_exit_2(cli, tmp_path):
    missing = cli("check", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert cli("check", "--format", "yaml").exit_code == 2


def test_broken_descriptor_is_an_answer_not_a_traceback(pkg, cli):
    (pkg / "datapackage.json").write_text("{ not json", encoding="utf-8")
    result = cli("check", pkg)
    assert result.exit_code == 1
    assert result.stdout.startswith("datapackage.json:1: datapackage.json is not valid JSON: ")
    assert "Traceback" not in result.output


def test_every_command_has_help(cli):
    from cotw.cli import app

    import typer.main

    group = typer.main.get_command(app)
    for name in group.commands:
        result = cli(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, name


def test_installed_command_runs_from_another_directory(tmp_path):
    """Smoke test in a real subprocess: the console script, run outside the repository."""
    result = subprocess.run(["cotw", "check"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("valid: 8 tables, ")


def test_check_opens_no_network_connection(pkg, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("cotw check tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert cotw.validate(pkg, with_frictionless=True).ok


def test_descriptor_structure_errors_are_located(pkg):
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][1].pop("path")
    descriptor["licenses"] = "CC-BY-4.0"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    found = problems(pkg)
    assert "datapackage.json: at licenses: 'CC-BY-4.0' is not of type 'array' [profile]" in found
    assert "datapackage.json: at resources/1: needs exactly one of 'path' or 'data' [profile]" in found
