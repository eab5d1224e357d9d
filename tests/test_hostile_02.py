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
