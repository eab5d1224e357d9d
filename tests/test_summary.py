"""cotw.summary(): the per-country summary is derived from the observations, never curated."""
from __future__ import annotations

import pandas as pd
import pytest

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


def test_committed_and_willing_undated_headline_committed_and_do_not_disagree():
    s = summarise(positions(
        ("po-1", "po-1", "CAN", "own_troops", "committed", None, "reported_position", "a"),
        ("po-2", "po-2", "CAN", "own_troops", "willing", None, "official_statement", "b")))
    assert (s.headline[0], s.headline_by[0], bool(s.disagree[0])) == ("committed", "implied", False)
    assert s.latest_by[0] == "unplaced"  # the latest is still not placed; the headline does not pick


def test_willing_against_ruled_out_at_overlapping_dates_disagree_and_the_headline_lists_both():
    s = summarise(positions(
        ("po-1", "po-1", "POL", "own_troops", "ruled_out", "2025-03", "official_statement", "a"),
        ("po-2", "po-2", "POL", "own_troops", "willing", "2025-03-10/2025-04-02", "analyst_assessment", "b")),)
    assert (s.headline[0], s.headline_by[0], s.headline_dates[0], bool(s.disagree[0])) == (
        "ruled_out;willing", "disagree", "2025-03-01/2025-04-02", True)


def test_a_later_value_supersedes_in_the_headline():
    s = summarise(positions(
        ("po-1", "po-1", "TUR", "own_troops", "willing", "2025-02", "official_statement", "gmf"),
        ("po-2", "po-2", "TUR", "own_troops", "undecided", "2025-03-20/..", "official_statement", "gmf")))
    assert (s.headline[0], s.headline_dates[0], bool(s.disagree[0])) == ("undecided", "2025-03-20/..", False)


def test_the_compatibility_table_is_one_order_per_issue():
    from cotw.derived import compatible

    assert compatible("own_troops", "committed", "willing") and compatible("own_troops", "willing", "committed")
    assert not compatible("own_troops", "willing", "ruled_out") and not compatible("own_troops", "committed", "undecided")
    assert compatible("participation", "leads", "joined") and not compatible("participation", "joined", "declined")


def _events(*rows):
    cols = ["event_id", "fact_id", "date"]
    return with_date_bounds(pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols), FIELDS)


def test_an_undated_row_tied_to_an_event_is_dated_by_the_events_group_and_says_so():
    pos = positions(
        ("po-1", "po-1", "TUR", "own_troops", "willing", "2025-02", "official_statement", "gmf"),
        ("po-2", "po-2", "TUR", "own_troops", "undecided", None, "official_statement", "gmf"))
    pos["event_id"] = [None, "ev-0016"]
    events = _events(("ev-0016", "ev-0016", None), ("ev-0017", "ev-0016", "2025-04-10"), ("ev-0018", "ev-0018", "2025-01"))
    s = summarise(pos, None, events)
    assert (s.latest_value[0], s.latest_date[0], s.latest_date_from[0], s.latest_by[0]) == (
        "undecided", "2025-04-10", "event ev-0016 group (2025-04-10)", "date")
    assert (s.headline[0], bool(s.disagree[0]), bool(s.changed[0])) == ("undecided", False, True)
    without = summarise(pos)  # without events the row stays undated: the two cannot be told apart
    assert (bool(without.disagree[0]), without.headline[0]) == (True, "undecided;willing")  # no vocabulary: alphabetical


def test_the_pages_country_table_shows_the_headline_never_a_pick():
    from types import SimpleNamespace

    from cotw.export import countries

    tables = {"countries": SimpleNamespace(fields=[{"name": "code"}, {"name": "name"}, {"name": "kind"}],
                                           records=lambda: [("POL", "Poland", "state"), ("CAN", "Canada", "state")])}
    rows = SimpleNamespace(table=lambda t: {})
    summ = pd.DataFrame([
        dict(country="POL", issue="own_troops", headline="willing;ruled_out", headline_by="disagree", headline_dates="../2025-05-31",
             latest_value="willing", latest_by="unplaced", latest_position_id="po-1", disagree=True, forecast=None),
        dict(country="CAN", issue="own_troops", headline="committed", headline_by="implied", headline_dates=None,
             latest_value="willing", latest_by="unplaced", latest_position_id="po-2", disagree=False, forecast=None)])
    html = countries.overview(tables, summ, rows)
    assert "sources disagree: willing or ruled_out</a> <span class=\"muted\">(../2025-05-31)</span>" in html
    assert ">committed</a>" in html and ">willing</a>" not in html  # the weaker, unplaced latest value is not shown as a finding


def test_an_events_group_is_dated_by_what_all_its_reports_allow():
    """The reports of one meeting: 'on or before April 10', 'April 10', 'April 10 of a year not printed'
    and an undated one give April 10 (not an open span); reports that cannot all hold give their span."""
    from cotw.derived import event_dates

    events = _events(("ev-1", "ev-1", None), ("ev-2", "ev-1", "../2025-04-10"), ("ev-3", "ev-1", "2025-04-10"),
                     ("ev-4", "ev-1", "XXXX-04-10"), ("ev-5", "ev-5", "2025-04-09"), ("ev-6", "ev-5", "2025-04-11"))
    dated = event_dates(events)
    assert dated["ev-1"][2] == dated["ev-4"][2] == "2025-04-10"
    assert dated["ev-5"][2] == "2025-04-09/2025-04-11"


def test_a_headline_is_dated_by_the_reports_that_say_it():
    """An undated 'willing' folded into a dated 'committed' does not open the headline's dates."""
    s = summarise(positions(
        ("po-1", "po-1", "GBR", "own_troops", "committed", "2025-04-10", "reported_position", "b"),
        ("po-2", "po-2", "GBR", "own_troops", "willing", None, "analyst_assessment", "b")))
    assert (s.headline[0], s.headline_by[0], s.headline_dates[0]) == ("committed", "implied", "2025-04-10")


@pytest.mark.parametrize("country", ["GBR", "FRA", "EST", "LVA", "LTU"])
def test_the_shipped_headline_shows_the_pledges_the_news_report_with_their_meeting(country):
    """AFP's six pledging countries (000, 001), reported at the April 10 Brussels meeting: committed, dated by
    that meeting's group, never 'unplaced' or disagreeing with the willingness that a pledge implies."""
    import cotw

    s = cotw.summary().set_index(["country", "issue"]).loc[(country, "own_troops")]
    assert (s.headline, s.headline_dates, bool(s.disagree)) == ("committed", "2025-04-10", False)
