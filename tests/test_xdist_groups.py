"""How the suite runs (tests/conftest.py). The grouping for pytest-xdist takes effect: tests that share an expensive
fixture of their file run on one worker, so the fixture is built once. xdist turns `xdist_group` marks into
groups in its own collection hook, once; a mark added after it runs is ignored without a word (in 0.3.0
every fixture shared this way was built again on each worker). And a run started with
PYTHONDONTWRITEBYTECODE keeps the bytecode of the processes it starts in a folder of its own."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_a_test_that_shares_a_fixture_of_its_file_is_in_its_files_group(shared, request):
    if not os.environ.get("PYTEST_XDIST_WORKER") or not request.config.getvalue("loadgroup"):
        pytest.skip("the suite runs without pytest-xdist's loadgroup here (e.g. -n 0): there are no groups")
    assert request.node.nodeid.endswith("@test_xdist_groups"), request.node.nodeid


def test_a_test_without_a_shared_fixture_goes_to_any_worker(request):
    assert "@" not in request.node.nodeid


def test_the_runs_bytecode_goes_to_a_folder_of_its_own_never_beside_the_sources(tmp_path):
    """conftest.py: a run started with PYTHONDONTWRITEBYTECODE writes its bytecode (for the processes it
    starts to reuse) only under its own temporary folder."""
    import subprocess
    import sys
    from pathlib import Path

    prefix = os.environ.get("PYTHONPYCACHEPREFIX", "")
    if "cotw-tests-bytecode-" not in prefix:
        pytest.skip("this run was started with bytecode written as Python does by default (or where its caller chose)")
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ
    (tmp_path / "probe_module.py").write_text("X = 1\n", encoding="utf-8")
    subprocess.run([sys.executable, "-c", "import probe_module"], cwd=tmp_path, check=True, timeout=60)
    assert not (tmp_path / "__pycache__").exists()
    assert [p.name for p in Path(prefix).rglob("probe_module*.pyc")] != []


def test_the_cli_answers_the_same_with_its_command_built_once(pkg, monkeypatch):
    """conftest.py reuses typer's click command per app: invoking through a command built afresh each time
    (typer's own way) gives the same exit codes and output."""
    import typer.testing
    from typer.testing import CliRunner

    from cotw.cli import app

    runner = CliRunner()
    runs = [["check", str(pkg)], ["check", "--format", "json", str(pkg)], ["next-id", "statements", str(pkg)],
            ["fmt", "--check", str(pkg)], ["codebook", "--help"], ["export", "--only", "xlsx", str(pkg)], ["nonsense"]]
    reused = [(r.exit_code, r.stdout, r.stderr) for r in (runner.invoke(app, a) for a in runs)]
    assert typer.testing._get_command(app) is typer.testing._get_command(app)
    monkeypatch.setattr(typer.testing, "_get_command", typer.testing._get_command.built_by)
    assert typer.testing._get_command(app) is not typer.testing._get_command(app)
    assert [(r.exit_code, r.stdout, r.stderr) for r in (runner.invoke(app, a) for a in runs)] == reused
