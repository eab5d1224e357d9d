"""Every way a hand-edited CSV or descriptor goes wrong ends in one exact, located line, exit 1, no traceback.

(Keys, foreign keys, dates, vocabularies, required cells and provenance are in test_check.py.)
The cases break data/conditions.csv, which no other table references, so each answer stands alone.
Rows are chosen at run time: the data is curated while these tests are written.
"""
from __future__ import annotations

import builtins
import csv
import io
import json
import socket
import urllib.request
from pathlib import Path

import pytest

import cotw
from cotw.package import Package
from cotw.report import shorten

TABLE = "conditions"
FILE = "data/conditions.csv"


def fields(pkg: Path, name: str = TABLE) -> list[str]:
    return [f["name"] for f in Package.open(pkg).schema(name)["fields"]]


def records(pkg: Path, file: str = FILE) -> list[list[str]]:
    """Header and rows, as cells."""
    return list(csv.reader(io.StringIO((pkg / file).read_text(encoding="utf-8"), newline="")))


def record(cells: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)  # the terminator's characters are what get quoted
    return buf.getvalue()[:-2]


def write(pkg: Path, lines: list[str], file: str = FILE, end: str = "\n") -> None:
    (pkg / file).write_bytes((end.join(lines) + end).encode("utf-8"))


def as_lines(rows: list[list[str]]) -> list[str]:
    return [record(r) for r in rows]


def line_of(lines: list[str], index: int) -> int:
    """The physical line (header = 1) on which lines[index] begins."""
    return 1 + sum(text.count("\n") + 1 for text in lines[:index])


def single_line_row(rows: list[list[str]], start: int = 1) -> int:
    """Index of a data row whose cells hold no line break, so that raw edits stay on one line."""
    for i in range(start, len(rows)):
        if not any("\n" in c or "\r" in c for c in rows[i]):
            return i
    pytest.skip("no single-line row")


def found(pkg) -> list[str]:
    report = cotw.validate(pkg)
    assert not report.ok
    return [p.text() for p in report.sorted_problems()]


def check_cli(cli, pkg, expected: str) -> None:
    """The CLI answers with exit 1 and the same located line, never a traceback."""
    result = cli("check", pkg)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert expected in result.stdout.splitlines()


# --- columns ----------------------------------------------------------------------------------

def test_extra_column(pkg, cli):
    rows = records(pkg)
    write(pkg, as_lines([r + (["extra"] if i == 0 else ["x"]) for i, r in enumerate(rows)]))
    expected = (f"{FILE}:1: column 'extra' is not in the schema (the schema's columns are: {', '.join(fields(pkg))}) [extra-column]")
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_missing_column(pkg, cli):
    rows = records(pkg)
    gone = rows[0].index("notes")
    write(pkg, as_lines([r[:gone] + r[gone + 1:] for r in rows]))
    expected = f"{FILE}:1: column 'notes' is missing (add the column (empty cells are fine where the field is optional)) [missing-column]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_renamed_column_suggests_the_schema_name(pkg, cli):
    rows = records(pkg)
    rows[0][rows[0].index("evidence")] = "evidense"
    write(pkg, as_lines(rows))
    assert found(pkg) == [
        f"{FILE}:1: column 'evidence' is missing (add the column (empty cells are fine where the field is optional)) [missing-column]",
        f"{FILE}:1: column 'evidense' is not in the schema (renamed? did you mean 'evidence'?) [extra-column]",
    ]
    check_cli(cli, pkg, f"{FILE}:1: column 'evidense' is not in the schema (renamed? did you mean 'evidence'?) [extra-column]")


def test_duplicated_column(pkg, cli):
    rows = records(pkg)
    at = rows[0].index("notes")
    write(pkg, as_lines([r + [r[at]] for r in rows]))
    expected = f"{FILE}:1: column 'notes' appears twice (columns {at + 1} and {len(rows[0]) + 1}) [duplicate-column]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_columns_out_of_schema_order(pkg, cli):
    rows = records(pkg)
    write(pkg, as_lines([r[1:] + r[:1] for r in rows]))
    expected = f"{FILE}:1: the columns are not in schema order (expected: {', '.join(fields(pkg))}; `cotw fmt` reorders them) [column-order]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_header_with_whitespace(pkg):
    rows = records(pkg)
    rows[0][1] = rows[0][1] + " "
    write(pkg, as_lines(rows))
    assert found(pkg) == [f"{FILE}:1: column 2 header '{rows[0][1]}' has leading or trailing whitespace (write it as '{rows[0][1].strip()}') [header]"]


# --- rows -------------------------------------------------------------------------------------

def test_short_row(pkg, cli):
    rows = records(pkg)
    i = single_line_row(rows)
    lines = as_lines(rows)
    lines[i] = record(rows[i][:-2])
    write(pkg, lines)
    n = len(rows[0])
    expected = (f"{FILE}:{line_of(lines, i)}: the row has {n - 2} cells; the header has {n} "
                "(add the missing cells (empty cells still need their commas)) [short-row]")
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_long_row(pkg, cli):
    rows = records(pkg)
    i = single_line_row(rows)
    lines = as_lines(rows)
    lines[i] = lines[i] + ",Paris, France"
    write(pkg, lines)
    n = len(rows[0])
    expected = f"{FILE}:{line_of(lines, i)}: the row has {n + 2} cells; the header has {n} (a cell containing a comma must be quoted) [long-row]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_quote_never_closed(pkg, cli):
    rows = records(pkg)
    lines = as_lines(rows)
    last = len(lines) - 1
    rows[last][-1] = "x"
    lines[last] = record(rows[last][:-1]) + ',"x'  # an opening quote with no closing one, to the end of the file
    write(pkg, lines)
    line = line_of(lines, last)
    expected = (f"{FILE}:{line}: a quoted cell opened on line {line} is never closed "
                "(close the quote (a literal \" inside a quoted cell is written \"\")) [unbalanced-quote]")
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_stray_quote_is_located_and_the_rows_after_it_are_still_checked(pkg, cli):
    rows = records(pkg)
    i = single_line_row(rows)
    j = single_line_row(rows, i + 1)
    lines = as_lines(rows)
    lines[i] = record(rows[i][:-1]) + ',"he said" no'
    rows[j][rows[0].index("applies_to")] = "everything"  # a later row with its own problem
    lines[j] = record(rows[j])
    write(pkg, lines)
    got = found(pkg)
    assert got[0] == (f"{FILE}:{line_of(lines, i)}: a quoted cell is closed and then followed by more text before the next comma "
                      "(a cell containing a \" must be quoted as a whole, with each \" inside it doubled) [unbalanced-quote]")
    assert any(p.startswith(f"{FILE}:{line_of(lines, j)}: applies_to 'everything' is not one of: ") for p in got), got
    check_cli(cli, pkg, got[0])


@pytest.mark.parametrize("where", ["middle", "end"])
def test_blank_lines(pkg, cli, where):
    lines = as_lines(records(pkg))
    at = 2 if where == "middle" else len(lines)
    lines[at:at] = ["", ""]
    write(pkg, lines)
    first = line_of(lines, at)
    expected = [f"{FILE}:{n}: blank line (delete the line; `cotw fmt` does this) [blank-line]" for n in (first, first + 1)]
    assert found(pkg) == expected
    check_cli(cli, pkg, expected[0])


def test_row_of_empty_cells_from_a_spreadsheet(pkg):
    rows = records(pkg)
    lines = as_lines(rows) + ["," * (len(rows[0]) - 1)]
    write(pkg, lines)
    assert found(pkg) == [f"{FILE}:{line_of(lines, len(lines) - 1)}: every cell of the row is empty (delete the row; `cotw fmt` does this) [blank-line]"]


def test_huge_cell_fails_max_length(pkg, cli):
    rows = records(pkg)
    i = single_line_row(rows)
    limit = next(f for f in Package.open(pkg).schema(TABLE)["fields"] if f["name"] == "notes")["constraints"]["maxLength"]
    rows[i][rows[0].index("notes")] = "x" * 5_000_000
    lines = as_lines(rows)
    write(pkg, lines)
    expected = f"{FILE}:{line_of(lines, i)}: notes is 5000000 characters long; it must be at most {limit} [maxLength]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


# --- bytes, line ends, delimiter --------------------------------------------------------------

def test_wrong_delimiter(pkg, cli):
    rows = records(pkg)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    (pkg / FILE).write_text(buf.getvalue(), encoding="utf-8")
    header = ";".join(rows[0])
    shown = header if len(header) <= 80 else header[:79] + "…"
    expected = (f"{FILE}:1: the header is one column {shown!r}: the file looks ';'-delimited; cotw CSVs use ',' "
                "(save the file with comma as the delimiter) [delimiter]")
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_byte_order_mark(pkg, cli):
    path = pkg / FILE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    expected = f"{FILE}:1: the file starts with a byte-order mark (BOM) (save as UTF-8 without BOM; `cotw fmt` does this) [bom]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_crlf_line_ends(pkg, cli):
    path = pkg / FILE
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    expected = f"{FILE}:1: the file uses CR or CRLF line ends; cotw CSVs use LF (`cotw fmt` rewrites the file with LF line ends) [line-ends]"
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


def test_a_line_break_inside_a_quoted_cell_is_content_not_a_line_end(pkg):
    rows = records(pkg)
    i = single_line_row(rows)
    rows[i][rows[0].index("notes")] = "first line\r\nsecond line"
    write(pkg, as_lines(rows))
    assert cotw.validate(pkg).ok


def test_bytes_that_are_not_utf8(pkg, cli):
    rows = records(pkg)
    i = single_line_row(rows)
    lines = as_lines(rows)
    before = "\n".join(lines[:i]).encode("utf-8") + b"\n" + record(rows[i][:-1]).encode("utf-8") + b","
    (pkg / FILE).write_bytes(before + "Sprūds and Häkkänen".encode("cp1257", "replace") + b"\n")
    bad = before + "Sprūds and Häkkänen".encode("cp1257", "replace")
    pos = next(n for n in range(len(before), len(bad)) if bad[n] >= 0x80)
    expected = (f"{FILE}:{line_of(lines, i)}: byte 0x{bad[pos]:02x} at byte {pos} is not UTF-8 (in Windows-1252 it would be "
                f"{bytes([bad[pos]]).decode('cp1252')!r}); the file was not checked further "
                "(save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')) [encoding]")
    assert found(pkg) == [expected]
    check_cli(cli, pkg, expected)


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty; it needs at least the header row (None) [empty-file]"),
    (b"\n\n", "the file is empty; it needs at least the header row (None) [empty-file]"),
])
def test_empty_file(pkg, content, expected):
    (pkg / FILE).write_bytes(content)
    assert found(pkg) == [f"{FILE}:1: " + expected.replace(" (None)", "")]


def test_blank_first_line(pkg):
    path = pkg / FILE
    path.write_bytes(b"\n" + path.read_bytes())
    assert found(pkg) == [f"{FILE}:1: the first line is blank; it must be the header (the column names) "
                          "(delete the blank line(s) above the header) [header]"]


# --- literal text that looks like a missing value ---------------------------------------------

@pytest.mark.parametrize("literal", ["NA", "None", "null", "N/A", "nan", "NULL"])
def test_na_like_text_is_text(pkg, literal):
    rows = records(pkg)
    i = single_line_row(rows)
    rows[i][rows[0].index("notes")] = literal
    write(pkg, as_lines(rows))
    report = cotw.validate(pkg)
    assert report.ok, report.render_text()
    from cotw.io.reader import read_table

    assert read_table(Package.open(pkg), TABLE).frame["notes"].iloc[i - 1] == literal


def test_na_like_text_fills_a_required_text_cell(pkg):
    path = pkg / "data/statements.csv"
    rows = records(pkg, "data/statements.csv")
    i = single_line_row(rows)
    rows[i][rows[0].index("speaker_label")] = "None"
    write(pkg, as_lines(rows), "data/statements.csv")
    report = cotw.validate(pkg)
    assert report.ok, report.render_text()
    assert "None" in path.read_text(encoding="utf-8")


# --- descriptor paths: refused without being read or fetched ----------------------------------

@pytest.fixture
def sealed(monkeypatch, tmp_path):
    """A sentinel file outside the package; opening it, or any network access, fails the test."""
    sentinel = tmp_path / "outside" / "secret.csv"
    sentinel.parent.mkdir()
    sentinel.write_text("condition_id\nSENTINEL-CONTENT\n", encoding="utf-8")
    touched: list[str] = []

    def guard(path):
        try:
            if Path(path).resolve() == sentinel.resolve():
                touched.append(str(path))
                raise AssertionError(f"{path} was opened")
        except TypeError:
            pass

    real_open = builtins.open
    real_read_bytes, real_read_text = Path.read_bytes, Path.read_text

    def fake_open(file, *a, **kw):
        if isinstance(file, (str, Path)):
            guard(file)
        return real_open(file, *a, **kw)

    def no_network(*a, **kw):
        touched.append("network")
        raise AssertionError("network access")

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(Path, "read_bytes", lambda self: (guard(self), real_read_bytes(self))[1])
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **kw: (guard(self), real_read_text(self, *a, **kw))[1])
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    return sentinel, touched


def set_resource(pkg: Path, key: str, value: str, name: str = TABLE) -> None:
    path = pkg / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in d["resources"] if r["name"] == name)[key] = value
    path.write_text(json.dumps(d, indent=2), encoding="utf-8")


def unsafe_cases(sentinel: Path, kind: str) -> dict[str, tuple[str, str]]:
    pkg_relative_up = "../outside/secret.csv"
    return {
        "absolute": (str(sentinel), "is absolute; resource paths must be relative to the package"),
        "climbs-out": (pkg_relative_up, "climbs out of the package ('..'); resource paths must stay inside it"),
        "url": (f"https://example.invalid/{kind}.csv", "is a URL; cotw reads only files inside the package and never fetches"),
    }


@pytest.mark.parametrize("case", ["absolute", "climbs-out", "url"])
@pytest.mark.parametrize("key", ["path", "schema"])
def test_unsafe_resource_path_is_refused_unread(pkg, cli, sealed, case, key):
    sentinel, touched = sealed
    value, reason = unsafe_cases(sentinel, key)[case]
    if key == "schema" and case != "url":
        value = value.replace(".csv", ".json")
        sentinel.with_suffix(".json").write_text('{"fields": [{"name": "SENTINEL-CONTENT"}]}', encoding="utf-8")
    set_resource(pkg, key, value)
    got = found(pkg)
    # validation.py cuts a long path at 80 characters (see the report: it should mark the cut with '…')
    expected = next((e for e in (f"datapackage.json: resource '{TABLE}' {key} {shown!r} {reason}; it was not read [unsafe-path]"
                                 for shown in (value, value[:80], shorten(value))) if e in got), None)
    assert expected is not None and got == [expected], got
    for args in (("check", pkg), ("check", pkg, "--with-frictionless"), ("check", pkg, "--format", "json")):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "SENTINEL-CONTENT" not in result.output
    check_cli(cli, pkg, expected)
    fmt = cli("fmt", "--check", pkg)
    assert fmt.exit_code == 1 and "SENTINEL-CONTENT" not in fmt.output
    assert fmt.exception is None or isinstance(fmt.exception, SystemExit), repr(fmt.exception)
    assert f"{reason}; " in fmt.stderr
    assert touched == []


def test_archive_path_outside_the_package_is_refused_unread(pkg, sealed):
    sentinel, touched = sealed
    rows = records(pkg, "data/sources.csv")
    rows[1][rows[0].index("archive")] = "../outside/secret.csv"
    lines = as_lines(rows)
    write(pkg, lines, "data/sources.csv")
    got = found(pkg)
    assert (f"data/sources.csv:{line_of(lines, 1)}: archive '../outside/secret.csv' climbs out of the package ('..'); "
            "resource paths must stay inside it; it was not read [unsafe-path]") in got
    assert touched == []
