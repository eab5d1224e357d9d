"""The README's examples are executed, and CI runs exactly the README's test command."""
from __future__ import annotations

import doctest
import re
import subprocess

import cotw


def test_python_examples(root):
    result = doctest.testfile(str(root / "README.md"), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0


def console_steps(markdown: str) -> list[tuple[str, str]]:
    """Every `$ command` of the Markdown's console blocks, in order, with the output printed under it."""
    steps = [step for block in re.findall(r"```console\n(.*?)```", markdown, flags=re.S)
             for step in re.findall(r"^\$ (.+)\n((?:(?!\$ ).*\n)*)", block, flags=re.M)]
    assert steps
    return steps


def run_step(command: str, cwd, with_stderr: bool = False) -> str:
    """What the command prints in a shell in `cwd` (with its errors, as a terminal shows them, if asked)."""
    out = subprocess.run(command, shell=True, cwd=cwd, stdout=subprocess.PIPE, text=True, timeout=300,
                         stderr=subprocess.STDOUT if with_stderr else subprocess.PIPE)
    return out.stdout


def test_console_examples(root, tmp_path):
    for command, expected in console_steps((root / "README.md").read_text(encoding="utf-8")):
        assert run_step(command, tmp_path) == expected, command


def test_located_error_example_is_real(root, pkg):
    from conftest import edit_csv

    example = re.search(r"```text\n(data/statements\.csv:(\d+): .*)\n```", (root / "README.md").read_text(encoding="utf-8"))
    line = int(example.group(2))
    edit_csv(pkg / "data/statements.csv", line, "country", "UKK")
    assert example.group(1) in [p.text() for p in cotw.validate(pkg).problems]


def test_ci_runs_the_readme_commands_as_written(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert len(commands) == 2, "the README gives two commands for a fresh machine"
    assert "cotw export --out downloads" in commands[0] and "pytest" in commands[1]
    ci = [l for l in (root / ".ci/run").read_text(encoding="utf-8").splitlines() if l and not l.startswith(("#", "set ", "cd ", "export HOME="))]
    main_job = f"env -i PATH=/usr/bin:/bin HOME=\"$HOME\" bash -c '{commands[0]}'"  # only Debian's python3 on PATH
    assert ci == [main_job, f"( {commands[1]} )"]


def test_the_test_setup_installs_the_build_backend_that_pyproject_names(root):
    """Where scripts/setup.sh installs with pip, it builds the editable install without build isolation, in .venv:
    it installs there, first, exactly what pyproject.toml's [build-system] requires (and `editables`, which
    hatchling's editable builds import), so that the two cannot drift apart. (uv builds in an environment of
    its own, which it keeps in its cache.)"""
    import tomllib

    requires = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    setup = (root / "scripts/setup.sh").read_text(encoding="utf-8")
    first = next(line for line in setup.splitlines() if line.strip().startswith("pip_install ") and "-e" not in line.split())
    assert all(f"'{r}'" in first for r in requires) and "editables" in first, first
    assert "pip_install --no-build-isolation -e '.[test]'" in setup
