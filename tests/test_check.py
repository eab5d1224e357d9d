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
    edit_csv(pkg / "data/conditions.csv", 3, "stance", "require")
    expected = ("data/conditions.csv:3: stance 'require' is not one of: requires, prefers, reason_against, not_required "
                "(did you mean 'requires'?) [enum]")
    assert expected in problems(pkg)


EDTF_HINT = "write an EDTF date: 2025-04-10, 2025-04, 2025-05-08/2025-05-10, ../2025-04-10, XXXX-04-10"


@pytest.mark.parametrize("bad, why", [
    ("2025-13-45", "'2025-13-45' has month 13; months are 01 to 12"),
    ("2025-02-29", "'2025-02-29': February 2025 has no day 29"),
    ("10/04/2025", "'10/04/2025' has more than one '/'"),
    ("2025-4-10", "'2025-4-10' is not an EDTF date (YYYY, YYYY-MM or YYYY-MM-DD, X for a digit not given)"),
    ("2025-05-10/2025-05-08", "'2025-05-10/2025-05-08' ends before it starts"),
])
def test_impossible_or_reformatted_date(pkg, bad, why):
    line = next(n for n, r in enumerate(rows(pkg / "data/events.csv"), start=2) if r["date"])
    edit_csv(pkg / "data/events.csv", line, "date", bad)
    hint = "EDTF writes the year first: '2025-04-10' if the day comes first" if bad == "10/04/2025" else EDTF_HINT
    assert f"data/events.csv:{line}: date {why} ({hint}) [edtf]" in problems(pkg)


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
    line, row = line_where(pkg / "data/positions.csv", country="POL")
    edit_csv(pkg / "data/positions.csv", line, "evidence", row["evidence"] + " Warsaw will send a brigade.")
    found = [p for p in problems(pkg) if "[verbatim]" in p]
    assert len(found) == 1 and found[0].startswith(f"data/positions.csv:{line}: ")
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
    line, _ = line_where(pkg / "data/statements.csv", source_id="myind-defence-ministers-meet")
    edit_csv(pkg / "data/statements.csv", line, "said", "2025-04-11")
    expected = (f"data/statements.csv:{line}: said '2025-04-11' starts after its source 'myind-defence-ministers-meet' can have been "
                "published (at the latest 2025-04-10) (check the date; a source cannot report what happened after it was published) "
                "[date-after-source]")
    assert expected in problems(pkg)


@pytest.mark.parametrize("said, after", [("2025-04-30", False), ("2025-04-20/2025-05-03", False), ("2025-05", True), ("2025-05-01/..", True)])
def test_a_date_is_after_its_source_only_when_it_starts_after_the_latest_publication_day(pkg, said, after):
    """A source published in 'April 2025' can report April 30; what starts in May it cannot (0.1 compared dates at their precision)."""
    line, _ = line_where(pkg / "data/sources.csv", source_id="myind-defence-ministers-meet")
    edit_csv(pkg / "data/sources.csv", line, "published", "2025-04")
    line, _ = line_where(pkg / "data/statements.csv", source_id="myind-defence-ministers-meet")
    edit_csv(pkg / "data/statements.csv", line, "said", said)
    found = [p for p in cotw.validate(pkg).problems if p.rule == "date-after-source"]
    assert [(p.file, p.line, p.value) for p in found] == ([("data/statements.csv", line, said)] if after else [])
    assert not after or "(at the latest 2025-04-30)" in found[0].message


def test_a_named_speaker_speaks_for_the_country_of_one_of_their_offices(pkg):
    line, _ = line_where(pkg / "data/statements.csv", speaker_id="john-healey")
    edit_csv(pkg / "data/statements.csv", line, "country", "FRA")
    expected = (f"data/statements.csv:{line}: country 'FRA' is not the country of any office of speaker 'john-healey' in roles.csv (GBR) "
                "(did you mean 'GBR'? Or add the office that explains the words to roles.csv) [speaker-country]")
    assert expected in problems(pkg)


def test_a_speaker_with_several_offices_may_speak_for_any_of_them(pkg):
    held = sorted({r["country"] for r in rows(pkg / "data/roles.csv") if r["person_id"] == "kaja-kallas" and r["country"]})
    assert len(held) > 1
    for country in held:
        line, _ = line_where(pkg / "data/statements.csv", speaker_id="kaja-kallas")
        edit_csv(pkg / "data/statements.csv", line, "country", country)
        assert cotw.validate(pkg).ok, country
    edit_csv(pkg / "data/statements.csv", line, "country", "GBR")
    [found] = [p.text() for p in cotw.validate(pkg).problems if p.rule == "speaker-country"]
    assert found.endswith(f"({', '.join(held)}) (use one of {', '.join(held)}, or add the office that explains the words to roles.csv) "
                          "[speaker-country]")


@pytest.mark.parametrize("table", ["positions", "conditions"])
def test_an_official_statement_speaks_for_an_office_of_its_speaker(pkg, table):
    """In an actor's own words the named speaker speaks for the actor; a reported position may name someone else."""
    path = pkg / f"data/{table}.csv"
    line = next(n for n, r in enumerate(rows(path), start=2) if r["speaker_id"] == "keir-starmer" and r["basis"] == "official_statement")
    edit_csv(path, line, "country", "FRA")
    expected = (f"data/{table}.csv:{line}: in an official statement, country 'FRA' is not the country of any office of speaker "
                "'keir-starmer' in roles.csv (GBR) (did you mean 'GBR'? Or add the office that explains the words to roles.csv) [speaker-country]")
    assert expected in problems(pkg)
    edit_csv(path, line, "basis", "reported_position")
    assert not [p for p in cotw.validate(pkg).problems if p.rule == "speaker-country"]


def test_every_problem_is_reported_at_once(pkg):
    edit_csv(pkg / "data/statements.csv", 2, "country", "UKK")
    edit_csv(pkg / "data/positions.csv", 3, "value", "maybe")
    edit_csv(pkg / "data/claims.csv", 2, "value_min", "many")
    found = problems(pkg)
    assert {p.split(": ")[0] for p in found} >= {"data/statements.csv:2", "data/positions.csv:3", "data/claims.csv:2"}


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
    assert result.stdout.startswith(f"valid: {len(cotw.names())} tables, ")


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


def test_a_missing_column_of_a_composite_primary_key_is_a_structure_error_not_an_internal_one(pkg):
    path = pkg / "data/links.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("from_id,", "from,", 1), encoding="utf-8")
    found = problems(pkg)
    assert "data/links.csv:1: column 'from_id' is missing (add the column (empty cells are fine where the field is optional)) [missing-column]" in found
    assert not [p for p in found if "[internal-error]" in p], found


def test_a_row_cannot_be_linked_to_itself(pkg):
    """0.1 refused a same_as or contradicts naming its own row; in 0.2 every relation lives in links."""
    line, row = line_where(pkg / "data/links.csv", relation="part_of")
    edit_csv(pkg / "data/links.csv", line, "to_id", row["from_id"])
    expected = f"data/links.csv:{line}: link {row['from_id']} part_of {row['from_id']} links a row to itself [link]"
    assert expected in problems(pkg)


def test_a_check_that_raises_is_an_internal_error_located_in_its_table_never_a_traceback(root, monkeypatch):
    """A check that raises (a bug in cotw) fails its table and is said as an internal error, with what was
    raised: of a column, named by its column; of whole rows, by its table. The other checks still speak."""
    import cotw
    from cotw.check import derive
    from cotw.check.blocks import CheckSpec

    made = derive.checks

    def boom(*args):
        raise ValueError("boom")

    def broken(pkg, name, *args, **kwargs):
        out = made(pkg, name, *args, **kwargs)
        if name == "positions":
            out.columns["issue"] = [CheckSpec(s.key, boom, s.rule) if s.key == "enum:issue" else s for s in out.columns["issue"]]
            out.frame = [CheckSpec(s.key, boom, s.rule) if s.key == "rule:value-for-issue" else s for s in out.frame]
        return out

    monkeypatch.setattr(derive, "checks", broken)
    report = cotw.validate(root)
    said = [(p.rule, p.file, p.line, p.column, p.message) for p in report.problems]
    assert said == [
        ("internal-error", "data/positions.csv", None, "positions", "the check 'rule:value-for-issue' could not run (ValueError(\"boom\")); please report this"),
        ("internal-error", "data/positions.csv", None, "issue", "the check 'enum:issue' could not run (ValueError(\"boom\")); please report this"),
    ], said
