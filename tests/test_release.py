"""scripts/release.py: the date goes into CHANGELOG.md and CITATION.cff together, and a dry run builds the
sdist and wheel and proves, in a fresh environment, that the wheel alone installs and works."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "release.py"


def release():
    spec = importlib.util.spec_from_file_location("release", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def undate(folder, v: str) -> None:
    """Undo a release's dating in a copy (the repository's version may be released already): the heading
    back to `(not yet released)`, CITATION.cff without date-released."""
    log = folder / "CHANGELOG.md"
    log.write_text(re.sub(rf"^## \[{re.escape(v)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", f"## [{v}] (not yet released)",
                          log.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    cff = folder / "CITATION.cff"
    cff.write_text(re.sub(r"^date-released:.*\n", "", cff.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")


@pytest.fixture
def dated(tmp_path):
    """The files the release reads and dates, as they were before this version was released."""
    for name in ("CHANGELOG.md", "CITATION.cff", "pyproject.toml", "datapackage.json"):
        shutil.copy2(ROOT / name, tmp_path / name)
    undate(tmp_path, release().version(ROOT))
    return tmp_path


def test_the_date_goes_into_the_changelog_heading_and_citation_together(dated):
    r = release()
    v = r.version(ROOT)
    r.date_release(dated, v, "2031-02-03")
    changelog = (dated / "CHANGELOG.md").read_text(encoding="utf-8")
    # the form tests/test_formats.py reads: a dated heading means a released version
    released = re.search(rf"^## \[{re.escape(v)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, flags=re.M)
    assert released and released.group(1) == "2031-02-03"
    assert f"## [{v}] (not yet released)" not in changelog
    meta = yaml.safe_load((dated / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(meta["date-released"]) == "2031-02-03" and meta["version"] == v
    assert "date-released is added when" not in (dated / "CITATION.cff").read_text(encoding="utf-8")
    with pytest.raises(r.ReleaseError, match="released already"):  # a version is dated once
        r.date_release(dated, v, "2031-02-04")


def test_a_released_version_is_never_dated_again_and_a_release_of_it_is_refused(dated):
    r = release()
    v = r.version(ROOT)
    assert r.released_on(dated, v) is None
    r.date_release(dated, v, "2031-02-03")
    assert r.released_on(dated, v) == "2031-02-03"
    before = {p.name: p.read_bytes() for p in dated.iterdir()}
    assert r.main(["--root", str(dated), "--date", "2031-02-04"]) == 1
    assert {p.name: p.read_bytes() for p in dated.iterdir()} == before
    cff = (dated / "CITATION.cff").read_text(encoding="utf-8").replace("date-released: 2031-02-03", "date-released: 2031-02-04")
    (dated / "CITATION.cff").write_text(cff, encoding="utf-8")
    with pytest.raises(r.ReleaseError, match="must agree"):  # the two files dating one version differently
        r.released_on(dated, v)


def test_a_citation_dated_without_its_changelog_is_refused_and_neither_is_written(dated):
    r = release()
    v = r.version(ROOT)
    cff = (dated / "CITATION.cff").read_text(encoding="utf-8").replace(f'version: "{v}"', f'version: "{v}"\ndate-released: 2030-01-01')
    (dated / "CITATION.cff").write_text(cff, encoding="utf-8")
    before = (dated / "CHANGELOG.md").read_bytes()
    with pytest.raises(r.ReleaseError, match="already has a date-released"):
        r.date_release(dated, v, "2031-02-03")
    assert (dated / "CHANGELOG.md").read_bytes() == before


def test_dry_run_never_tags():
    run = subprocess.run([sys.executable, str(SCRIPT), "--dry-run", "--tag"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--dry-run never tags" in run.stderr


@pytest.mark.slow
def test_a_dry_run_builds_and_proves_the_wheel_alone_and_changes_nothing(tmp_path):
    before = {name: (ROOT / name).read_bytes() for name in ("CHANGELOG.md", "CITATION.cff")}
    tags = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True).stdout
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(ROOT / "src")  # the script's own imports only; the proof unsets it
    run = subprocess.run([sys.executable, str(SCRIPT), "--dry-run", "--date", "2031-02-03", "--out", str(tmp_path / "dist")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    when = release().released_on(ROOT, release().version(ROOT))  # released: proved as released; else dated in the copy
    assert lines[-1].startswith(f"dry run: cotw {release().version(ROOT)} " + (f"released on {when}," if when else "dated 2031-02-03 "))
    assert {p.name for p in (tmp_path / "dist").iterdir()} >= {"cotw-" + release().version(ROOT) + ".tar.gz",
                                                               "cotw-" + release().version(ROOT) + "-py3-none-any.whl"}
    proof = [l for l in lines if l.startswith("proved: ")]
    assert re.fullmatch(r"proved: cotw.load: \d+ statements from .*/venv/lib/python[\d.]+/site-packages/cotw", proof[0]), proof
    assert re.fullmatch(r"proved: cotw check: .*/venv/lib/python[\d.]+/site-packages/cotw/_package \(version .*; the installed data, .*\)", proof[1]), proof
    assert proof[2].startswith("proved: valid: ")
    assert {name: (ROOT / name).read_bytes() for name in before} == before
    assert subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True).stdout == tags


def test_the_pin_instructions_name_a_release_tag_and_no_placeholder_address():
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for name in ("CONTRIBUTING.md", "README.md", ".pre-commit-hooks.yaml"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "<owner>" not in text and "rev: v0.1.0" not in text, name  # 0.1.0 was never released or tagged
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert f"rev: v{version}" in contributing and "scripts/release.py" in contributing
