"""Shared fixtures: the repository's package, a private copy of it to break, and the CLI runner.

The suite runs on every core (pytest-xdist, `-n auto --dist loadgroup` in pyproject.toml). A test file's
tests go to one worker together, so the fixtures a file builds once (an export, a package copy) are
built once; a file whose tests fall into independent expensive groups names them with
`XDIST_GROUPS = lambda item: ...` (e.g. test_hostile_files: one group per kind of hostile file).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "data", "schema", "seeds")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A copy of the package (descriptor, data, schemas, archived sources) that a test may change."""
    dest = tmp_path / "pkg"
    dest.mkdir()
    for part in PACKAGE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def cli():
    """Invoke the CLI in-process: cli("check", path) -> Result with .exit_code, .stdout, .stderr."""
    from cotw.cli import app

    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV (line numbers as in error messages: header = 1) without touching the rest."""
    import csv
    import io

    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    col = rows[0].index(column)
    rows[line - 1][col] = value
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def pytest_collection_modifyitems(config, items):
    """Group each test with the rest of its file (or its file's own finer groups) for pytest-xdist."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        finer = getattr(item.module, "XDIST_GROUPS", None)
        group = item.module.__name__ + (f":{finer(item)}" if finer else "")
        item.add_marker(pytest.mark.xdist_group(group))
