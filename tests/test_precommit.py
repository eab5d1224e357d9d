"""The pre-commit hooks work from another repository: CONTRIBUTING.md's configuration (its `repo:` a throwaway
committed copy of this repository, tagged with the `rev:` it pins) in a throwaway git repo, `pre-commit run`.

pre-commit installs this package into its own virtualenv (`language: python`), which needs pip to reach
an index for the dependencies; the test gives it none (see offline_env), so the suite passes offline. As for
a user, the environment is installed by the first run and reused by the next (one PRE_COMMIT_HOME).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit")
SKIP = {".git", ".hypothesis", "__pycache__", ".pytest_cache", "downloads", "build", "dist", ".venv"}

needs_pre_commit = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None,
                                      reason="pre-commit or git is not installed (pip install -e '.[test]')")


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_AUTHOR_DATE="2000-01-01T00:00:00Z", GIT_COMMITTER_DATE="2000-01-01T00:00:00Z")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def ignored(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A committed copy of this repository (pre-commit clones a git repo, and must not touch the real one)."""
    dest = tmp_path_factory.mktemp("hooks") / "cotw"
    shutil.copytree(ROOT, dest, ignore=ignored)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "hooks under test")
    return dest


@pytest.fixture
def user_repo(tmp_path) -> Path:
    """Another repository that holds a cotw data package."""
    dest = tmp_path / "user"
    dest.mkdir()
    for part in ("datapackage.json", "data", "schema", "seeds"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    return dest


def offline_env() -> dict[str, str]:
    """pre-commit builds the hook's own virtualenv with pip; here pip may not reach any index
    (PIP_NO_INDEX), and finds cotw's dependencies and its build backend (hatchling) already installed
    in this test environment, put on the hook environment's path (PYTHONPATH is read by every Python,
    and pip counts what it finds there as installed). So the test passes offline, and fails rather
    than download anything."""
    import site
    import sysconfig

    paths = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()]
    return dict(os.environ, PRE_COMMIT_COLOR="never", PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0",
                PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONPATH=os.pathsep.join(dict.fromkeys(paths)))


def documented_config(hook_repo: Path) -> str:
    """CONTRIBUTING.md's pre-commit configuration for another repository, its address `hook_repo`; the
    `rev:` it pins is made a tag there (as scripts/release.py --tag makes it)."""
    import re

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S) if "cotw-check" in b and "rev:" in b]
    rev = re.search(r"^\s*rev:\s*(\S+)", block, flags=re.M).group(1)
    if rev not in git(hook_repo, "tag", "--list").split():
        git(hook_repo, "tag", rev)
    return block.replace("REPOSITORY", str(hook_repo))


def try_repo(hook_repo: Path, user_repo: Path, home: Path) -> subprocess.CompletedProcess:
    """`pre-commit run --all-files` in `user_repo` with the documented configuration (kept outside it);
    `home` is pre-commit's store, where the hooks' environment is installed once."""
    config = home.parent / "pre-commit-config.yaml"
    config.write_text(documented_config(hook_repo), encoding="utf-8")
    env = dict(offline_env(), PRE_COMMIT_HOME=str(home))
    return subprocess.run([PRE_COMMIT, "run", "--config", str(config), "--all-files", "--verbose"],
                          cwd=user_repo, env=env, capture_output=True, text=True, timeout=900)


def test_ci_workflow_runs_tests_check_fmt_and_export_on_each_python():
    yaml = pytest.importorskip("yaml")
    wf = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    job = wf["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12"]
    assert job["env"]["HYPOTHESIS_PROFILE"] == "ci"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    for command in ("python -m pytest", "cotw check . --with-frictionless --format github", "cotw fmt --check .",
                    "cotw export --out downloads ."):
        assert command in runs


def test_hooks_file_declares_both_hooks():
    yaml = pytest.importorskip("yaml")

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"cotw-check", "cotw-fmt"}
    assert hooks["cotw-check"]["entry"] == "cotw check" and hooks["cotw-fmt"]["entry"] == "cotw fmt --check"
    assert all(h["pass_filenames"] is False and h["language"] == "python" for h in hooks.values())


@needs_pre_commit
@pytest.mark.slow
def test_hooks_pass_on_a_valid_package_and_fail_with_located_errors(hook_repo, user_repo, tmp_path):
    from cotw.io.canonical import format_package
    from cotw.package import Package

    format_package(Package.open(user_repo))  # start from canonical files: the shipped data may be mid-edit
    git(user_repo, "add", "-A")

    ok = try_repo(hook_repo, user_repo, tmp_path / "pre-commit-home")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "cotw check" in ok.stdout and "cotw fmt --check" in ok.stdout and "Passed" in ok.stdout

    csv_file = user_repo / "data/conditions.csv"
    header, first, *rest = csv_file.read_text(encoding="utf-8").split("\n")
    csv_file.write_text("\n".join([header, first, "", *rest]), encoding="utf-8")  # a blank line on line 3
    git(user_repo, "add", "-A")
    bad = try_repo(hook_repo, user_repo, tmp_path / "pre-commit-home")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "data/conditions.csv:3: blank line (delete the line; `cotw fmt` does this) [blank-line]" in bad.stdout
    assert "would reformat data/conditions.csv (blank lines)" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
