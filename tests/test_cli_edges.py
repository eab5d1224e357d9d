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


def test_equally_close_candidates_are_all_named_not_one_picked():
    from cotw.suggest import did_you_mean, nearest

    assert nearest("FRN", ["DEU", "FIN", "FRA"]) == ["FIN", "FRA"]  # one substitution each, no letter kept over the other
    assert did_you_mean("FRN", ["DEU", "FIN", "FRA"]) == "did you mean 'FIN' or 'FRA'?"
    assert did_you_mean("GRB", ["GRC", "GBR"]) == "did you mean 'GBR'?"  # a swap is still nearer than a wrong letter


def test_a_country_code_equally_close_to_two_suggests_both(pkg):
    edit_csv(pkg / "data/statements.csv", 2, "country", "FRN")
    [message] = [p.text() for p in cotw.validate(pkg).problems if p.rule == "foreign-key"]
    assert "(did you mean 'FIN' or 'FRA'?)" in message, message


def test_an_unknown_table_name_suggests_the_swap():
    from cotw.package import UnknownTable

    assert "unknown table 'GRB' (did you mean 'GBR'?)" in str(UnknownTable("GRB", ["GRC", "GBR"]))


def test_every_suggestion_comes_from_one_function():
    import inspect

    from cotw import package, suggest
    from cotw.check import blocks as checks
    from cotw.io import reader

    assert checks.suggestion is suggest.did_you_mean and reader.did_you_mean is suggest.did_you_mean
    assert "suggest import did_you_mean" in inspect.getsource(package.UnknownTable)
    for module in (checks, package, reader):
        assert "difflib" not in inspect.getsource(module)


# ---------------------------------------------------------------- python -m cotw


def test_python_dash_m_cotw_is_the_cli(tmp_path):
    run = subprocess.run([sys.executable, "-m", "cotw", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout == f"cotw {cotw.__version__}\n"
    run = subprocess.run([sys.executable, "-m", "cotw", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith("Usage: cotw ")


@pytest.mark.parametrize("started", ["console script", "python -m cotw"])
def test_a_cotw_process_runs_openblas_with_one_thread_unless_its_caller_chose(monkeypatch, started):
    """cotw.cli.run: numpy's OpenBLAS starts a spinning thread per core (~100 ms of CPU per command); the command
    does no linear algebra, so it asks for one thread, before anything imports numpy. A caller's choice stands."""
    import importlib.metadata
    import os
    import runpy

    import cotw.cli

    (script,) = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "cotw"]
    assert script.value == "cotw.cli:run"
    seen = []
    monkeypatch.setattr(cotw.cli, "app", lambda **kwargs: seen.append((os.environ.get("OPENBLAS_NUM_THREADS"), kwargs)))
    start = script.load() if started == "console script" else lambda: runpy.run_module("cotw", run_name="__main__")
    for chosen in (None, "3"):
        if chosen is None:
            monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
        else:
            monkeypatch.setenv("OPENBLAS_NUM_THREADS", chosen)
        start()
    name = None if started == "console script" else "cotw"
    assert seen == [("1", {"prog_name": name}), ("3", {"prog_name": name})]


def test_importing_the_library_leaves_openblas_alone():
    import os

    code = "import os, cotw, cotw.cli; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert run.stdout == "None\n"


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

COMMANDS = ("check", "fmt", "codebook", "export", "diff", "locate", "next-id", "source add")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_the_same_quiet_option(cli, command):
    from cotw.cli.options import Quiet

    text = cli(*command.split(), "--help").stdout
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
    edit_csv(pkg / "data/people.csv", 2, "notes", "changed")
    old = tmp_path / "old"
    import shutil

    shutil.copytree(pkg, old)
    edit_csv(pkg / "data/people.csv", 2, "notes", "changed again")
    lines = cli("diff", old, pkg, "-q").stdout.splitlines()
    assert lines[0].startswith("people: ") and not any("tables changed between" in line for line in lines)
    assert cli("export", pkg, "--out", tmp_path / "dist", "--only", "json", "-q").output == ""


# ---------------------------------------------------------------- export: --only, and --format deprecated


def test_export_file_formats_are_chosen_with_only(pkg, cli, tmp_path):
    result = cli("export", pkg, "--out", tmp_path / "a", "--only", "json,csv")
    assert result.exit_code == 0 and result.stderr.splitlines() == [f"cotw export: {pkg} (version {cotw.__version__})"]  # no warning
    assert sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_dir() and p.name != "pages") == ["csv", "json"]  # pages/: the page's own
    options = [line.split()[0] for line in cli("export", "--help").stdout.splitlines() if line.startswith("  -")]
    assert "--only" in options and "--format" not in options and "-f," not in options


def test_exports_old_format_option_still_works_with_a_deprecation_warning(pkg, cli, tmp_path):
    result = cli("export", pkg, "--out", tmp_path / "b", "--format", "json")
    assert result.exit_code == 0
    assert "`cotw export --format` is deprecated; use --only" in result.stderr
    assert [p.name for p in (tmp_path / "b").iterdir() if p.is_dir() and p.name != "pages"] == ["json"]


# ---------------------------------------------------------------- the README's recipe for a fork of the data


def readme_yaml() -> list:
    import re

    import yaml

    from conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]


def test_the_readmes_workflow_runs_real_commands_with_github_annotations(pkg, cli, tmp_path):
    import shlex
    import shutil

    (workflow,) = [b for b in readme_yaml() if "jobs" in b]
    (job,) = workflow["jobs"].values()
    runs = [s["run"] for s in job["steps"] if "run" in s]
    # a pull request installs cotw from its base branch and is checked by its rules (--base); a push as before
    assert "cotw check . --format github" in runs and any("pip install ." in run for run in runs)
    base = tmp_path / "base"
    shutil.copytree(pkg, base)  # the base branch: here the same package
    for run in runs:
        if run.startswith("cotw "):
            run = run.replace("origin/${{ github.base_ref }}", str(base))
            args = [str(pkg) if a == "." else a for a in shlex.split(run)[1:]]
            result = cli(*args)
            assert result.exit_code == 0, (run, result.output)
    edit_csv(pkg / "data/statements.csv", 2, "country", "GRB")
    annotations = cli("check", pkg, "--format", "github").stdout
    assert "::error file=data/statements.csv,line=2," in annotations


def test_the_readmes_pre_commit_config_uses_the_real_hooks():
    import yaml

    from conftest import ROOT

    (config,) = [b for b in readme_yaml() if "repos" in b]
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    (repo,) = config["repos"]
    assert repo["repo"] == "local" and [h["id"] for h in repo["hooks"]] == list(hooks)
    for hook in repo["hooks"]:
        real = hooks[hook["id"]]
        for key in ("name", "entry", "args", "pass_filenames", "files"):
            assert hook[key] == real[key], (hook["id"], key)


@pytest.mark.slow
def test_the_readmes_pre_commit_config_passes_a_valid_fork_and_fails_a_broken_one(tmp_path):
    import os
    import shutil

    from conftest import PACKAGE_PARTS, ROOT
    from test_precommit import git

    if not (shutil.which("pre-commit") and shutil.which("git") and shutil.which("cotw")):
        pytest.skip("pre-commit, git or cotw is not on PATH (pip install -e '.[test]')")
    fork = tmp_path / "fork"
    fork.mkdir()
    for part in PACKAGE_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, fork / part)
    import re

    block = re.search(r"```yaml\n(repos:.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S).group(1)
    (fork / ".pre-commit-config.yaml").write_text(block, encoding="utf-8")
    git(fork, "init", "-q")
    git(fork, "add", "-A")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never")

    def run():
        return subprocess.run(["pre-commit", "run", "--all-files"], cwd=fork, env=env, capture_output=True, text=True, timeout=300)

    ok = run()
    assert ok.returncode == 0 and "cotw check" in ok.stdout and "Passed" in ok.stdout, ok.stdout + ok.stderr
    edit_csv(fork / "data/statements.csv", 2, "country", "GRB")
    git(fork, "add", "-A")
    bad = run()
    assert bad.returncode == 1
    assert "data/statements.csv:2: country 'GRB' is not a code in data/countries.csv (did you mean 'GBR'?)" in bad.stdout


# ---------------------------------------------------------------- issue 18: smaller items


@pytest.mark.parametrize("typed, meant", [("xlsx", "excel"), ("xls", "excel"), ("parqet", "parquet"), ("sqlite3", "sqlite")])
def test_an_unknown_export_format_is_answered_with_the_one_meant(cli, tmp_path, typed, meant):
    result = cli("export", "--out", tmp_path / "out", "--only", typed)
    assert result.exit_code == 2
    assert f"unknown format '{typed}' (did you mean '{meant}'?); choose from csv, parquet, sqlite, excel, json" in result.stderr
    assert not (tmp_path / "out").exists()


def test_codebook_check_outside_any_package_refuses_instead_of_pointing_into_site_packages(cli, tmp_path, monkeypatch):
    from cotw import discovery

    monkeypatch.chdir(tmp_path)
    if discovery.find(tmp_path) is not None:
        pytest.skip("a datapackage.json above the temporary folder")
    result = cli("codebook", "--check")
    assert result.exit_code == 2
    assert "cotw codebook --check never rewrites the installed data; cd into your package, or give its PATH" in result.stderr
    assert "--out" not in result.stderr
    assert cli("codebook", "--check", "--out", tmp_path / "CODEBOOK.md").exit_code == 1  # a file of yours: compared


def test_dir_of_cotw_shows_the_api_only():
    assert sorted(cotw.__all__) == sorted(["names", "load", "load_all", "schema", "summary", "validate", "read",
                                           "UnknownTable", "PackageError", "LoadError", "__version__"])
    public = [n for n in dir(cotw) if not n.startswith("_")]
    assert "Path" not in public and "annotations" not in public
    import types

    assert {n for n in public if not isinstance(getattr(cotw, n), types.ModuleType)} <= set(cotw.__all__)  # else: submodules
    for name in cotw.__all__:
        assert hasattr(cotw, name), name


@pytest.mark.parametrize("command", [[], ["check"], ["fmt"], ["codebook"], ["export"], ["diff"], ["locate"], ["next-id"],
                                     ["source"], ["source", "add"]])
def test_every_help_ends_with_an_example(cli, command):
    text = cli(*command, "--help").stdout
    last = text.rstrip().split("\n\n")[-1]
    assert last.lstrip().startswith("Example: cotw "), text


def test_fmt_help_says_what_its_path_may_be(cli):
    text = " ".join(cli("fmt", "--help").stdout.split())
    assert "never the installed data, nor a zipped package" in text
    assert "or a zipped package (default" not in text  # the shared PATH help promised a zip it refuses
