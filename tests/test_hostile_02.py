"""Hostile input against what the 0.2 data model added: EDTF dates at the edges of the calendar, the
download page's source viewer, country pages, timeline and matrix on pathological data, and the 0.2
check rules (links, group keys). Every case here broke (a traceback, or time growing with the square
of the input) before the fix it tests; each must now end in a located answer, in bounded time."""
from __future__ import annotations

import time

import pytest

from conftest import cpu, edit_csv

EVENT_ROW = 5  # data/events.csv line of ev-0004: an event fact with a single report


def test_year_0000_is_a_located_date_error_not_an_internal_error(pkg, cli):
    edit_csv(pkg / "data" / "events.csv", EVENT_ROW, "date", "0000")
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert "data/events.csv:5: date '0000' has year 0000; cotw accepts years 0001 to 9999" in r.stdout
    assert "internal-error" not in r.stdout
    import cotw

    # (once raised ValueError: year 0 is out of range; then loaded as an unknown bound) a located LoadError, as
    # for any invalid date (issue 18)
    with pytest.raises(cotw.LoadError, match=r"^data/events.csv: column 'date' cannot be read as an EDTF date: '0000' has year 0000"):
        cotw.load("events", pkg)


@pytest.mark.parametrize("date", ["1900-01-01", "0001-01-01", "9999-12-31", "../9999-12-31", "9999-12"])
def test_timeline_places_any_year_cotw_accepts(pkg, cli, tmp_path, date):
    """An axis of centuries (more ticks than any label step allowed) or ending in 9999-12 (no day after it)."""
    edit_csv(pkg / "data" / "events.csv", EVENT_ROW, "date", date)
    r = cli("export", pkg, "--out", tmp_path / "out", "--only", "csv")
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="tl-tick"') <= 12 * 4  # at most about 9 labels in each of the lanes
    assert 'id="tl-ev-0004"' in page


def _source(raw: str, spans: list[tuple[int, int]]):
    from cotw.export.viewer import Source, Span

    return Source("s", "pages/source-s.html", "S", raw, [Span(i, a, b, 1, [("claims", f"cl-{i:04d}")]) for i, (a, b) in
                                                       enumerate(spans, start=1)])


def test_source_viewer_shades_overlaps_by_depth():
    from cotw.export.viewer import _text

    html = _text(_source("aaaa bbbb cccc dddd", [(0, 9), (5, 14), (5, 19)]))
    # aaaa: one span; bbbb: all three; cccc: two; dddd: one
    assert '<mark class="d1">aaaa </mark>' in html and '<mark class="d3">bbbb</mark>' in html
    assert '<mark class="d2"> cccc</mark>' in html and '<mark class="d1"> dddd</mark>' in html


def test_source_viewer_is_linear_in_the_number_of_spans():
    """20,000 overlapping spans of one archive (20,000 short rows): the depth of each stretch was counted
    by looking at every span again (20 s here); a sweep takes well under a second."""
    from cotw.export.viewer import _text

    words = [f"w{i}" for i in range(20_001)]
    raw = " ".join(words)
    starts = [0]
    for w in words[:-1]:
        starts.append(starts[-1] + len(w) + 1)
    starts.pop()
    spans = [(a, starts[i + 2] - 1 if i + 2 < len(starts) else len(raw)) for i, a in enumerate(starts)]  # two words each
    t = cpu()
    html = _text(_source(raw, spans))
    assert cpu() - t < 5
    assert html.count('<a class="ref"') == 20_000 and 'class="d2"' in html


def _pairwise(recs):
    """The rule of cotw.derived, stated over every pair (the specification the faster code must meet)."""
    from cotw.derived import _apart

    changed = disagree = False
    for i, a in enumerate(recs):
        for b in recs[i + 1:]:
            if a["value"] != b["value"]:
                changed |= _apart(a, b)
                disagree |= not _apart(a, b)
    return changed, disagree


def test_change_and_disagreement_agree_with_the_pairwise_rule():
    import random

    import pandas as pd

    from cotw.derived import _change_and_disagreement

    rnd = random.Random(2)
    days = [None] + [pd.Timestamp(2025, 1, 1) + pd.Timedelta(days=d) for d in range(8)]
    for _ in range(1000):
        recs = []
        for _ in range(rnd.randint(1, 6)):
            a, b = rnd.choice(days), rnd.choice(days)
            if a is not None and b is not None and a > b:
                a, b = b, a
            recs.append({"value": rnd.choice("xyz"), "date_earliest": a, "date_latest": b})
        frame = pd.DataFrame(recs, columns=["value", "date_earliest", "date_latest"])
        assert _change_and_disagreement(frame.to_dict("records")) == _pairwise(frame.to_dict("records")), recs


def test_summary_of_one_country_with_many_reports_is_not_quadratic():
    """20,000 reports of one country's one issue: every pair was compared (200 million pairs)."""
    import pandas as pd

    import cotw
    from cotw.derived import summarise

    positions = cotw.load("positions")
    base = positions[positions["issue"] == "own_troops"].iloc[[0]]
    many = pd.concat([base] * 20_000, ignore_index=True)
    many["position_id"] = [f"po-{i:06d}" for i in range(len(many))]
    many["fact_id"] = many["position_id"]
    t = cpu()
    out = summarise(many)
    assert cpu() - t < 10
    assert out["reports"].tolist() == [20_000] and not out["changed"].any() and not out["disagree"].any()


def _grow(path, make) -> None:
    """Append the rows make(rows) returns to a CSV of the package."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows + make(rows))
    path.write_text(buf.getvalue(), encoding="utf-8")


def test_country_pages_and_matrix_take_each_row_once(pkg, tmp_path):
    """1,500 countries and 30,000 positions: every country's page and matrix row looked at every row of
    every table (and the summary built a pandas frame per group): 36 s here, now a few."""
    import itertools

    from cotw.export import export

    codes = ["".join(t) for t in itertools.islice(itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=3), 1500)]
    have = set()
    _grow(pkg / "data" / "countries.csv", lambda rows: have.update(r["code"] for r in rows) or [
        dict(rows[0], code=c, name=f"Land {c}", kind="organisation", iso_alpha2="") for c in codes if c not in have])
    _grow(pkg / "data" / "positions.csv", lambda rows: [
        dict(next(r for r in rows if r["issue"] == "own_troops"), position_id=f"po-{100000 + i}", fact_id=f"po-{100000 + i}",
             country=codes[i % len(codes)], speaker_id="") for i in range(30_000)])
    t = cpu()
    result = export(pkg, tmp_path / "out", formats=["csv"], validate=False)  # (organisations other than EU and NATO fail check)
    assert cpu() - t < 20
    assert sum(f.startswith("pages/country-") for f in result.files) >= 1500
    page = tmp_path / "out" / "pages" / f"country-{codes[-1]}.html"
    assert page.read_text(encoding="utf-8").count('<article class="card"') == 20


def test_a_link_to_an_id_of_no_table_is_an_error_even_without_the_id_pattern(pkg, cli):
    """A pull request that drops the id pattern from schema/links.json must not make links to nothing pass."""
    import json

    path = pkg / "schema" / "links.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        f.get("constraints", {}).pop("pattern", None)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    line = len((pkg / "data" / "links.csv").read_text(encoding="utf-8").splitlines()) + 1  # the first line appended
    with (pkg / "data" / "links.csv").open("a", encoding="utf-8") as f:
        f.write("zz-0001,contradicts,zz-0002,forged\nzz-0002,contradicts,zz-0001,forged\n")
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert (f"data/links.csv:{line}: link zz-0001 contradicts zz-0002: zz-0001, zz-0002 are not the id of a row of any table "
            "(a link joins rows by their ids, which begin with cd-, cl-, ct-, ev-, po-, rl-, st-) [link]") in r.stdout


def test_every_source_and_country_gets_its_own_page_whatever_its_id(pkg, tmp_path, cli):
    """Ids differing only by case shared a page on a case-insensitive file system (macOS, Windows), and a
    row whose id is no safe file name silently got no page (a country vanished from the index). With
    the id patterns dropped from the schemas (a stranger's pull request may), check accepts such ids."""
    import json

    for table, field in (("sources", "source_id"), ("countries", "code")):
        path = pkg / "schema" / f"{table}.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        for f in schema["fields"]:
            if f["name"] == field:
                f.get("constraints", {}).pop("pattern", None)
        path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    ids = ["hostile", "Hostile", "../../escape", "a b", "x" * 300, "index"]
    def copies(rows):
        import hashlib

        out = []
        for n, i in enumerate(ids):  # each its own archive (archive and sha256 are unique)
            text = (pkg / rows[0]["archive"]).read_bytes() + f"\ncopy {n}\n".encode()
            (pkg / "seeds" / f"copy-{n}.txt").write_bytes(text)
            out.append(dict(rows[0], source_id=i, title=f"copy {n}", archive=f"seeds/copy-{n}.txt", sha256=hashlib.sha256(text).hexdigest()))
        return out

    _grow(pkg / "data" / "sources.csv", copies)
    assert cli("check", pkg).exit_code == 0
    result = cli("export", pkg, "--out", tmp_path / "out", "--only", "csv")
    assert result.exit_code == 0, result.output
    pages = [p.name for p in (tmp_path / "out" / "pages").iterdir() if p.name.startswith("source")]
    assert len(pages) == 5 + len(ids) == len({p.casefold() for p in pages})
    assert all(len(p) < 100 for p in pages) and not (tmp_path / "escape.html").exists()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for n in range(len(ids)):
        assert f">copy {n}</a>" in index

    from cotw.export.countries import page_of
    from cotw.export.paths import page_stem

    assert page_of("AUS") == "pages/country-AUS.html" and page_stem("eu-diplomat-disagreement", upper=False) == "-eu-diplomat-disagreement"
    assert len({page_of(c).casefold() for c in ("FR", "fr", "Fr", "fR", "a/b", "a\\b", "a\x00")}) == 7


def test_a_huge_date_is_quoted_cut_like_every_other_value(pkg, cli, tmp_path):
    """The EDTF message quoted the whole cell: a 100,000-character date printed all of it (per rule)."""
    big = "2025" * 25_000
    edit_csv(pkg / "data" / "events.csv", EVENT_ROW, "date", big)
    r = cli("check", pkg)
    assert r.exit_code == 1 and "[edtf]" in r.stdout
    assert len(r.stdout) < 2_000
    source = tmp_path / "a.txt"
    source.write_text("A text.\n", encoding="utf-8")
    r = cli("source", "add", source, "--package", pkg, "--title", "T", "--kind", "news", "--published", big, "--published-basis", "b")
    assert r.exit_code == 2 and "published '2025202520" in r.output and len(r.output) < 2_000  # refused, nothing written
    assert not list((pkg / "seeds").glob("*a.txt*")) and "'t'" not in (pkg / "data" / "sources.csv").read_text(encoding="utf-8")


def _replace_archive(pkg, line: int, text: bytes) -> None:
    """Give the source on data/sources.csv line `line` a new archived text (and its sha256)."""
    import csv
    import hashlib

    archive = list(csv.DictReader((pkg / "data" / "sources.csv").open(encoding="utf-8", newline="")))[line - 2]["archive"]
    (pkg / archive).write_bytes(text)
    edit_csv(pkg / "data" / "sources.csv", line, "sha256", hashlib.sha256(text).hexdigest())


def test_locate_in_an_archive_without_spaces_prints_a_span_not_the_archive(pkg, cli):
    """Widening a match to whole words took the whole archive when it has no space: 200,000 characters
    printed for the words 'xxxx' (as long as the archive, up to its 10 MiB bound)."""
    _replace_archive(pkg, 2, b"x" * 200_000 + b"\n")
    r = cli("locate", "--package", pkg, "coalition-stalls-bloomberg", "xxxx")
    assert r.exit_code == 0
    assert len(r.stdout) < 2_000
    r = cli("locate", "--package", pkg, "coalition-stalls-bloomberg", "(.*)+[a-z]{1,99}\\" * 200)  # metacharacters are words
    assert r.exit_code == 1 and len(r.stdout) < 10_000


def test_a_bidirectional_override_in_a_cell_is_shown_not_obeyed_on_the_page(pkg, tmp_path):
    """U+202E in a country's name reversed the rest of its line on the page (spoofing what a row says);
    the data files keep the character as it is."""
    from cotw.export import export

    edit_csv(pkg / "data" / "countries.csv", 2, "name", "Australia\u202e gnp.exe")
    out = tmp_path / "out"
    export(pkg, out, formats=["csv"])  # cotw check accepts it
    for page in [out / "index.html", *(out / "pages").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), page.name
    assert "Australia&lt;U+202E&gt; gnp.exe" in (out / "pages" / "country-AUS.html").read_text(encoding="utf-8")
    assert "Australia\u202e gnp.exe" in (out / "csv" / "countries.csv").read_text(encoding="utf-8")


def test_a_list_naming_thousands_of_unknown_ids_is_one_short_problem(pkg, cli):
    """x-list-of listed every unknown name of a cell: 10,000 in one cell printed 149 KB in one message."""
    import json

    path = pkg / "schema" / "sections.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        if f["name"] == "authors":  # a pull request may drop the bounds that would have refused the cell first
            f["constraints"].pop("maxLength", None)
            f["constraints"].pop("pattern", None)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    edit_csv(pkg / "data" / "sections.csv", 2, "authors", ";".join(f"nobody-{i}" for i in range(10_000)))
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert "data/sections.csv:2: authors names 'nobody-0', 'nobody-1'" in r.stdout
    assert "(9970 more), which are not person_id values in people [foreign-key]" in r.stdout and len(r.stdout) < 2_000


def test_a_huge_id_in_a_link_is_cut_in_every_message(pkg, cli):
    """The link rules printed whole ids (three times per problem): a 100,000-character id, 300 KB."""
    import json

    path = pkg / "schema" / "links.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for f in schema["fields"]:
        f.get("constraints", {}).pop("maxLength", None)
        f.get("constraints", {}).pop("pattern", None)
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    edit_csv(pkg / "data" / "links.csv", 2, "from_id", "st-" + "9" * 100_000)
    r = cli("check", pkg)
    assert r.exit_code == 1 and "is not a row of statements [link]" in r.stdout
    assert "rests_on joins a position, condition, contribution or claim to a statement [link]" in r.stdout
    assert len(r.stdout) < 2_000

