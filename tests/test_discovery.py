"""Which package a command acts on: the one given, else the nearest folder upwards from the current
directory that holds a datapackage.json, else the installed data; the first line of output names it.

The scenario of the issue: after a normal (non-editable) install, the installed data and the clone the
user edits are two different folders. `installed` below stands for the copy in site-packages (the
library's `default_root()` is pointed at it), `pkg` for the user's clone.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cotw
from conftest import ROOT, edit_csv
from cotw import discovery

DECLARED = f"version {json.loads((ROOT / 'datapackage.json').read_text(encoding='utf-8'))['version']}"  # the shipped descriptor's
BAD = "data/statements.csv:21: country 'UKK' is not a code in data/countries.csv (did you mean 'UKR'?) [foreign-key]"


@pytest.fixture
def edited(pkg) -> Path:
    """The user's clone, with a mistyped country code in data/statements.csv."""
    edit_csv(pkg / "data/statements.csv", 21, "country", "UKK")
    return pkg


def first_line(result) -> str:
    return result.output.splitlines()[0]


@pytest.mark.parametrize("where", [".", "data", "schema"])
def test_check_reports_the_edit_in_the_package_the_user_stands_in(edited, installed, cli, monkeypatch, where):
    monkeypatch.chdir(edited / where)
    result = cli("check")
    assert result.exit_code == 1
    assert BAD in result.stdout.splitlines()
    assert first_line(result) == f"cotw check: {edited} ({DECLARED}; found from the current directory)"


def test_check_in_a_subprocess_from_a_subfolder_of_the_package(edited):
    run = subprocess.run([sys.executable, "-c", "from cotw.cli import app; app(prog_name='cotw')", "check"],
                         cwd=edited / "seeds", capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert BAD in run.stdout.splitlines()
    assert run.stderr.splitlines()[0] == f"cotw check: {edited} ({DECLARED}; found from the current directory)"


def test_outside_any_package_check_acts_on_the_installed_data_and_says_so(installed, outside, cli, monkeypatch):
    monkeypatch.chdir(outside)
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert first_line(result) == (f"cotw check: {installed} ({DECLARED}; "
                                  "the installed data, as no datapackage.json is in the current directory or above)")


def test_without_a_declared_version_the_installed_data_is_named_by_the_installed_cotw_and_others_by_none(edited, installed, outside, cli, monkeypatch):
    for folder in (installed, edited):
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        del descriptor["version"]
        (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    monkeypatch.chdir(outside)
    assert first_line(cli("check")) == (f"cotw check: {installed} (version {cotw.__version__} of the installed cotw; "
                                        "the installed data, as no datapackage.json is in the current directory or above)")
    monkeypatch.chdir(edited)
    assert first_line(cli("check")) == f"cotw check: {edited} (no version declared; found from the current directory)"


def test_a_given_path_wins_over_the_current_directory(edited, installed, cli, monkeypatch):
    monkeypatch.chdir(edited)
    result = cli("check", installed)
    assert result.exit_code == 0
    assert first_line(result) == f"cotw check: {installed} ({DECLARED})"


def test_every_command_names_the_package_on_its_first_line(edited, installed, cli, monkeypatch, tmp_path):
    monkeypatch.chdir(edited / "data")
    fixed = edited.parent / "fixed"
    shutil.copytree(edited, fixed)
    edit_csv(fixed / "data/statements.csv", 21, "country", "UKR")
    found = f"{edited} ({DECLARED}; found from the current directory)"
    for args, exit_code in ((["check"], 1), (["fmt", "--check"], 0), (["codebook"], 0),
                            (["export", "--out", tmp_path / "out"], 1)):
        result = cli(*args)
        assert result.exit_code == exit_code, (args, result.output)
        assert first_line(result) == f"cotw {args[0]}: {found}", args
    diff = cli("diff", fixed)
    assert diff.exit_code == 0
    assert first_line(diff) == f"cotw diff: old {fixed} ({DECLARED}); new {found}"


def test_export_without_a_path_exports_the_edited_clone_not_the_installed_data(pkg, installed, cli, monkeypatch, tmp_path):
    edit_csv(pkg / "data/statements.csv", 2, "notes", "a note only the clone has")
    monkeypatch.chdir(pkg)
    result = cli("export", "--out", tmp_path / "downloads", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "a note only the clone has" in (tmp_path / "downloads/csv/statements.csv").read_text(encoding="utf-8")


def test_diff_compares_with_the_package_around_the_current_directory_by_default(pkg, installed, cli, monkeypatch):
    edit_csv(pkg / "data/statements.csv", 2, "notes", "a note only the clone has")
    monkeypatch.chdir(pkg / "data")
    result = cli("diff", installed, "--format", "json")
    assert result.exit_code == 0
    changed = json.loads(result.stdout)["summary"]["statements"]["changed"]  # stdout stays pure JSON
    assert changed == 1


def test_json_output_stays_pure_and_the_package_line_goes_to_stderr(edited, cli, monkeypatch):
    monkeypatch.chdir(edited)
    result = cli("check", "--format", "json")
    report = json.loads(result.stdout)
    assert report["root"] == str(edited) and not report["valid"]
    assert result.stderr.splitlines()[0].startswith(f"cotw check: {edited} (")


def test_fmt_rewrites_the_package_around_the_current_directory(pkg, installed, cli, monkeypatch):
    table = pkg / "data/conditions.csv"
    header, first, *rest = table.read_text(encoding="utf-8").split("\n")
    table.write_text("\n".join([header, first, "", *rest]), encoding="utf-8")
    before = (installed / "data/conditions.csv").read_bytes()
    monkeypatch.chdir(pkg / "data")
    result = cli("fmt")
    assert result.exit_code == 0 and "reformatted data/conditions.csv (blank lines)" in result.stdout
    assert "\n\n" not in table.read_text(encoding="utf-8")
    assert (installed / "data/conditions.csv").read_bytes() == before


@pytest.mark.parametrize("args", [["fmt"], ["fmt", "--check"]])
def test_fmt_outside_any_package_refuses_rather_than_touch_the_installed_data(installed, outside, cli, monkeypatch, args):
    table = installed / "data/conditions.csv"
    table.write_bytes(table.read_bytes().replace(b"\n", b"\n\n", 1))  # would be rewritten if targeted
    before = table.read_bytes()
    monkeypatch.chdir(outside)
    result = cli(*args)
    assert result.exit_code == 2
    assert "never rewrites the installed data; cd into your package, or give its PATH" in result.stderr
    assert table.read_bytes() == before


def test_fmt_never_rewrites_the_copy_installed_with_cotw_even_when_standing_in_it(installed, cli, monkeypatch):
    monkeypatch.setattr(discovery, "installed_copy", lambda: installed)
    table = installed / "data/conditions.csv"
    table.write_bytes(table.read_bytes().replace(b"\n", b"\n\n", 1))
    before = table.read_bytes()
    monkeypatch.chdir(installed / "data")
    for args in (["fmt"], ["fmt", installed]):
        result = cli(*args)
        assert result.exit_code == 2 and "the copy of the data installed with cotw" in result.stderr
    assert table.read_bytes() == before


def test_the_library_ignores_the_current_directory(edited, installed, monkeypatch):
    monkeypatch.chdir(edited)
    assert cotw.validate().ok  # the installed data, not the edited package the notebook happens to sit in
    assert "UKK" not in set(cotw.load("statements")["country"].astype(str))
    assert "UKK" in set(cotw.load("statements", edited)["country"].astype(str))  # unless asked for


def test_the_version_is_the_descriptors_and_control_characters_are_escaped(pkg, cli):
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = "2.0\x1b[2J\u202e"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = cli("check", pkg)
    assert first_line(result) == f"cotw check: {pkg} (version 2.0\\x1b[2J\\u202e)"
    assert "\x1b" not in result.output and "\u202e" not in result.output
    descriptor["version"] = "9" * 10_000
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert len(first_line(cli("check", pkg))) < len(str(pkg)) + 80  # bounded, whatever the descriptor holds


def test_a_folder_name_with_control_characters_is_escaped(pkg, cli, monkeypatch):
    odd = pkg.parent / "odd\x1b]0;pwned\x07name"
    pkg.rename(odd)
    monkeypatch.chdir(odd)
    line = first_line(cli("codebook"))
    assert "\x1b" not in line and "\x07" not in line and "odd\\x1b]0;pwned\\x07name" in line


def test_an_unreadable_descriptor_still_gets_its_line_and_a_located_error(pkg, cli, monkeypatch):
    (pkg / "datapackage.json").write_text("{ not json", encoding="utf-8")
    monkeypatch.chdir(pkg)
    result = cli("check")
    assert result.exit_code == 1
    assert first_line(result) == f"cotw check: {pkg} (version unknown: its datapackage.json cannot be read; found from the current directory)"
    assert "datapackage.json:1: datapackage.json is not valid JSON" in result.stdout


@pytest.mark.slow
def test_a_non_editable_install_checks_the_clone_it_stands_in(tmp_path, edited, built_wheel):
    """The README's main job, for real: a wheel installed in a fresh environment, run inside an edited clone.
    The environment gets no pip of its own (pip is not under test here): this environment's pip installs the
    wheel into it (`pip --python`), as the environment's own would."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # cotw's dependencies from this environment (offline, and this Python may itself be a virtual
    # environment, whose --system-site-packages would be the base interpreter's): a .pth names its
    # site-packages; the .pth files there (this checkout's editable cotw) are not read through it
    import sysconfig

    target = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(target, "cotw-test-deps.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--force-reinstall",
                    str(built_wheel)], check=True, capture_output=True, timeout=600)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cotw_cmd = [str(venv / "bin" / "cotw"), "check"]
    where = subprocess.run([str(python), "-c", "import cotw.package as p; print(p.default_root())"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert where.endswith(os.path.join("cotw", "_package")), where  # the installed copy, not this checkout

    inside = subprocess.run(cotw_cmd, cwd=edited / "data", env=env, capture_output=True, text=True, timeout=300)
    assert inside.returncode == 1 and BAD in inside.stdout.splitlines(), inside.stdout + inside.stderr
    assert inside.stderr.splitlines()[0] == f"cotw check: {edited} ({DECLARED}; found from the current directory)"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    away = subprocess.run(cotw_cmd, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert away.returncode == 0, away.stdout + away.stderr
    assert away.stderr.splitlines()[0].startswith(f"cotw check: {where} (version ")
    assert "the installed data" in away.stderr.splitlines()[0]
