"""Shared fixtures: the repository's package, a private copy of it to break, and the CLI runner.

The suite runs on every core (pytest-xdist, `-n auto --dist loadgroup` in pyproject.toml). The tests of a
file that share a fixture built once for the file (an export, a package copy: module, class or session
scope) go to one worker together, so it is built once; the others go to whichever worker is free. A file
whose shared fixture falls into independent parts names them with `XDIST_GROUPS(item)` (e.g.
test_hostile_files: one group per kind of hostile file).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "data", "schema", "seeds")


def memory_scratch(environ: dict, mounts: str, shm: str = "/dev/shm") -> str | None:
    """Where this run keeps its temporary files, when not where the caller chose: `shm`, when the caller set no
    TMPDIR and `shm` is a memory file system (tmpfs, as in /proc/self/mounts) shared like /tmp (sticky, writable)
    with 4 GiB free; else None (the system's temporary directory, as usual).

    Why: a run writes ~0.9 GB in ~32,000 files (a private package copy per test, exports, zips), each folder
    removed when its test passes. Where /tmp is on a disk (ext4 on this project's virtual machines), the
    kernel's work for those files was 48-60 s of CPU per run, and copying the package 8-27 ms, against 33-36 s
    and ~3 ms in memory (measured: benchmarks/README.md). The tests are the same wherever their files are."""
    if environ.get("TMPDIR"):
        return None
    if not any(line.split()[1:3] == [shm, "tmpfs"] for line in mounts.splitlines() if len(line.split()) > 2):
        return None
    try:
        st, free = os.stat(shm), os.statvfs(shm)
    except OSError:
        return None
    sticky_and_shared = st.st_mode & 0o1777 == 0o1777
    if not sticky_and_shared or not os.access(shm, os.W_OK | os.X_OK) or free.f_bavail * free.f_frsize < 4 << 30:
        return None
    return shm


def _scratch_for_this_run() -> None:
    """Set up in the first pytest process, before it starts the workers, which inherit it (as do the processes
    the tests start): see memory_scratch."""
    try:
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            mounts = fh.read()
    except OSError:
        return
    folder = memory_scratch(os.environ, mounts)
    if folder:
        import tempfile

        os.environ["TMPDIR"] = folder
        tempfile.tempdir = None  # asked again: pytest's temporary root, and everything else, follows TMPDIR


_scratch_for_this_run()


def _one_openblas_thread() -> None:
    """The processes of this run (the workers, and every Python the tests start) run numpy's OpenBLAS with one
    thread, as the `cotw` command does (cotw.cli.run): a thread per core spins at start-up, ~100 ms of CPU in
    every process that imports numpy, and nothing here does linear algebra. A caller's setting stands."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_one_openblas_thread()


def _bytecode_for_this_run() -> None:
    """Where PYTHONDONTWRITEBYTECODE is set (as on the machines this project is tested on) and scripts/setup.sh
    installed without byte-compiling (--no-compile), every Python process the suite starts (the xdist workers,
    ~100 `cotw` and helper processes) compiled every module it imported from source: 0.7 s for `cotw check` in
    a fresh clone, 0.4 s with compiled modules. For this run only, bytecode is written to a folder of its own
    in the temporary directory (PYTHONPYCACHEPREFIX), never beside the sources, and removed at the end: each
    module is compiled once per run. Set up in the first pytest process, before it starts the workers, which
    inherit it."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return  # Python writes bytecode as usual, or the caller chose where
    import atexit
    import tempfile

    folder = tempfile.mkdtemp(prefix="cotw-tests-bytecode-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = folder
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    sys.dont_write_bytecode = False


_bytecode_for_this_run()


def _one_click_command_per_app() -> None:
    """typer's CliRunner builds the whole click command of the app again on every invoke (typer.main.get_command,
    6 ms of the 9 ms an in-process `cotw --help` takes); the suite invokes the CLI thousands of times. Here it is
    built once per app object and reused: click makes a new context for every invocation, the callbacks are cotw's
    own functions (looked up when called, so a monkeypatch still takes effect), and `cotw` itself builds it once
    per process too. tests/test_xdist_groups.py shows that an invoke answers the same with it."""
    import typer.testing

    build = typer.testing._get_command
    built: dict[int, tuple[object, object]] = {}

    def get_command(app):
        if built.get(id(app), (None,))[0] is not app:
            built[id(app)] = (app, build(app))
        return built[id(app)][1]

    get_command.built_by = build
    typer.testing._get_command = get_command


_one_click_command_per_app()


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


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Path:
    """A pristine copy of the package standing in for the installed data (cotw/_package in site-packages)."""
    dest = tmp_path / "site-packages" / "cotw" / "_package"
    dest.mkdir(parents=True)
    for part in PACKAGE_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, dest / part)
    monkeypatch.setattr("cotw.package.default_root", lambda: dest)
    return dest


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder inside no data package."""
    from cotw import discovery

    here = tmp_path / "elsewhere"
    here.mkdir()
    if discovery.find(here) is not None:
        pytest.skip(f"a datapackage.json above {here} makes every folder here part of a package")
    return here


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> Path:
    """This checkout's wheel, as `pip wheel --no-deps --no-build-isolation` builds it, built once per test run
    and shared by every test (and every xdist worker) that reads or installs it; none may change it.

    The workers share the run's temporary root; a file lock lets the first one build while the others wait
    (the pattern pytest-xdist documents for session fixtures that must run once)."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # basetemp/popen-gwN: the parent is this run's, shared by its workers
    out = base / "built-wheel"
    with FileLock(str(out) + ".lock"):
        wheels = sorted(out.glob("cotw-*.whl"))
        if not wheels:
            partial = base / "built-wheel.partial"
            shutil.rmtree(partial, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(partial),
                            str(ROOT)], check=True, capture_output=True, timeout=600)
            partial.rename(out)
            wheels = sorted(out.glob("cotw-*.whl"))
    (wheel,) = wheels
    return wheel


def cpu() -> float:
    """CPU seconds used so far by this process and its finished children: what a bound on a step's cost
    compares (wall time swings with whatever else the machine runs)."""
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


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


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the marks into groups (it reads them once)
def pytest_collection_modifyitems(config, items):
    """Group for pytest-xdist the tests that share an expensive fixture of their file (module, class or
    session scope, defined in that file), so it is built once; every other test goes to whichever worker
    is free. A file whose shared fixture splits into independent parts names them with XDIST_GROUPS."""
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        finer = getattr(item.module, "XDIST_GROUPS", None)
        if finer:
            item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}:{finer(item)}"))
        elif _shares_a_fixture_of_its_file(item):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


def _shares_a_fixture_of_its_file(item) -> bool:
    for defs in getattr(item, "_fixtureinfo", None).name2fixturedefs.values() if hasattr(item, "_fixtureinfo") else ():
        d = defs[-1]
        if str(d.scope) in ("module", "class", "package", "session") and d.baseid.endswith(".py"):
            return True
    return False
