"""`--with-frictionless` never lets frictionless open a file of the package itself.

frictionless follows symbolic links and opens whatever a descriptor names (data, schema, dialect),
so it validates a private copy made of the bytes cotw read through safeio; when one of those files
may not be read, frictionless is not run, and the report says so.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import cotw

FILE = "data/conditions.csv"
_opened: list[str] | None = None


def _audit(event, args):
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # cannot be removed; it records only while a test asks it to


@pytest.fixture
def opened():
    """Every path opened (by Python code: cotw's, frictionless's) while the test runs."""
    global _opened
    _opened = []
    yield _opened
    _opened = None


@pytest.fixture
def handed(monkeypatch):
    """The paths frictionless.validate was called with, and what was there at that moment."""
    import frictionless

    calls = []
    real = frictionless.validate

    def spy(source, *args, **kwargs):
        folder = Path(source).parent
        calls.append((Path(source), {str(p.relative_to(folder)): (p.is_symlink(), p.is_file())
                                     for p in folder.rglob("*")}))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(frictionless, "validate", spy)
    return calls


def test_frictionless_validates_a_private_copy_of_regular_files_removed_afterwards(pkg, handed):
    report = cotw.validate(pkg, with_frictionless=True)
    assert report.ok, report.render_text()
    ((source, files),) = handed
    assert pkg.resolve() not in source.resolve().parents
    assert source.name == "datapackage.json"
    assert files and not any(link for link, _ in files.values())
    assert {"datapackage.json", FILE, "schema/conditions.json"} <= set(files)
    assert not source.parent.exists()


def test_a_link_inside_the_package_reaches_frictionless_as_the_bytes_cotw_read(pkg, handed):
    os.replace(pkg / FILE, pkg / "data" / "conditions-real.csv")
    os.symlink("conditions-real.csv", pkg / FILE)
    report = cotw.validate(pkg, with_frictionless=True)
    assert report.ok, report.render_text()
    ((_, files),) = handed
    assert files[FILE] == (False, True)


def test_frictionless_is_not_run_on_a_package_with_a_file_linked_outside(pkg, tmp_path, handed, opened):
    outside = tmp_path / "secret.csv"
    outside.write_text("condition_id\nSECRET-VALUE\n", encoding="utf-8")
    (pkg / FILE).unlink()
    os.symlink(outside, pkg / FILE)
    opened.clear()  # what the test itself wrote does not count
    report = cotw.validate(pkg, with_frictionless=True)
    assert handed == []
    assert [p.text() for p in report.problems if p.layer == "frictionless"] == [
        f"{FILE}: frictionless was not run: {FILE} resolves outside the package (through a symbolic link); it was not read [not-run]"]
    assert "SECRET-VALUE" not in report.render_text()
    assert not [p for p in opened if os.path.realpath(p) == str(outside.resolve())]


def test_a_dialect_file_linked_outside_is_not_handed_to_frictionless(pkg, tmp_path, handed, opened):
    """cotw itself never reads a dialect file; frictionless would, through the link."""
    outside = tmp_path / "dialect.json"
    outside.write_text(json.dumps({"delimiter": ",", "header": True}), encoding="utf-8")
    os.symlink(outside, pkg / "dialect.json")
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["path"] == FILE)["dialect"] = "dialect.json"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    opened.clear()
    report = cotw.validate(pkg, with_frictionless=True)
    assert handed == []
    found = [p.text() for p in report.problems]
    # the descriptor layer refuses a dialect given as a file before frictionless could be asked to read it
    assert any("/dialect: 'dialect.json' is a reference to a file; cotw reads CSV dialects inline only, so it was not read" in t for t in found), found
    assert not [p for p in opened if os.path.realpath(p) == str(outside.resolve())]


def test_frictionless_messages_name_the_package_not_the_private_copy(pkg):
    (pkg / FILE).unlink()
    report = cotw.validate(pkg, with_frictionless=True)
    messages = [p.message for p in report.problems if p.layer == "frictionless"]
    assert messages, report.render_text()
    assert not any("cotw-frictionless-" in m for m in messages), messages


def test_remembering_frictionless_case_conversions_changes_none_of_its_answers(pkg, monkeypatch):
    """second_opinion._remember_case_conversions: frictionless's answers on a package with errors in several
    tables are the same with its camelCase/snake_case conversions remembered and with them computed each time."""
    from conftest import edit_csv
    from frictionless.vendors import stringcase

    from cotw.check.second_opinion import frictionless_problems
    from cotw.package import Package

    edit_csv(pkg / "data/statements.csv", 2, "country", "UKK")
    edit_csv(pkg / "data/positions.csv", 3, "value", "maybe")
    edit_csv(pkg / "data/conditions.csv", 2, "condition_id", "")
    remembered = frictionless_problems(Package.open(pkg))
    assert all(hasattr(getattr(stringcase, n), "remembered") for n in ("snakecase", "camelcase"))
    for name in ("snakecase", "camelcase"):
        monkeypatch.setattr(stringcase, name, getattr(stringcase, name).remembered)
    monkeypatch.setattr("cotw.check.second_opinion._remember_case_conversions", lambda: None)
    fresh = frictionless_problems(Package.open(pkg))
    assert not hasattr(stringcase.snakecase, "remembered")
    assert [p.text() for p in remembered] == [p.text() for p in fresh] and len(fresh) >= 3
