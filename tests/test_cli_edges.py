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


# ---------------------------------------------------------------- codebook --check


def test_codebook_check_without_out_checks_the_packages_own_codebook(pkg, root, cli):
    result = cli("codebook", pkg, "--check")
    assert result.exit_code == 1 and f"{pkg / 'CODEBOOK.md'} is missing" in result.stderr
    assert "# " not in result.stdout  # the codebook is not printed
    (pkg / "CODEBOOK.md").write_bytes((root / "CODEBOOK.md").read_bytes())
    result = cli("codebook", pkg, "--check")
    assert result.exit_code == 0 and result.stdout == f"{pkg / 'CODEBOOK.md'} is up to date\n"
    (pkg / "CODEBOOK.md").write_text("stale\n", encoding="utf-8")
    result = cli("codebook", pkg, "--check")
    assert result.exit_code == 1 and "is out of date; run `cotw codebook --out" in result.stderr


# ---------------------------------------------------------------- -q on every command

COMMANDS = ("check", "fmt", "codebook", "export", "diff")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_the_same_quiet_option(cli, command):
    from cotw.cli.options import Quiet

    text = cli(command, "--help").stdout
    assert "-q, --quiet" in text and " ".join(Quiet.help.split()[:4]) in " ".join(text.split())


def test_quiet_check_prints_only_the_problems(pkg, cli):
    assert cli("check", pkg, "-q").output == ""
    assert cli("check", pkg, "-q", "--format", "github").output == ""
    edit_csv(pkg / "data/statements.csv", 2, "country", "GRB")
    result = cli("check", pkg, "-q")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [p.text() for p in cotw.validate(pkg).sorted_problems()]
    github = cli("check", pkg, "-q", "--format", "github").stdout.splitlines()
    assert github and all(line.startswith("::error ") for line in github)
    assert cli("check", pkg, "-q", "--format", "json").stdout == cli("check", pkg, "--format", "json").stdout


def test_quiet_fmt_prints_only_what_fails(pkg, cli):
    assert cli("fmt", pkg, "--check", "-q").output == ""
    path = pkg / "data/people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = cli("fmt", pkg, "--check", "-q")
    assert result.exit_code == 1 and result.output == "would reformat data/people.csv (byte-order mark)\n"
    result = cli("fmt", pkg, "-q")
    assert result.exit_code == 0 and result.output == ""
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_quiet_codebook_diff_and_export_print_no_confirmations(pkg, cli, tmp_path):
    out = tmp_path / "CODEBOOK.md"
    assert cli("codebook", pkg, "--out", out, "-q").output == "" and out.is_file()
    assert cli("codebook", pkg, "--out", out, "--check", "-q").output == ""
    assert cli("codebook", pkg, "-q").stdout == out.read_text(encoding="utf-8")  # the requested output
    assert cli("diff", pkg, pkg, "-q").output == ""
    edit_csv(pkg / "data/people.csv", 2, "role", "changed")
    old = tmp_path / "old"
    import shutil

    shutil.copytree(pkg, old)
    edit_csv(pkg / "data/people.csv", 2, "role", "changed again")
    lines = cli("diff", old, pkg, "-q").stdout.splitlines()
    assert lines[0].startswith("people: ") and not any("tables changed between" in line for line in lines)
    assert cli("export", pkg, "--out", tmp_path / "dist", "--only", "json", "-q").output == ""


# ---------------------------------------------------------------- export: --only, and --format deprecated


def test_export_file_formats_are_chosen_with_only(pkg, cli, tmp_path):
    result = cli("export", pkg, "--out", tmp_path / "a", "--only", "json,csv")
    assert result.exit_code == 0 and result.stderr == ""
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_dir()) == ["csv", "json"]
    options = [line.split()[0] for line in cli("export", "--help").stdout.splitlines() if line.startswith("  -")]
    assert "--only" in options and "--format" not in options and "-f," not in options


def test_exports_old_format_option_still_works_with_a_deprecation_warning(pkg, cli, tmp_path):
    result = cli("export", pkg, "--out", tmp_path / "b", "--format", "json")
    assert result.exit_code == 0
    assert "`cotw export --format` is deprecated; use --only" in result.stderr
    assert [p.name for p in (tmp_path / "b").iterdir() if p.is_dir()] == ["json"]
