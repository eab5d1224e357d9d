"""`cotw diff OLD NEW`: per table, rows added, removed and changed by primary key, as text, JSON and Markdown."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import edit_csv
from test_export import make_package, tiny_rows


@pytest.fixture
def versions(tmp_path) -> tuple[Path, Path]:
    old = make_package(tmp_path / "old")
    rows = tiny_rows()
    rows["contributions"] = [r for r in rows["contributions"] if r["contribution_id"] != "ct-0002"]
    rows["claims"].append(dict(rows["claims"][0], claim_id="cl-0003", contradicts="", value="=about 10`ish"))
    new = make_package(tmp_path / "new", rows)
    edit_csv(new / "data" / "countries.csv", 5, "troop_stance", "open")  # POL (rows sorted: EU, FRA, GBR, POL)
    return old, new


def test_rows_added_removed_and_changed_by_key(versions):
    from cotw.diff import diff_packages

    d = diff_packages(*versions)
    by = {t.name: t for t in d.tables}
    assert [r["claim_id"] for r in by["claims"].added] == ["cl-0003"]
    assert [r["contribution_id"] for r in by["contributions"].removed] == ["ct-0002"]
    assert [(c.key, c.cells) for c in by["countries"].changed] == [("POL", {"troop_stance": ("ruled_out", "open")})]
    assert by["statements"].empty and not d.empty
    assert [t.name for t in d.tables] == ["sources", "countries", "people", "statements", "conditions", "contributions", "events", "claims"]


def test_identical_packages_have_no_changes(versions, cli):
    old, _ = versions
    result = cli("diff", old, old)
    assert result.exit_code == 0 and "no changes" in result.stdout
    assert cli("diff", old, old, "--exit-code").exit_code == 0


def test_text_output(versions, cli):
    result = cli("diff", *versions)
    assert result.exit_code == 0
    assert "countries: +0 added, -0 removed, ~1 changed" in result.stdout
    assert "~ POL: troop_stance 'ruled_out' → 'open'" in result.stdout
    assert "- ct-0002" in result.stdout and "+ cl-0003" in result.stdout
    assert cli("diff", *versions, "--exit-code").exit_code == 1


def test_json_output_is_the_library_result(versions, cli):
    from cotw.diff import diff_packages

    result = cli("diff", *versions, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(diff_packages(*versions).to_dict()))
    assert data["summary"]["claims"] == {"added": 1, "removed": 0, "changed": 0}
    countries = next(t for t in data["tables"] if t["table"] == "countries")
    assert countries["changed"] == [{"key": "POL", "cells": {"troop_stance": {"old": "ruled_out", "new": "open"}}}]


def test_markdown_suits_release_notes(versions, cli):
    md = cli("diff", *versions, "--format", "markdown").stdout
    assert md.startswith("### Data changes\n")
    assert "| `countries` | 0 | 0 | 1 |" in md
    assert "- `POL`: troop_stance: `ruled_out` → `open`" in md
    assert "- Removed: `ct-0002`" in md and "- Added: `cl-0003`" in md
    assert "`statements`" not in md  # unchanged tables are left out


def test_a_new_table_a_missing_file_and_a_new_column(versions):
    from cotw.diff import diff_packages

    old, new = versions
    desc = json.loads((old / "datapackage.json").read_text())
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "events"]
    (old / "datapackage.json").write_text(json.dumps(desc))
    (new / "data" / "people.csv").unlink()
    schema = json.loads((new / "schema" / "sources.json").read_text())
    schema["fields"].append({"name": "checked", "type": "string"})
    (new / "schema" / "sources.json").write_text(json.dumps(schema))
    text = (new / "data" / "sources.csv").read_text().splitlines()
    (new / "data" / "sources.csv").write_text("\n".join([text[0] + ",checked"] + [t + ",yes" for t in text[1:]]) + "\n")
    by = {t.name: t for t in diff_packages(old, new).tables}
    assert by["events"].status == "added" and len(by["events"].added) == 3
    assert [r["person_id"] for r in by["people"].removed] == ["emmanuel-macron"]
    assert by["sources"].columns_added == ["checked"] and by["sources"].changed == []


def test_usage_errors(tmp_path, cli, versions):
    assert cli("diff", tmp_path / "nowhere", versions[1]).exit_code == 2
    assert cli("diff").exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("diff", empty, versions[1])
    assert result.exit_code == 1 and "datapackage.json" in result.stderr and "Traceback" not in result.output
