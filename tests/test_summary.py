"""cotw.summary(): the per-country summary is derived from the observations, never curated."""
from __future__ import annotations

import pandas as pd

from cotw.io.loader import with_date_bounds
from cotw.derived import summarise

FIELDS = [{"name": "date", "x-edtf": True}]


def positions(*rows):
    cols = ["position_id", "fact_id", "country", "issue", "value", "date", "basis", "source_id"]
    frame = pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)
    return with_date_bounds(frame, FIELDS)


def test_a_change_over_time_is_a_change_not_a_disagreement():
    s = summarise(positions(
        ("po-1", "po-1", "TUR", "own_troops", "willing", "2025-02", "official_statement", "gmf"),
        ("po-2", "po-2", "TUR", "own_troops", "undecided", "2025-03-20/..", "official_statement", "gmf")))
    row = s.iloc[0]
    assert (row.latest_value, row.latest_date, row.changed, row.disagree) == ("undecided", "2025-03-20/..", True, False)
    assert row.latest_by == "date"
    assert row["values"] == "undecided;willing"  # no vocabulary given: alphabetical


def test_undated_values_that_differ_are_a_disagreement():
    s = summarise(positions(
        ("po-1", "po-1", "POL", "own_troops", "ruled_out", None, "analyst_assessment", "gmf"),
        ("po-2", "po-2", "POL", "own_troops", "willing", None, "analyst_assessment", "gmf")))
    assert (bool(s.disagree[0]), bool(s.changed[0])) == (True, False)
    assert s.latest_by[0] == "unplaced"  # nothing the texts say places one after the other: not a verdict


def test_forecasts_are_kept_apart_from_the_latest_position():
    s = summarise(positions(
        ("po-1", "po-1", "CAN", "own_troops", "committed", "../2025-04-10", "reported_position", "bloomberg"),
        ("po-2", "po-2", "CAN", "own_troops", "willing", "2025-05", "analyst_forecast", "gmf")))
    assert (s.latest_value[0], s.forecast[0], int(s.reports[0]), int(s.sources[0])) == ("committed", "willing", 2, 2)
    assert s.latest_by[0] == "only"  # the forecast is no observation


def test_reports_of_the_same_fact_count_once_as_facts():
    s = summarise(positions(
        ("po-1", "po-1", "GBR", "participation", "leads", None, "reported_position", "a"),
        ("po-2", "po-1", "GBR", "participation", "leads", None, "reported_position", "b")))
    assert (int(s.reports[0]), int(s.facts[0]), s.latest_by[0]) == (2, 1, "agree")


def test_the_summary_of_the_02_package_is_derived_again_on_every_call():
    from pathlib import Path

    import cotw

    nxt = Path(__file__).resolve().parents[1]
    first, second = cotw.summary(nxt), cotw.summary(nxt)
    assert callable(cotw.summary) and first.equals(second) and len(first) > 20
    assert set(first.issue) <= {"own_troops", "participation", "deployment"}


def test_a_dated_observation_is_not_latest_over_an_undated_one_that_may_be_later():
    s = summarise(positions(
        ("po-1", "po-1", "FRA", "own_troops", "willing", "2024", "official_statement", "gmf"),
        ("po-2", "po-2", "FRA", "own_troops", "committed", None, "reported_position", "afp")))
    assert (s.latest_value[0], s.latest_by[0]) == ("willing", "unplaced")  # shown first, not found to be last
