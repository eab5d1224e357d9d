"""`cotw source add FILE`: archive a new text by content, record its row, leave the package valid.

Every refusal leaves the package exactly as it was.
"""
from __future__ import annotations

import csv
import hashlib
import os

import pytest

import cotw
from cotw.curate import CurateError
from cotw.curate.sources import add_source, slug
from cotw.package import Package

TEXT = "Ministers meet again\n\nThe defence ministers said: “We remain ready to help.”\n".encode("utf-8")
META = ["--title", "Ministers meet again", "--kind", "news", "--language", "en", "--published", "2025-06-02",
        "--published-basis", "The dateline prints 'June 2, 2025'."]


def snapshot(pkg) -> dict[str, bytes]:
    return {str(p.relative_to(pkg)): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}


def sources(pkg) -> dict[str, dict]:
    with open(pkg / "data/sources.csv", encoding="utf-8", newline="") as fh:
        return {r["source_id"]: r for r in csv.DictReader(fh)}


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(TEXT)
    return path


def test_adds_the_archive_and_the_row_and_the_package_stays_valid_and_canonical(pkg, cli, article):
    result = cli("source", "add", article, *META, "--package", pkg)
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(TEXT).hexdigest()
    archive = f"seeds/005_{digest[:16]}.txt"
    assert (pkg / archive).read_bytes() == TEXT
    row = sources(pkg)["ministers-meet-again"]
    assert (row["archive"], row["sha256"], row["published"]) == (archive, digest, "2025-06-02")
    assert list(row) == [f["name"] for f in Package.open(pkg).schema("sources")["fields"]]
    line = 1 + list(sources(pkg)).index("ministers-meet-again") + 1
    assert result.stdout == f"archived {archive} (sha256 {digest})\nadded data/sources.csv:{line}: source_id 'ministers-meet-again'\n"
    report = cotw.validate(pkg)
    assert report.ok and not report.notices, report.render_text()


@pytest.mark.parametrize("published", ["2025-05", "2025", "2025-05-08/2025-05-10", "../2025-04-10", "2025-05-10/..", "XXXX-04-10"])
def test_the_publication_date_is_kept_as_the_edtf_given(pkg, article, published):
    # the EDTF string says how precisely the date is known: a month stays a month, not its first day
    added = add_source(Package.open(pkg), article, title="T", kind="report", language="en", published=published,
                       published_basis="As the text allows.")
    assert sources(pkg)[added.source_id]["published"] == published
    assert cotw.validate(pkg).ok


@pytest.mark.parametrize("published, why", [
    ("2025-13", "published '2025-13' has month 13; months are 01 to 12"),
    ("2025-02-29", "published '2025-02-29': February 2025 has no day 29"),
    ("2025-05-10/2025-05-08", "published '2025-05-10/2025-05-08' ends before it starts"),
    ("May 2025", "published 'May 2025' is not an EDTF date"),
])
def test_a_publication_date_that_is_not_edtf_is_refused_with_the_reason_and_the_forms(pkg, cli, article, published, why):
    before = snapshot(pkg)
    result = cli("source", "add", article, *META[:-4], "--published", published, "--url", "ftp://x", *META[-2:], "--package", pkg)
    assert result.exit_code == 2
    assert why in result.stderr and "EDTF: 2025-04-10 a day, 2025-04 a month" in result.stderr and "[--published]" in result.stderr
    assert "url 'ftp://x' does not match" in result.stderr  # every problem is said at once
    assert snapshot(pkg) == before


def test_there_is_no_separate_precision_option(pkg, cli, article):
    result = cli("source", "add", article, *META, "--precision", "month", "--package", pkg)
    assert result.exit_code == 2 and "--precision" in result.stderr


def test_the_source_id_is_a_slug_of_the_title_made_unique(pkg, tmp_path):
    assert slug("Is the \"coalition of the willing\" cooling down?") == "is-the-coalition-of-the-willing"
    assert slug("Sprūds: Latvia’s view") == slug("Spruds: Latvia's view") == "spruds-latvias-view"
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("one text\n", encoding="utf-8")
    second.write_text("another text\n", encoding="utf-8")
    meta = dict(title="Coalition stalls", kind="news", language="en", published_basis="No date is printed.")
    assert add_source(Package.open(pkg), first, **meta).source_id == "coalition-stalls"
    assert add_source(Package.open(pkg), second, **meta).source_id == "coalition-stalls-2"
    assert cotw.validate(pkg).ok


def test_refuses_a_text_already_archived_and_names_its_row(pkg, cli, root):
    before = snapshot(pkg)
    result = cli("source", "add", root / "seeds/002_9dbf6375c5c84b83.txt", *META, "--package", pkg)
    assert result.exit_code == 1
    assert ("is already archived as seeds/002_9dbf6375c5c84b83.txt: source 'myind-defence-ministers-meet' "
            "in data/sources.csv has the same sha256 (7e17c7813dae…)") in result.stderr
    assert snapshot(pkg) == before


def test_refuses_a_copy_left_under_seeds_without_a_row(pkg, article):
    (pkg / "seeds/017_left-behind.txt").write_bytes(TEXT)
    with pytest.raises(CurateError, match=r"already archived as seeds/017_left-behind\.txt, which no row of data/sources\.csv cites"):
        add_source(Package.open(pkg), article, title="T", kind="news", language="en", published_basis="x")


@pytest.mark.parametrize("data, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"is a binary file \(a NUL byte at line 3, byte 1\), not text"),
    ("Kallas sagte: “Wir sind bereit”\n".encode("cp1252"), r"is not UTF-8: byte 0x93 at line 1, byte 15 \(invalid start byte\); save the text as UTF-8"),
    (b"\xef\xbb\xbfThe text\n", r"starts with a byte-order mark \(BOM\); save it as UTF-8 without BOM"),
    (b" \n\n", r"is empty; there is no text to archive"),
    (b"a bell\x07\n", r"holds the control character U\+0007 at line 1, byte 7"),
])
def test_refuses_what_is_not_utf8_text_with_the_reason(pkg, cli, tmp_path, data, reason):
    import re

    path = tmp_path / "input.txt"
    path.write_bytes(data)
    before = snapshot(pkg)
    result = cli("source", "add", path, *META, "--package", pkg)
    assert result.exit_code == 1
    assert re.search(reason, result.stderr), result.stderr
    assert snapshot(pkg) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_refuses_a_pipe_without_waiting_for_it(pkg, cli, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = cli("source", "add", fifo, *META, "--package", pkg)
    assert result.exit_code == 1 and "is a pipe, not a regular file" in result.stderr


def test_the_input_is_bounded_in_size(tmp_path):
    from cotw.curate.sources import read_text_file

    path = tmp_path / "long.txt"
    path.write_bytes(b"x" * (2 * 1024 * 1024 + 1))
    with pytest.raises(CurateError, match="larger than 2 MiB"):
        read_text_file(path, limit=2 * 1024 * 1024)


def test_a_missing_file_is_a_usage_error(pkg, cli, tmp_path):
    result = cli("source", "add", tmp_path / "nope.txt", *META, "--package", pkg)
    assert result.exit_code == 2 and "nope.txt does not exist" in result.stderr


def test_invalid_values_are_refused_with_the_valid_choices_before_writing(pkg, cli, article):
    before = snapshot(pkg)
    result = cli("source", "add", article, "--title", "T", "--kind", "blog", "--language", "english",
                 "--url", "ftp://example.org/x", "--package", pkg)
    assert result.exit_code == 2
    for expected in ("published_basis is required but the cell is empty [--published-basis]",
                     "kind 'blog' is not one of: news, report [--kind]",
                     "language 'english' does not match the pattern ^[a-z]{2}$ [--language]",
                     "url 'ftp://example.org/x' does not match the pattern ^https?://\\S+$ [--url]"):
        assert expected in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(pkg) == before


def test_a_taken_source_id_is_refused(pkg, cli, article):
    result = cli("source", "add", article, *META, "--id", "gmf-coalition-of-the-willing", "--package", pkg)
    assert result.exit_code == 2 and "source_id 'gmf-coalition-of-the-willing'" in result.stderr


def test_when_the_table_cannot_be_written_the_new_archive_is_removed_again(pkg, article, monkeypatch):
    import cotw.io.safeio

    def fail(root, relpath, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cotw.io.safeio, "replace_bytes", fail)
    before = snapshot(pkg)
    with pytest.raises(CurateError, match=r"cannot write data/sources\.csv \(No space left on device\); the archive seeds/005_\w+\.txt was removed again"):
        add_source(Package.open(pkg), article, title="T", kind="news", language="en", published_basis="x")
    assert snapshot(pkg) == before


def test_a_non_canonical_table_is_rewritten_canonically_and_said_so(pkg, cli, article):
    path = pkg / "data/sources.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = cli("source", "add", article, *META, "--package", pkg)
    assert result.exit_code == 0
    assert "note: data/sources.csv was not in canonical form; it was rewritten in canonical form (no cell changed)" in result.stdout
    report = cotw.validate(pkg)
    assert report.ok and not report.notices


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Ministers meet | Example News</title></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Ministers meet again</h1>
<p>The defence ministers of the coalition met again on <b>Tuesday</b> to discuss a reassurance force for Ukraine.</p>
<p>“We’re making progress, but the mandate is not settled yet,” a French official said after the meeting.</p>
</article><footer>© 2025 Example News. All rights reserved.</footer></body></html>
""".encode("utf-8")


def test_from_a_saved_page_the_article_text_is_archived_and_the_page_beside_it(pkg, cli, tmp_path):
    pytest.importorskip("trafilatura")
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    result = cli("source", "add", page, *META, "--package", pkg)
    assert result.exit_code == 0, result.output
    row = sources(pkg)["ministers-meet-again"]
    text = (pkg / row["archive"]).read_text(encoding="utf-8")
    assert "“We’re making progress, but the mandate is not settled yet,” a French official said" in text
    assert "Home" not in text and "rights reserved" not in text
    assert (pkg / row["archive"].replace(".txt", ".html")).read_bytes() == PAGE
    assert f"archived {row['archive'].replace('.txt', '.html')} (the page the text was extracted from)" in result.stdout
    assert cotw.validate(pkg).ok


def test_a_page_without_an_article_is_refused(pkg, tmp_path):
    pytest.importorskip("trafilatura")
    page = tmp_path / "empty.html"
    page.write_bytes(b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>")
    before = snapshot(pkg)
    with pytest.raises(CurateError, match="no article text was found in .*empty.html"):
        add_source(Package.open(pkg), page, title="T", kind="news", language="en", published_basis="x")
    assert snapshot(pkg) == before


def test_without_the_html_extra_a_page_is_refused_with_how_to_install_it(pkg, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    with pytest.raises(CurateError, match=r"needs the optional extra: pip install 'cotw\[html\]'"):
        add_source(Package.open(pkg), page, title="T", kind="news", language="en", published_basis="x")
