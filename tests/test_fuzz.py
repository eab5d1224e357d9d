"""Fuzzing `cotw check` and `cotw fmt` with random damage to a valid package.

Whatever the damage, check never crashes, exits 0 or 1, and every exit 1 carries at least one
located problem; fmt either refuses a file (leaving its bytes alone) or rewrites it without changing a cell.
HYPOTHESIS_PROFILE=dev (default; ci when the CI variable is set, as .ci/run has it) runs 50 examples per test; =ci runs 300 (the CLI test a fifth of that).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cotw
from cotw.io.canonical import format_package
from cotw.package import Package

settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
CLI_PROFILE = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 5))

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("datapackage.json", "data", "schema", "seeds")
TABLES = Package.open(ROOT).names()
UNLOCATED_RULES = {"missing-file", "unreadable-file", "unsafe-path", "descriptor", "profile", "table-schema", "schema-file",
                   "duplicate-resource"}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """One valid copy of the package; each example works on its own copy of this."""
    dest = tmp_path_factory.mktemp("fuzz") / "pkg"
    dest.mkdir()
    for part in PARTS:
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    return dest


# --- mutations ------------------------------------------------------------------------------------

text_cell = st.one_of(
    st.sampled_from(["", " ", "NA", "None", "null", ",", '"', 'a "b" c', "x\ny", "x\r\ny", "\ufeff", "2025-13-45", "10/04/2025", "é" * 3, "\x00"]),
    st.text(max_size=20),
)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _write(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@st.composite
def mutation(draw):
    """A function that damages the bytes of one table, with a name for the report."""
    kind = draw(st.sampled_from(["cell", "delete-row", "duplicate-row", "delete-column", "duplicate-column", "rename-column",
                                 "byte", "insert-bytes", "truncate", "bom", "crlf", "blank-line", "delimiter", "swap-rows"]))
    a, b = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
    value = draw(text_cell)
    junk = draw(st.binary(min_size=1, max_size=4))

    def apply(data: bytes) -> bytes:
        if kind in ("byte", "insert-bytes", "truncate", "bom", "crlf", "blank-line", "delimiter"):
            n = max(len(data), 1)
            if kind == "byte":
                return data[: a % n] + junk[:1] + data[a % n + 1:]
            if kind == "insert-bytes":
                return data[: a % n] + junk + data[a % n:]
            if kind == "truncate":
                return data[: a % n]
            if kind == "bom":
                return b"\xef\xbb\xbf" + data
            if kind == "crlf":
                return data.replace(b"\n", b"\r\n")
            if kind == "blank-line":
                lines = data.split(b"\n")
                lines.insert(a % len(lines), b"")
                return b"\n".join(lines)
            return data.replace(b",", b";")
        try:
            rows = _rows(data)
        except (UnicodeDecodeError, csv.Error):
            return data
        if not rows:
            return data
        r, c = a % len(rows), b % max(len(rows[0]), 1)
        if kind == "cell" and rows[r]:
            rows[r][c % len(rows[r])] = value
        elif kind == "delete-row" and len(rows) > 1:
            del rows[1 + a % (len(rows) - 1)]
        elif kind == "duplicate-row" and len(rows) > 1:
            rows.insert(r + 1, list(rows[1 + a % (len(rows) - 1)]))
        elif kind == "swap-rows" and len(rows) > 2:
            i, j = 1 + a % (len(rows) - 1), 1 + b % (len(rows) - 1)
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "delete-column":
            rows = [row[:c] + row[c + 1:] for row in rows]
        elif kind == "duplicate-column":
            rows = [row + row[c:c + 1] for row in rows]
        elif kind == "rename-column" and rows[0]:
            rows[0][c % len(rows[0])] = value
        return _write(rows)

    apply.__name__ = kind
    return apply


damages = st.lists(st.tuples(st.sampled_from(TABLES), mutation()), min_size=1, max_size=3)


def damaged_copy(base: Path, edits) -> tuple[tempfile.TemporaryDirectory, Path]:
    tmp = tempfile.TemporaryDirectory(prefix="cotw-fuzz-")
    pkg = Path(tmp.name) / "pkg"
    shutil.copytree(base, pkg)
    desc = Package.open(pkg)
    for name, apply in edits:
        path = pkg / desc.path(name)
        path.write_bytes(apply(path.read_bytes()))
    return tmp, pkg


def assert_located(report) -> None:
    if report.ok:
        return
    assert report.problems
    for p in report.problems:
        assert p.file, p
        assert p.message and p.rule, p
        if p.layer in ("structure", "schema", "provenance") and p.rule not in UNLOCATED_RULES:
            assert p.line is not None and p.line >= 1, p.text()


# --- properties -------------------------------------------------------------------------------------

@pytest.mark.slow
@PROFILE
@given(edits=damages)
def test_check_never_crashes_and_every_failure_is_located(base, edits):
    tmp, pkg = damaged_copy(base, edits)
    with tmp:
        report = cotw.validate(pkg)
        assert_located(report)
        assert report.render_text() and json.dumps(report.to_dict()) and report.render_github()


@pytest.mark.slow
@CLI_PROFILE
@given(edits=damages)
def test_the_cli_exits_0_or_1_with_located_errors(base, edits):
    from typer.testing import CliRunner

    from cotw.cli import app

    tmp, pkg = damaged_copy(base, edits)
    with tmp:
        result = CliRunner().invoke(app, ["check", str(pkg)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1)
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            lines = result.stdout.splitlines()
            assert lines[-1].startswith("invalid: ") and any(line.endswith("]") and ": " in line for line in lines[:-1])


def cells(data: bytes) -> Counter:
    """The multiset of rows (as column -> cell) of a table, blank and all-empty rows aside."""
    header, *body = [r for r in csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline=""), strict=True) if r]
    return Counter(tuple(sorted(zip(header, r))) for r in body if any(r))


@pytest.mark.slow
@PROFILE
@given(edits=damages)
def test_fmt_refuses_or_rewrites_without_changing_a_cell(base, edits):
    tmp, pkg = damaged_copy(base, edits)
    with tmp:
        desc = Package.open(pkg)
        before = {name: (pkg / desc.path(name)).read_bytes() for name in TABLES}
        result = format_package(desc)
        for name in TABLES:
            rel = desc.path(name)
            after = (pkg / rel).read_bytes()
            refused = any(k == rel or k.startswith(rel + ":") for k in result.refused)
            if refused or rel in result.unchanged:
                assert after == before[name], rel
                continue
            assert rel in result.changed
            assert cells(after) == cells(before[name]), rel
        again = format_package(desc, check=True)
        assert again.changed == []  # idempotent
