"""Curated dates in EDTF (Library of Congress Extended Date/Time Format, ISO 8601-2), and their bounds.

cotw accepts the part of EDTF that says exactly what a text allows:

    2025-04-10            a day                      2025-04-XX   a day of April 2025 (which is not said)
    2025-04               a month                    XXXX-04-10   April 10, year not printed
    2025                  a year                     2025-04-10?  uncertain;  ~ approximate;  % both
    2025-05-08/2025-05-10 a span                     ../2025-04-10  on or before;  2025-03-20/..  on or after

(a span's ends have no unspecified digits: the reference package cannot read them, and a wider span says the same).

`bounds()` gives the earliest and latest day a value allows (None where it is unbounded, including any
value whose year is not printed); a qualifier does not widen the bounds (EDTF's strict bounds). The
`edtf` package (in the test extras) is the reference: a test checks that both agree on every value
cotw accepts. cotw is stricter where that package is lenient: 2025-02-29 and spans that end before
they start are errors here. Everything is pure Python and cached per distinct value, so checking
costs time per distinct date, not per row, and no import on the CLI's start-up.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_DATE = r"(?P<y>[0-9X]{4})(?:-(?P<m>[0-9X]{2})(?:-(?P<d>[0-9X]{2}))?)?(?P<q>[?~%])?"
_ONE = re.compile(f"^{_DATE}$")
OPEN = ".."


class DateError(ValueError):
    """Not a date cotw accepts; the message says why."""


def _q(text) -> str:
    """The value as a message quotes it: cut as every value in a report is (a hostile cell may be megabytes long)."""
    from .report import shorten

    return repr(shorten(text))


def _digits(part: str, lo: int, hi: int) -> tuple[int, int]:
    """The range of integers a part with unspecified digits (X) can stand for, clipped to [lo, hi]."""
    if "X" not in part:
        return int(part), int(part)
    return max(lo, int(part.replace("X", "0"))), min(hi, int(part.replace("X", "9")))


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_GIVEN_FIRST = re.compile("[0-9]*X*")  # the digits a part gives come before the ones it does not (X)


def _days(year: int, month: int) -> int:
    """The days of `month` in `year` (the proleptic Gregorian calendar, as calendar.monthrange has it;
    a table instead of a call: this is on every distinct date the check reads)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


def _one(text: str) -> tuple[dt.date | None, dt.date | None]:
    m = _ONE.match(text)
    if not m:
        raise DateError(f"{_q(text)} is not an EDTF date (YYYY, YYYY-MM or YYYY-MM-DD, X for a digit not given)")
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    for part, what in ((y, "year"), (mo, "month"), (d, "day")):
        if part is not None and "X" in part and not _GIVEN_FIRST.fullmatch(part):
            raise DateError(f"{_q(text)}: the digits a {what} does not give (X) come last, as in 202X or 2025-04-XX")
    if mo is not None and "X" not in mo and not 1 <= int(mo) <= 12:
        raise DateError(f"{_q(text)} has month {mo}; months are 01 to 12")
    if d is not None and "X" not in d:
        day = int(d)
        most = _days(2024, int(mo)) if "X" not in mo else 31  # 2024: a leap year, for XXXX-02-29
        if not 1 <= day <= most:
            raise DateError(f"{_q(text)} has day {d}, which no such month has")
        if "X" not in y and "X" not in mo and day > _days(int(y), int(mo)):
            import calendar  # (imports locale: only for this message)

            raise DateError(f"{_q(text)}: {calendar.month_name[int(mo)]} {int(y)} has no day {day}")
    if y == "0000":  # EDTF's year 0 (1 BC) has no day in Python's calendar, so its bounds cannot be given
        raise DateError(f"{_q(text)} has year 0000; cotw accepts years 0001 to 9999")
    if set(y) == {"X"}:
        return None, None  # the year is not printed: the day cannot be placed in time
    y_lo, y_hi = _digits(y, 1, 9999)
    if mo is None:
        return dt.date(y_lo, 1, 1), dt.date(y_hi, 12, 31)
    m_lo, m_hi = _digits(mo, 1, 12)
    d_lo, d_hi = _digits(d, 1, 31) if d is not None else (1, 31)
    return dt.date(y_lo, m_lo, min(d_lo, _days(y_lo, m_lo))), dt.date(y_hi, m_hi, min(d_hi, _days(y_hi, m_hi)))


@lru_cache(maxsize=65_536)
def bounds(text: str) -> tuple[dt.date | None, dt.date | None]:
    """(earliest, latest) day that `text` allows; None where unbounded. Raises DateError."""
    if not isinstance(text, str) or not text or text != text.strip():
        raise DateError(f"{_q(text)} is not an EDTF date")
    if "/" not in text:
        return _one(text)
    start, _, end = text.partition("/")
    if "/" in end:
        raise DateError(f"{_q(text)} has more than one '/'")
    if start == OPEN and end == OPEN:
        raise DateError(f"{_q(text)} says nothing; leave the cell empty and say why in the basis")
    if "X" in text:
        raise DateError(f"{_q(text)}: a span's ends are dates without unspecified digits (X); widen the span instead")
    lo = (None, None) if start == OPEN else _one(start)
    hi = (None, None) if end == OPEN else _one(end)
    if lo[0] is not None and hi[1] is not None and lo[0] > hi[1]:
        raise DateError(f"{_q(text)} ends before it starts")
    return lo[0], hi[1]


def check(text: str) -> str | None:
    """Why `text` is not an accepted EDTF date, or None when it is."""
    try:
        bounds(text)
    except DateError as exc:
        return str(exc)
    return None


def bounds_columns(values):
    """(earliest, latest) as two pandas datetime64[ns] Series aligned with `values` (a Series of EDTF
    text); missing where the value is missing, invalid or unbounded."""
    import pandas as pd

    arrow = _arrow_text(values)
    if arrow is not None:
        lo, hi = bounds_arrays(arrow)
    else:
        # per distinct value, then one vectorised take: a column has few distinct dates, many rows
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        lo, hi = _bounds_table(uniques.tolist())
        lo, hi = lo[codes], hi[codes]
    return (pd.Series(lo, index=values.index, dtype="datetime64[ns]", copy=False),
            pd.Series(hi, index=values.index, dtype="datetime64[ns]", copy=False))


def bounds_arrays(column):
    """(earliest, latest) as two numpy datetime64[ns] arrays aligned with `column`, a pyarrow (chunked)
    array of text; NaT where the value is missing, invalid or unbounded. The distinct values and each
    row's index among them come from arrow's hash kernels, so the rows are never seen by Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    uniques = pc.unique(column).drop_null()
    lo, hi = _bounds_table(uniques.to_pylist())
    # a missing cell finds no match: its index is the table's last slot (NaT)
    codes = pc.index_in(column, value_set=uniques).fill_null(len(uniques)).to_numpy()
    return lo[codes], hi[codes]


def _bounds_table(uniques: list):
    """Two datetime64[ns] arrays: the bounds of each distinct value (NaT when invalid or unbounded),
    and one more slot, NaT, for a missing value (code -1 or len(uniques))."""
    import numpy as np

    nat = np.datetime64("NaT", "ns")
    lo = np.full(len(uniques) + 1, nat, dtype="datetime64[ns]")
    hi = lo.copy()
    for i, v in enumerate(uniques):
        try:
            a, b = bounds(v)
        except DateError:
            continue
        lo[i] = nat if a is None else np.datetime64(a, "ns")
        hi[i] = nat if b is None else np.datetime64(b, "ns")
    return lo, hi


def _arrow_text(values):
    """The pyarrow chunked array behind a Series of pandas' pyarrow-backed string dtype, else None."""
    import pandas as pd

    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return values.array.__arrow_array__()
    return None
