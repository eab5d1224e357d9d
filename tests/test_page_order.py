"""Every order the download page and its pages promise, checked against the data (each would fail if
the order were reversed): the downloads table in the descriptor's order; countries states first, then
organisations, then the rest, each by name; the matrix's rows by the label shown and its columns in
the vocabularies' order; the timeline oldest first, in every lane and in its lists; on a country page
each group of cards oldest first, undated last; in the source viewer the spans numbered in the order of
the text, and listed in that order. The orders are computed here from the tables, not from the code."""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest

import cotw
from cotw.dates import bounds

from test_download_page import copy_package


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    from cotw.export import export

    root = tmp_path_factory.mktemp("order")
    pkg = copy_package(root / "pkg")
    export(pkg, root / "dist", ["csv"])
    return root / "dist", pkg


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def between(html: str, start: str, end: str) -> str:
    assert start in html, start
    return html.split(start, 1)[1].split(end, 1)[0]


def folded(text: str) -> str:
    """A name as a reader looks it up: accents and case aside."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def assert_sorted(keys: list, what: str) -> None:
    assert len(keys) > 1 and len(set(map(repr, keys))) > 1, f"{what}: too few distinct items to show an order"
    assert keys == sorted(keys), f"{what}: out of order at {next(i for i, (a, b) in enumerate(zip(keys, keys[1:])) if a > b)}"


def test_the_downloads_table_lists_the_tables_in_the_descriptors_order(site):
    exported, pkg = site
    rows = re.findall(r'<tr id="table-([^"]+)">', read(exported / "index.html"))
    names = [r["name"] for r in json.loads(read(pkg / "datapackage.json"))["resources"]]
    assert rows[: len(names)] == names and names != sorted(names, reverse=True)


def test_the_country_table_lists_states_then_organisations_then_the_rest_each_by_name(site):
    exported, pkg = site
    table = between(read(exported / "index.html"), 'id="country-table"', "</table>")
    shown = re.findall(r'<tr><td><a href="pages/country-([^".]+)\.html">', table)
    countries = cotw.load("countries", pkg).set_index("code")
    rank = {"state": 0, "organisation": 1}
    assert sorted(shown) == sorted(countries.index)
    assert_sorted([(rank.get(countries.kind[c], 2), folded(countries.name[c])) for c in shown], "country table")
    names = [countries.name[c] for c in shown]  # "Türkiye" is looked up under T, before "Ukraine"
    assert names.index("Türkiye") < names.index("Ukraine") < names.index("United Kingdom")


def test_the_matrix_rows_are_in_the_order_of_their_labels_and_its_columns_in_the_vocabularies(site):
    exported, pkg = site
    svg = between(read(exported / "index.html"), '<svg id="matrix"', "</svg>")
    countries = cotw.load("countries", pkg).set_index("code")
    rows = re.findall(r'<g class="row" data-country="([^"]+)">', svg)
    labels = [re.search(r'<text [^>]*text-anchor="end">([^<]+)</text>', part).group(1)
              for part in svg.split('<g class="row"')[1:]]
    assert sorted(rows) == sorted(countries.index)
    assert labels == [f"{countries.name[c]} ({c})" for c in rows]  # the label shown ...
    assert_sorted([folded(label) for label in labels], "matrix rows")  # ... is what the rows are sorted by
    heads = re.findall(r'class="colhead"[^>]*>([^<]+)<title>', svg)
    schema = cotw.package.Package.open(pkg)
    vocab = {t: next(f["constraints"]["enum"] for f in schema.schema(t)["fields"] if f["name"] == c)
             for t, c in (("conditions", "condition"), ("contributions", "kind"))}
    assert heads == ["own troops"] + vocab["conditions"] + vocab["contributions"]


def fact_bounds(pkg) -> dict[str, tuple]:
    """{timeline item id: (earliest, latest)}: an event fact's or an utterance's bounds, narrowed over its reports."""
    out = {}
    for table, key, col in (("events", "fact_id", "date"), ("statements", "utterance_id", "said")):
        for fact, group in cotw.load(table, pkg).groupby(key):
            b = [bounds(d) for d in group[col].dropna()]
            out[fact] = (max((x for x, _ in b if x), default=None), min((y for _, y in b if y), default=None))
    return out


def chronological(ids: list[str], when: dict[str, tuple]) -> list[tuple]:
    """The key of the timeline's promise for each item: oldest first (by its first possible day, or its last
    where it has no first), a shorter item before a longer one starting the same day, then by id."""
    return [((when[i][0] or when[i][1]) or dt.date.max, when[i][1] or dt.date.max, i) for i in ids]


def test_the_timeline_runs_oldest_first_in_every_lane_and_in_its_list(site):
    exported, pkg = site
    html = read(exported / "index.html")
    when = fact_bounds(pkg)
    lanes = between(html, '<div id="timeline"', '<p class="tl-legend">').split('<ul class="tl-items"')[1:]
    assert len(lanes) >= 3
    for lane in lanes:
        ids = re.findall(r'<li class="tl-row tl-item" id="tl-([^"]+)"', lane)
        if len(ids) > 1:
            assert_sorted(chronological(ids, when), f"timeline lane {ids[:2]}")
    listed = re.findall(r'<li id="fact-([^"]+)">', between(html, '<section id="timeline-list">', "</section>"))
    assert_sorted(chronological(listed, when), "timeline list")
    assert len(listed) > 30
    wide = re.findall(r'<li id="fact-([^"]+)">', between(html, '<section id="timeline-wide">', "</section>"))
    assert_sorted(chronological(wide, when), "the timeline's list of facts dated too broadly to draw")


SECTIONS = (("positions", "position_id", "date"), ("conditions", "condition_id", "date"),
            ("contributions", "contribution_id", "date"), ("statements", "statement_id", "said"))


def test_every_country_page_lists_each_group_of_rows_oldest_first_and_undated_last(site):
    exported, pkg = site
    checked = 0
    for table, key, col in SECTIONS:
        frame = cotw.load(table, pkg)
        dates = dict(zip(frame[key], frame[col]))

        def order(rid: str) -> tuple:
            lo, hi = bounds(dates[rid]) if isinstance(dates[rid], str) else (None, None)
            start = lo or hi
            return (start is None, start or dt.date.min, rid)

        for page in sorted((exported / "pages").glob("country-*.html")):
            html = read(page)
            if f'<h2 id="{table}">' not in html:
                continue
            section = html.split(f'<h2 id="{table}">', 1)[1].split("<h2 ", 1)[0]
            for group in re.split(r"<h3>", section):
                ids = re.findall(r'<article class="card" id="([^"]+)"', group)
                if len(set(order(i)[:2] for i in ids)) > 1:
                    assert_sorted([order(i) for i in ids], f"{page.name} {table}")
                    checked += 1
    assert checked > 20


def test_the_source_viewer_numbers_the_spans_in_the_order_of_the_text_and_lists_them_so(site):
    exported, _ = site
    checked = 0
    for page in sorted((exported / "pages").glob("source-*.html")):
        html = read(page)
        text = between(html, '<div class="archive">', '<h2 id="rows">')
        numbers = [int(n) for n in re.findall(r'<a class="ref" id="sp(\d+)"', text)]
        listed = [int(n) for n in re.findall(r'<li id="in(\d+)" value="\d+">', html)]
        if len(numbers) > 1:
            assert_sorted(numbers, f"{page.name}: spans in the text")
            assert numbers == list(range(1, len(numbers) + 1)) == listed, page.name
            checked += 1
    assert checked == len(list((exported / "pages").glob("source-*.html"))) >= 5
