"""Hostile input against what the 0.2 data model added: EDTF dates at the edges of the calendar, the
download page's source viewer, country pages, timeline and matrix on pathological data, and the 0.2
check rules (links, group keys). Every case here broke (a traceback, or time growing with the square
of the input) before the fix it tests; each must now end in a located answer, in bounded time."""
from __future__ import annotations

import time

import pytest

from conftest import edit_csv

EVENT_ROW = 5  # data/events.csv line of ev-0004: an event fact with a single report


def test_year_0000_is_a_located_date_error_not_an_internal_error(pkg, cli):
    edit_csv(pkg / "data" / "events.csv", EVENT_ROW, "date", "0000")
    r = cli("check", pkg)
    assert r.exit_code == 1
    assert "data/events.csv:5: date '0000' has year 0000; cotw accepts years 0001 to 9999" in r.stdout
    assert "internal-error" not in r.stdout


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
    t = time.perf_counter()
    html = _text(_source(raw, spans))
    assert time.perf_counter() - t < 5
    assert html.count('<a class="ref"') == 20_000 and 'class="d2"' in html
