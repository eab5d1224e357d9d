"""Building blocks shared by the derived schema and the cross-column rules: vectorised checks
that accept text (as read from CSV) and typed columns (as loaded) alike, and how to word a failure."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from .report import shorten


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
    frame: bool = False


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
    pool = [str(c) for c in choices]
    stripped = v.strip()
    if stripped != v and stripped in pool:
        return f"remove the whitespace: did you mean '{stripped}'?"
    lower = {c.lower(): c for c in pool}
    if v.lower() in lower:
        return f"did you mean '{lower[v.lower()]}'?"
    if len(pool) > 5000:  # difflib is quadratic; large key sets get the cheap hints only
        return None
    close = difflib.get_close_matches(v, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
