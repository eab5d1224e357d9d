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
    rows["claims"].append(dict(rows["claims"][0], claim_id="cl-0003", fact_id="cl-0003", value="=about 10`ish"))
    new = make_package(tmp_path / "new", rows)
    edit_csv(new / "data" / "positions.csv", 5, "value", "willing")  # po-0004, POL's own troops (rows sorted by id)
    return old, new


def test_rows_added_removed_and_changed_by_key(versions):
    from cotw.diff import diff_packages

    d = diff_packages(*versions)
    by = {t.name: t for t in d.tables}
    assert [r["claim_id"] for r in by["claims"].added] == ["cl-0003"]
    assert [r["contribution_id"] for r in by["contributions"].removed] == ["ct-0002"]
    assert [(c.key, c.cells) for c in by["positions"].changed] == [("po-0004", {"value": ("ruled_out", "willing")})]
    assert by["statements"].empty and by["countries"].empty and not d.empty
    assert [t.name for t in d.tables] == ["sources", "sections", "countries", "people", "roles", "statements", "positions",
                                          "conditions", "contributions", "events", "claims", "links"]


def test_identical_packages_have_no_changes(versions, cli):
    old, _ = versions
    result = cli("diff", old, old)
    assert result.exit_code == 0 and "no changes" in result.stdout
    assert cli("diff", old, old, "--exit-code").exit_code == 0


def test_text_output(versions, cli):
    result = cli("diff", *versions)
    assert result.exit_code == 0
    assert "positions: +0 added, -0 removed, ~1 changed" in result.stdout
    assert "~ po-0004: value 'ruled_out' → 'willing'" in result.stdout
    assert "- ct-0002" in result.stdout and "+ cl-0003" in result.stdout
    assert cli("diff", *versions, "--exit-code").exit_code == 1


def test_json_output_is_the_library_result(versions, cli):
    from cotw.diff import diff_packages

    result = cli("diff", *versions, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(diff_packages(*versions).to_dict()))
    assert data["summary"]["claims"] == {"added": 1, "removed": 0, "changed": 0}
    positions = next(t for t in data["tables"] if t["table"] == "positions")
    assert positions["changed"] == [{"key": "po-0004", "cells": {"value": {"old": "ruled_out", "new": "willing"}}}]


def test_markdown_suits_release_notes(versions, cli):
    md = cli("diff", *versions, "--format", "markdown").stdout
    assert md.startswith("### Data changes\n")
    assert "| `positions` | 0 | 0 | 1 |" in md
    assert "- `po-0004`: `value`: `ruled_out` → `willing`" in md
    assert "- Removed: `ct-0002`" in md and "- Added: `cl-0003`" in md
    assert "`statements`" not in md  # unchanged tables are left out


def test_a_new_table_and_a_new_column(versions):
    from cotw.diff import diff_packages

    old, new = versions
    desc = json.loads((old / "datapackage.json").read_text())
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "links"]  # a table no foreign key names
    (old / "datapackage.json").write_text(json.dumps(desc))
    schema = json.loads((new / "schema" / "sources.json").read_text())
    schema["fields"].append({"name": "checked", "type": "string"})
    (new / "schema" / "sources.json").write_text(json.dumps(schema))
    text = (new / "data" / "sources.csv").read_text().splitlines()
    (new / "data" / "sources.csv").write_text("\n".join([text[0] + ",checked"] + [t + ",yes" for t in text[1:]]) + "\n")
    by = {t.name: t for t in diff_packages(old, new).tables}
    assert by["links"].status == "added" and len(by["links"].added) == len(tiny_rows()["links"]) > 0
    assert by["sources"].columns_added == ["checked"] and by["sources"].changed == []


def test_usage_errors(tmp_path, cli, versions):
    assert cli("diff", tmp_path / "nowhere", versions[1]).exit_code == 2
    assert cli("diff").exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("diff", empty, versions[1])
    assert result.exit_code == 2 and "datapackage.json" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------- long cells: the changed words are shown

LONG = ("Our planning is real and substantial, and the coalition's ministers will meet again next week "
        "to decide how the force is organised, where it is based and who leads it on the ground, and it is substantial")


@pytest.fixture
def long_change(versions):
    old, new = versions
    for pkg, quote in ((old, LONG), (new, LONG[: -len("substantial")] + "well advanced")):
        edit_csv(pkg / "data" / "claims.csv", 2, "notes", quote)
    return old, new


def test_a_change_at_the_end_of_a_long_cell_shows_the_changed_words(long_change, cli):
    text = cli("diff", *long_change).stdout
    line = next(l for l in text.splitlines() if l.startswith("  ~ cl-0001"))
    assert line == "  ~ cl-0001: notes …ground, and it is [-substantial-]{+well advanced+}"
    md = cli("diff", *long_change, "--format", "markdown").stdout
    assert "- `cl-0001`: `notes`: `…ground, and it is [-substantial-]{+well advanced+}`" in md


def test_word_diff_keeps_context_around_each_change_and_elides_the_rest():
    from cotw.diff import word_diff

    old = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    new = old.replace("two", "2").replace("fifteen", "15")
    assert word_diff(old, new, context=2) == "one [-two-]{+2+} three four … thirteen fourteen [-fifteen-]{+15+} sixteen"
    assert word_diff("a " * 300 + "end", "a " * 300 + "fin", limit=40).endswith("[-end-]{+fin+}")


# ---------------------------------------------------------------- refusing what cannot be read faithfully


def _refused(cli, old, new, *needles):
    result = cli("diff", old, new)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    for needle in needles:
        assert needle in result.stderr
    return result.stderr


def test_a_missing_table_file_is_refused_not_reported_as_rows_removed(versions, cli):
    old, new = versions
    (new / "data" / "people.csv").unlink()
    _refused(cli, old, new, f"{new / 'data/people.csv'}: file data/people.csv of resource 'people' does not exist [missing-file]")


def test_rows_the_reader_would_skip_are_refused(versions, cli):
    old, new = versions
    path = new / "data" / "contributions.csv"
    path.write_text(path.read_text() + "ct-0009,GBR,troops\n")  # a short row
    _refused(cli, old, new, f"{path}:", "[short-row]")


def test_what_changes_no_cell_is_still_compared(versions, cli):
    old, new = versions
    path = new / "data" / "people.csv"
    header, *rest = path.read_text().split("\n")
    cols = header.split(",")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([",".join(cols[:-1] + [" " + cols[-1]]), *rest, ""]).encode())
    result = cli("diff", old, new)
    assert result.exit_code == 0 and "people" not in result.stdout  # BOM, CRLF, a padded header name, a blank line


def test_an_unreadable_descriptor_or_schema_is_a_located_usage_error(versions, cli):
    old, new = versions
    (new / "schema" / "events.json").write_text("{ not json")
    _refused(cli, old, new, "schema/events.json:1:", "not valid JSON")
    (new / "datapackage.json").write_text("[]")
    _refused(cli, old, new, "datapackage.json", "no 'resources' list")


def test_a_duplicated_primary_key_with_changed_content_is_refused(versions, cli):
    old, new = versions
    path = new / "data" / "countries.csv"
    lines = path.read_text().splitlines()
    pol = next(l for l in lines if l.startswith("POL,"))
    path.write_text("\n".join(lines + [pol.replace("Poland", "Polen")]) + "\n")  # lines: GBR's notes hold a line break
    err = _refused(cli, old, new, f"{path}:{len(lines) + 1}: code 'POL' is used again (first on line 7)", "[duplicate-key]")
    assert "no changes" not in err


def test_many_duplicated_keys_are_counted_not_all_listed(versions, cli):
    old, new = versions
    path = new / "data" / "events.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + lines[1:2] * 50) + "\n")
    err = _refused(cli, old, new, "... and 30 more keys used again")
    assert err.count("[duplicate-key]") == 21


# ---------------------------------------------------------------- what is printed stays text


HOSTILE = "x` <img src=x onerror=1> | `` & <b>b</b>\n#### Forge\n- forged"  # short: shown whole


def test_markdown_escapes_backticks_html_pipes_and_line_breaks(versions, cli):
    from markdown_it import MarkdownIt

    from cotw.diff import diff_packages

    old, new = versions
    edit_csv(new / "data" / "countries.csv", 2, "notes", HOSTILE)  # COALITION
    md = cli("diff", old, new, "--format", "markdown").stdout
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in html and "<b>" not in html
    assert html.count("<h4>") == sum(not t.empty for t in diff_packages(old, new).tables)
    assert "Forge</h4>" not in html and "<li>forged" not in html
    tokens = MarkdownIt("commonmark").parseInline(md.split("- `COALITION`: ")[1].splitlines()[0])[0].children
    shown = [t.content for t in tokens if t.type == "code_inline"]
    assert shown[-1] == HOSTILE.replace("\n", "\\n")  # the whole value, in one span, line breaks visible


def test_text_output_escapes_control_characters(versions, cli):
    old, new = versions
    edit_csv(new / "data" / "countries.csv", 2, "notes", "ok\x1b[2J\nvalid: 12 tables")
    edit_csv(old / "data" / "claims.csv", 2, "notes", "a " * 40 + "end")
    edit_csv(new / "data" / "claims.csv", 2, "notes", "a " * 40 + "\x1b]0;owned\x07 end")  # long: a word diff
    out = cli("diff", old, new).stdout
    assert "\x1b" not in out and "\x07" not in out
    assert not any(l.startswith("valid") for l in out.splitlines())
    assert "\\x1b]0;owned\\x07" in out
