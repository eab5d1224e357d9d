"""Every command the workflow files and the docs tell someone to run does run.

The README's two commands are run as written by .ci/run (tests/test_readme.py keeps them in step); here,
every other command: the steps of `.github/workflows/*.yml`, the workflow and pre-commit recipes in
README.md and CONTRIBUTING.md, and CONTRIBUTING's pre-pull-request block. Each runs in a copy of this
repository (a git repository of its own, so nothing here is touched), with this environment's `cotw`
and `python` first on PATH. Installing (`pip install`, `scripts/setup.sh`) is what .ci/run does, and
`python -m pytest` is this suite: those lines are not run again, but the files they name must exist.
A command of any other kind fails this test until it is taught here how to run it.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "CONTRIBUTING.md")
SKIP = {".git", ".venv", ".hypothesis", "__pycache__", ".pytest_cache", "downloads", "build", "dist", "roundtrip",
        ".benchmarks"}
INSTALL = re.compile(r"^(bash scripts/setup\.sh\b|pip install |python -m pip install )")
PYTEST = re.compile(r"^python -m pytest\b(.*)$")


GITHUB = {"github.base_ref": "main"}  # a pull request into main: its expressions as GitHub fills them in


def workflow_scripts(text: str) -> list[str]:
    """The `run` scripts of every step of a GitHub Actions workflow, the step's `env` set first and its
    `${{ github.* }}` expressions filled in as on a pull request into main."""
    wf = yaml.safe_load(text)
    out = []
    for job in (wf.get("jobs") or {}).values():
        for step in job.get("steps", []):
            if "run" in step:
                env = "".join(f"export {k}={shlex.quote(str(v))}\n" for k, v in (step.get("env") or {}).items())
                out.append(re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: GITHUB[m.group(1)], env + step["run"]))
    return out


def precommit_commands(text: str) -> list[str]:
    """`entry args` of every hook of a .pre-commit-config.yaml that names its entry (a local hook)."""
    cfg = yaml.safe_load(text)
    return [" ".join([hook["entry"], *map(shlex.quote, hook.get("args", []))])
            for repo in cfg.get("repos", []) for hook in repo.get("hooks", []) if "entry" in hook]


def fenced(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced code block of a Markdown text, in order."""
    blocks, info, body = [], None, []
    for line in text.splitlines():
        if info is None and line.startswith("```"):
            info, body = line[3:].strip(), []
        elif info is not None and line.strip() == "```":
            blocks.append((info, "\n".join(body) + "\n"))
            info = None
        elif info is not None:
            body.append(line)
    return blocks


def documented() -> list[tuple[str, str]]:
    """(where, script) for every command the workflows and the docs give."""
    found = [(f".github/workflows/{p.name}", s) for p in sorted((ROOT / ".github/workflows").glob("*.yml"))
             for s in workflow_scripts(p.read_text(encoding="utf-8"))]
    for doc in DOCS:
        text = (ROOT / doc).read_text(encoding="utf-8")
        for info, block in fenced(text):
            if info == "yaml":
                found += [(f"{doc} (workflow)", s) for s in workflow_scripts(block)] if "jobs:" in block else []
                found += [(f"{doc} (pre-commit)", s) for s in precommit_commands(block)] if "repos:" in block else []
            elif info == "" and all(line.startswith(("cotw ", "python ")) for line in block.splitlines() if line.strip()):
                found.append((f"{doc} (commands)", block))  # a plain block of commands to type
    return found


def runnable(script: str) -> str:
    """The script without its install and test-suite lines (checking the files those name)."""
    kept = []
    for line in script.splitlines():
        stripped = line.strip()
        if INSTALL.match(stripped):
            kept.append(line[:len(line) - len(line.lstrip())] + ":  # installed by .ci/run")  # keeps if/else whole
            continue
        suite = PYTEST.match(stripped)
        if suite:
            for arg in suite.group(1).split():
                assert arg.startswith("-") or (ROOT / arg).exists(), f"{stripped}: {arg} does not exist"
            continue
        kept.append(line)
    return "\n".join(kept)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("commands") / "cotw"
    shutil.copytree(ROOT, dest, ignore=lambda d, names: {n for n in names if n in SKIP or n.endswith(".egg-info")})
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "copy"], ["update-ref", "refs/remotes/origin/main", "HEAD"]):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)  # origin/main: the base
    return dest


def test_the_docs_and_workflows_give_commands():
    where = {w for w, _ in documented()}
    assert {".github/workflows/ci.yml", "README.md (workflow)", "README.md (pre-commit)",
            "CONTRIBUTING.md (commands)"} <= where


@pytest.mark.parametrize("where,script", documented(), ids=lambda v: v if "\n" not in v and len(v) < 50 else None)
def test_every_documented_command_runs(repo, where, script):
    body = runnable(script)
    if not body.strip():
        return
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               RUNNER_TEMP=str(repo.parent / f"runner-{abs(hash(script))}"))
    env.pop("GITHUB_ACTIONS", None)
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, f"{where}:\n{body}\n--- exit {out.returncode}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    assert "Traceback" not in out.stderr
