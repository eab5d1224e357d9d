"""EDTF dates: what cotw accepts, the bounds it derives, and agreement with the `edtf` package."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from cotw.dates import DateError, bounds

D = dt.date


@pytest.mark.parametrize("text,lo,hi", [
    ("2025-04-10", D(2025, 4, 10), D(2025, 4, 10)),
    ("2025-04", D(2025, 4, 1), D(2025, 4, 30)),
    ("2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("2025-05-08/2025-05-10", D(2025, 5, 8), D(2025, 5, 10)),
    ("../2025-04-10", None, D(2025, 4, 10)),
    ("2025-03-20/..", D(2025, 3, 20), None),
    ("XXXX-04-10", None, None),
    ("2025-04-10?", D(2025, 4, 10), D(2025, 4, 10)),
    ("2025-04-XX", D(2025, 4, 1), D(2025, 4, 30)),
    ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29)),
])
def test_bounds_say_exactly_what_the_text_allows(text, lo, hi):
    assert bounds(text) == (lo, hi)


@pytest.mark.parametrize("text,why", [
    ("2025-02-29", "February 2025 has no day 29"),
    ("2025-13", "month 13"),
    ("2025-05-10/2025-05-01", "ends before it starts"),
    ("../..", "says nothing"),
    ("10.04.2025", "not an EDTF date"),
    ("2025-4-10", "not an EDTF date"),
    ("X025", "come last"),
    ("2025-04-XX/2025-05", "without unspecified digits"),
    (" 2025", "not an EDTF date"),
])
def test_what_is_not_a_date_is_refused_with_the_reason(text, why):
    with pytest.raises(DateError, match=why):
        bounds(text)


def _fmt(d: dt.date) -> str:
    return d.isoformat()


day = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))
plain = st.one_of(day.map(_fmt), day.map(lambda d: _fmt(d)[:7]), day.map(lambda d: _fmt(d)[:4]))
single = st.one_of(plain, day.map(lambda d: _fmt(d)[:8] + "XX"), day.map(lambda d: _fmt(d)[:5] + "XX"))
qualified = st.tuples(single, st.sampled_from(["", "?", "~", "%"])).map("".join)
# spans with unspecified digits are refused by cotw (the package misreads them), so they are not compared
interval = st.tuples(st.one_of(plain, st.just("..")), st.one_of(plain, st.just(".."))).map("/".join)


@settings(deadline=None)  # timing is the benchmarks' business: a loaded machine must not fail this test
@given(st.one_of(qualified, interval))
def test_bounds_agree_with_the_edtf_package(text):
    edtf = pytest.importorskip("edtf")
    try:
        mine = bounds(text)
    except DateError:
        mine = None
    try:
        ref = edtf.parse_edtf(text)
        lo, hi = ref.lower_strict(), ref.upper_strict()
    except Exception:  # the reference refuses it too
        assert mine is None
        return
    conv = lambda t: None if isinstance(t, float) else D(t.tm_year, t.tm_mon, t.tm_mday)  # noqa: E731  (inf: unbounded)
    ref_bounds = (conv(lo), conv(hi))
    if mine is None:  # cotw is stricter: reversed spans and "../.." are errors here, not for the package
        assert text == "../.." or (ref_bounds[0] and ref_bounds[1] and ref_bounds[0] > ref_bounds[1])
        return
    assert mine == ref_bounds


def test_the_days_of_a_month_are_the_calendars_in_every_year_cotw_accepts():
    """dates._days is a table, not calendar.monthrange (it is on every distinct date the check reads): the two
    agree on every month of the years 0001 to 9999."""
    import calendar

    from cotw.dates import _days

    wrong = [(y, m) for y in range(1, 10_000) for m in range(1, 13) if _days(y, m) != calendar.monthrange(y, m)[1]]
    assert wrong == []
