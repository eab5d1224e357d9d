"""Building blocks shared by the derived schema and the cross-column rules: vectorised checks
that accept text (as read from CSV) and typed columns (as loaded) alike, and how to word a failure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..report import shorten
from ..suggest import closest


@dataclass(frozen=True)
class Rule:
    """What a named check stands for: the column it is about and how to say a failure in words."""

    rule: str
    column: str | None
    describe: Callable[[object, pd.Series | None], tuple[str, str | None]]  # (value, row) -> (message, hint)
    needs_row: bool = False


@dataclass
class CheckSpec:
    """A vectorised check before it becomes a pa.Check: name, function and how to describe a failure."""

    key: str
    fn: Callable
    rule: Rule


def text(s: pd.Series) -> pd.Series:
    """Cells as text: typed columns (datetime, category, boolean, number) back to their CSV form."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna())
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.map({True: "true", False: "false"}).astype(object).where(s.notna())
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype(object).where(s.notna()).map(lambda v: v if pd.isna(v) else repr(v))
    return s


def ok(mask: pd.Series, s: pd.Series) -> pd.Series:
    """Pass where the mask is True or the cell is missing (required-ness is pandera's nullable)."""
    return mask.astype("boolean").fillna(False).astype(bool) | s.isna().to_numpy()


def q(v) -> str:
    return repr(shorten(v))


def did_you_mean(value, choices) -> str | None:
    v = str(value)
    if len(choices) > 5000:  # bounded cost per failing cell: large key sets get no suggestion
        return None
    pool = [c.as_py() if hasattr(c, "as_py") else str(c) for c in choices]
    stripped = v.strip()
    if stripped != v and stripped in pool:
        return f"remove the whitespace: did you mean '{stripped}'?"
    lower = {c.lower(): c for c in pool}
    if v.lower() in lower:
        return f"did you mean '{lower[v.lower()]}'?"
    close = closest(v, pool)
    return f"did you mean '{close}'?" if close else None


def arrow(s: pd.Series):
    """The pyarrow array behind a text column, or None when the column is not arrow-backed."""
    values = s.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        import pyarrow as pa

        return pa.array(values)
    return None


def strings(s: pd.Series):
    """The cells of `s` as one pyarrow large_string array, null where missing: the arrow data itself
    for arrow-backed text (no copy), else `text(s)` converted once. For set operations in arrow."""
    import pyarrow as pa

    values = s.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        a = values.__arrow_array__()
        return a if a.type == pa.large_string() else a.cast(pa.large_string())
    t = text(s).astype(object)
    return pa.chunked_array([pa.array([(v if isinstance(v, str) else str(v)) if keep else None for v, keep in zip(t, t.notna())],
                                      type=pa.large_string())], type=pa.large_string())


def passes(mask, index) -> pd.Series:
    """An arrow boolean array as a check's result: a bool Series on `index`, False where null."""
    import pyarrow.compute as pc

    return pd.Series(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), index=index, dtype=bool)


def isin(s: pd.Series, values) -> pd.Series:
    """Vectorised membership; pyarrow's hash set for arrow-backed text (pandas builds a Python set per call)."""
    a = arrow(s)
    if a is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array([str(v) for v in values], type=pa.large_string())
        hit = pc.is_in(a, value_set=keys.cast(a.type) if keys.type != a.type else keys)
        return pd.Series(hit.to_numpy(zero_copy_only=False), index=s.index, dtype=bool)
    return s.isin(list(values) if not isinstance(values, (list, set, pd.Index)) else values)


def fullmatch(s: pd.Series, pattern: str, rx) -> pd.Series:
    """Cells that match `pattern` as a whole (Table Schema patterns are implicitly anchored).

    Arrow-backed text is matched by RE2 in one vectorised call when the pattern has no escapes such as
    \\d or \\s, whose meaning differs between RE2 and Python (frictionless uses Python's `re`); other
    patterns run Python's `re` once per distinct value.
    """
    import re

    a = arrow(s)
    if a is not None and not re.search(r"\\[A-Za-z]", pattern):
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            hit = pc.match_substring_regex(a, f"^(?:{pattern})$")
        except pa.ArrowInvalid:
            hit = None  # a construct RE2 lacks (`cotw check` reports it); Python's `re` still gives the right answer
        if hit is not None:
            return pd.Series(hit.to_numpy(zero_copy_only=False), index=s.index).fillna(False).astype(bool)
    t = text(s)
    good = [v for v in pd.unique(t.dropna()) if rx.fullmatch(str(v))]
    return isin(t, good) if len(good) else pd.Series(False, index=s.index)
