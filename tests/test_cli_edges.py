"""The command line's edges: suggestions rank by edit distance with swaps, `python -m cotw` works,
`codebook --check` checks the package's own codebook, `-q` means one thing on every command, and
export's file formats are `--only` (the old `--format` still works, with a deprecation message)."""
from __future__ import annotations

import subprocess
import sys

import pytest

import cotw
from conftest import edit_csv

# ---------------------------------------------------------------- did you mean


def test_a_swap_of_two_letters_is_the_nearest_suggestion():
    from cotw.suggest import closest

    assert closest("GRB", ["GRC", "GBR", "DEU"]) == "GBR"  # difflib ranked GRC first
    assert closest("statment", ["statements", "sources"]) == "statements"
    assert closest("XYZ", ["GBR", "FRA"]) is None


def test_a_mistyped_country_code_in_the_data_suggests_the_swap(pkg):
    edit_csv(pkg / "data/statements.csv", 2, "country", "GRB")
    messages = [p.text() for p in cotw.validate(pkg).problems if p.rule == "foreign-key"]
    assert messages == ["data/statements.csv:2: country 'GRB' is not a code in data/countries.csv (did you mean 'GBR'?) [foreign-key]"]


def test_an_unknown_table_name_suggests_the_swap():
    from cotw.package import UnknownTable

    assert "unknown table 'GRB' (did you mean 'GBR'?)" in str(UnknownTable("GRB", ["GRC", "GBR"]))


def test_every_suggestion_comes_from_one_function():
    import inspect

    from cotw import checks, package, reader, suggest

    assert checks.closest is suggest.closest and reader.closest is suggest.closest
    assert "suggest import closest" in inspect.getsource(package.UnknownTable)
    for module in (checks, package, reader):
        assert "difflib" not in inspect.getsource(module)


# ---------------------------------------------------------------- python -m cotw


def test_python_dash_m_cotw_is_the_cli(tmp_path):
    run = subprocess.run([sys.executable, "-m", "cotw", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout == f"cotw {cotw.__version__}\n"
    run = subprocess.run([sys.executable, "-m", "cotw", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("Usage: cotw ")
