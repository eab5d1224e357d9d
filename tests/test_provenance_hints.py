"""The verbatim check's answers: a hint that shows only what is needed, names Unicode normalisation
when that is the only difference, and an archive that cannot be read is said to be unreadable.

Rows are chosen at run time from the shipped data (conditions.csv cites the GMF report), so the
tests follow the data as it is curated.
"""
from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import unicodedata

import pytest

import cotw
from cotw.check.provenance import HINT_CHARS
from conftest import edit_csv

FILE = "data/conditions.csv"


def rows(pkg, file=FILE):
    return list(csv.DictReader(io.StringIO((pkg / file).read_text(encoding="utf-8"), newline="")))


def verbatim_problems(pkg, file=FILE):
    return [p for p in cotw.validate(pkg).problems if p.rule == "verbatim" and p.file == file]


def archive_of(pkg, source_id):
    return next(r["archive"] for r in rows(pkg, "data/sources.csv") if r["source_id"] == source_id)


def a_long_single_line_row(pkg):
    for line, row in enumerate(rows(pkg), start=2):
        if len(row["evidence"]) > 80 and "\n" not in row["evidence"] and row["evidence"].isascii():
            return line, row
    pytest.skip("no long single-line ASCII evidence in conditions.csv")


def hint_of(problem) -> str:
    """The hint without the `cotw locate` command that every verbatim hint ends with (tests/test_locate.py)."""
    return problem.hint.split("; find the words as archived with: ")[0]


@pytest.mark.parametrize("tail", ["Zq", "Zq and then a long made-up ending that goes on and on"])
def test_the_hint_quotes_at_most_what_the_cell_claims_and_never_more_than_the_bound(pkg, tail):
    line, row = a_long_single_line_row(pkg)
    keep = 50
    edit_csv(pkg / FILE, line, "evidence", row["evidence"][:keep] + tail)
    (problem,) = [p for p in verbatim_problems(pkg) if p.line == line]
    cell_part = tail[:HINT_CHARS]
    source_part = row["evidence"][keep:keep + len(cell_part)]  # the source goes on with the original words
    assert hint_of(problem) == f"the first {keep} characters match; then the cell has {cell_part!r} where the source has {source_part!r}"
    assert len(source_part) <= min(len(tail), HINT_CHARS)


def test_a_decomposed_accent_is_named_as_unicode_normalisation(pkg):
    line, row = next((i, r) for i, r in enumerate(rows(pkg), start=2) if "Sprūds" in r["evidence"] and "\n" not in r["evidence"])
    decomposed = unicodedata.normalize("NFD", row["evidence"])
    assert decomposed != row["evidence"]
    edit_csv(pkg / FILE, line, "evidence", decomposed)
    (problem,) = [p for p in verbatim_problems(pkg) if p.line == line]
    assert hint_of(problem) == ("the cell and the source differ only in Unicode normalisation: the cell writes 'ū' as 'u' + U+0304 "
                            "(decomposed, NFD) where the source has one character (NFC); "
                            "copy the words from the archived text (or save the file in Unicode NFC)")


def test_a_composed_accent_where_the_source_is_decomposed_is_named_too(pkg):
    line, row = next((i, r) for i, r in enumerate(rows(pkg), start=2) if "Sprūds" in r["evidence"] and "\n" not in r["evidence"])
    archive = pkg / archive_of(pkg, row["source_id"])
    archive.write_text(unicodedata.normalize("NFD", archive.read_text(encoding="utf-8")), encoding="utf-8")
    # archived decomposed as curated: quotes are looked up only in an archive whose sha256 matches its row
    line_of_source = next(i for i, r in enumerate(rows(pkg, "data/sources.csv"), start=2) if r["source_id"] == row["source_id"])
    edit_csv(pkg / "data/sources.csv", line_of_source, "sha256", hashlib.sha256(archive.read_bytes()).hexdigest())
    problem = next(p for p in verbatim_problems(pkg) if p.line == line)
    assert problem.hint.startswith("the cell and the source differ only in Unicode normalisation: the source writes an accented "
                                   "letter decomposed (NFD) where the cell has one character (NFC)")


def test_an_archive_that_is_a_directory_is_unreadable_not_missing(pkg):
    source = rows(pkg)[0]["source_id"]
    archive = archive_of(pkg, source)
    (pkg / archive).unlink()
    (pkg / archive).mkdir()
    problems = [p for p in cotw.validate(pkg).problems if p.layer == "provenance" and p.column == "archive"]
    assert [(p.rule, p.message) for p in problems] == [
        ("unreadable-archive", f"archive {archive!r} is a directory, not a file; it was not read")]


def test_an_archive_the_system_refuses_to_read_is_unreadable_not_missing(pkg, monkeypatch):
    """As root, chmod 000 does not stop a read, so the refusal is simulated where the file is opened."""
    source = rows(pkg)[0]["source_id"]
    archive = archive_of(pkg, source)
    name, real = os.path.basename(archive), os.open

    def deny(path, flags, *args, **kwargs):
        if os.path.basename(str(path)) == name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    problems = [p for p in cotw.validate(pkg).problems if p.layer == "provenance" and p.column == "archive"]
    monkeypatch.undo()
    assert [(p.rule, p.message) for p in problems] == [
        ("unreadable-archive", f"cannot read archive {archive!r} of source {source!r}: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a file whatever its mode; the simulated refusal above covers the same path")
def test_an_archive_without_read_permission_is_unreadable_not_missing(pkg):
    source = rows(pkg)[0]["source_id"]
    archive = archive_of(pkg, source)
    (pkg / archive).chmod(0)
    try:
        problems = [p for p in cotw.validate(pkg).problems if p.layer == "provenance" and p.column == "archive"]
    finally:
        (pkg / archive).chmod(0o644)
    assert [(p.rule, p.message) for p in problems] == [
        ("unreadable-archive", f"cannot read archive {archive!r} of source {source!r}: Permission denied")]


def test_an_archive_linked_to_a_secret_outside_gives_no_hint_and_shows_nothing_of_it(pkg, tmp_path):
    """The attack of issue 9: a pull request links an archive to a runner's secret file whose first
    words match a cited cell, hoping the hint prints what follows."""
    line, row = a_long_single_line_row(pkg)
    archive = archive_of(pkg, row["source_id"])
    secret = "TOKEN-" + os.urandom(8).hex()
    outside = tmp_path / "secret.txt"
    outside.write_text(row["evidence"][:40] + secret, encoding="utf-8")
    (pkg / archive).unlink()
    os.symlink(outside, pkg / archive)
    report = cotw.validate(pkg)
    text = report.render_text() + report.render_github()
    assert secret not in text and secret[:8] not in text
    assert not [p for p in report.problems if p.rule == "verbatim" and p.hint and "where the source has" in p.hint]
    assert any(p.rule == "unsafe-path" and "resolves outside the package" in p.message for p in report.problems)
