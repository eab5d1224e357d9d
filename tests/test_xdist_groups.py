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


TMPFS_AT_SHM = "sysfs /sys sysfs rw 0 0\n/dev/vda / ext4 rw,relatime 0 0\ntmpfs /dev/shm tmpfs rw,relatime,size=24683784k 0 0\n"


def test_temporary_files_go_to_memory_only_where_the_caller_chose_no_folder_and_it_is_a_shared_tmpfs(tmp_path):
    """conftest.memory_scratch: /dev/shm (a tmpfs) when no TMPDIR is set; never against the caller's TMPDIR, never
    on a folder that is not a tmpfs mount, not shared like /tmp or without 4 GiB free."""
    from conftest import memory_scratch

    shm = tmp_path / "shm"
    shm.mkdir()
    shm.chmod(0o1777)
    mounts = TMPFS_AT_SHM.replace("/dev/shm", str(shm))
    free = os.statvfs(shm)
    roomy = free.f_bavail * free.f_frsize >= 4 << 30
    assert memory_scratch({}, mounts, str(shm)) == (str(shm) if roomy else None)
    assert memory_scratch({"TMPDIR": "/var/tmp"}, mounts, str(shm)) is None
    assert memory_scratch({}, mounts.replace("tmpfs rw", "ext4 rw"), str(shm)) is None
    assert memory_scratch({}, TMPFS_AT_SHM, str(shm)) is None  # the tmpfs is mounted elsewhere
    assert memory_scratch({}, mounts, str(shm / "missing")) is None
    shm.chmod(0o755)
    assert memory_scratch({}, mounts, str(shm)) is None


def test_this_runs_temporary_files_are_where_conftest_chose_and_its_processes_inherit_that(tmp_path):
    import subprocess
    import sys
    import tempfile

    from pathlib import Path

    if not os.environ.get("TMPDIR"):
        pytest.skip("no memory file system for temporary files here, and the caller chose none")
    folder = Path(os.environ["TMPDIR"]).resolve()  # as given: with a trailing slash, or through a link
    assert folder in Path(tmp_path).resolve().parents
    assert Path(tempfile.gettempdir()).resolve() == folder
    child = subprocess.run([sys.executable, "-c", "import tempfile; print(tempfile.gettempdir())"], capture_output=True,
                           text=True, check=True, timeout=60)
    assert Path(child.stdout.strip()).resolve() == folder
