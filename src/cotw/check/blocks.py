"""Building blocks shared by the derived schema and the cross-column rules: checks that run on a
table's cells as arrow text, and how to word a failure.

Every check takes arrow text (`pa.ChunkedArray` of large_string, null where a cell is missing): a
column check one column, a frame check a `Cols` (the table's columns by name). It returns an arrow
boolean array, True for the rows that pass; a null counts as a failure. `cotw check` runs them on the
tables as read, without pandas; derive.build wraps the same functions as pandera checks, which turn a
pandas column into arrow text first (`strings`), so a user's typed frame (`cotw.load`) is judged on its
CSV form by the same code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..report import shorten
from ..suggest import did_you_mean as suggestion

TEXT = pa.large_string()


@dataclass(frozen=True)
class Rule:
    """What a named check stands for: the column it is about and how to say a failure in words."""

    rule: str
    column: str | None
    describe: Callable[[object, object], tuple[str, str | None]]  # (value, row: a pandas Series or None) -> (message, hint)
    needs_row: bool = False


@dataclass
class CheckSpec:
    """A check before it runs: name, function (arrow text in, arrow booleans out) and how to describe a failure."""

    key: str
    fn: Callable
    rule: Rule


class Cols:
    """A table's columns as arrow text, by name; `num_rows` rows. Built from an arrow table (the check
    path) or from a pandas frame (pandera's frame checks: each column converted on first use)."""

    def __init__(self, get: Callable[[str], pa.ChunkedArray], names, num_rows: int):
        self._get, self._cache = get, {}
        self.names = list(names)
        self.num_rows = num_rows

    @classmethod
    def of_arrow(cls, table: pa.Table) -> "Cols":
        return cls(lambda c: as_text(table.column(c)), table.column_names, table.num_rows)

    @classmethod
    def of_frame(cls, df) -> "Cols":
        return cls(lambda c: strings(df[c]), [str(c) for c in df.columns], len(df))

    def __contains__(self, name) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> pa.ChunkedArray:
        if name not in self._cache:
            if name not in self.names:
                raise KeyError(name)
            self._cache[name] = self._get(name)
        return self._cache[name]

    def get(self, name: str):
        return self[name] if name in self.names else None

    def has(self, *names: str) -> bool:
        return all(n in self.names for n in names)

    def true(self) -> pa.Array:
        """Every row passes (a check that has nothing to judge)."""
        return pa.nulls(self.num_rows, pa.bool_()).fill_null(True)


def from_numpy(values) -> pa.Array:
    """A numpy array of booleans or int64 as an arrow array (no nulls), from its buffer. `pa.array` on a
    numpy array makes numpy import numpy.ma, ~25 ms: a tenth of the whole check of the shipped data."""
    import numpy as np

    values = np.asarray(values)
    if values.dtype == bool:
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))])


def as_text(a) -> pa.ChunkedArray:
    """`a` as a large_string ChunkedArray (the one form every check takes)."""
    if isinstance(a, pa.Array):
        a = pa.chunked_array([a], a.type)
    return a if a.type == TEXT else a.cast(TEXT)


def text(s):
    """A pandas column's cells as text: typed columns (datetime, category, boolean, number) back to their CSV form."""
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna())
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.map({True: "true", False: "false"}).astype(object).where(s.notna())
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype(object).where(s.notna()).map(lambda v: v if pd.isna(v) else repr(v))
    return s


def strings(s) -> pa.ChunkedArray:
    """The cells of pandas column `s` as arrow text, null where missing: the arrow data itself for
    arrow-backed text (no copy), else `text(s)` converted once."""
    import pandas as pd

    values = s.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        return as_text(values.__arrow_array__())
    t = text(s).astype(object)
    return pa.chunked_array([pa.array([(v if isinstance(v, str) else str(v)) if keep else None for v, keep in zip(t, t.notna())],
                                      type=TEXT)], type=TEXT)


def passes(mask, index):
    """An arrow boolean array as a pandera check's result: a bool Series on `index`, False where null."""
    import pandas as pd

    return pd.Series(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), index=index, dtype=bool)


def all_pass(mask) -> bool:
    """Whether every row passes (a null is a failure). An arrow boolean array is counted from its validity
    and true counts (the ~1,000 masks of a check cost a kernel call each otherwise); anything else goes
    to pc.all, as before."""
    if len(mask) == 0:
        return True
    if isinstance(mask, pa.BooleanArray):
        return mask.null_count == 0 and mask.true_count == len(mask)
    if isinstance(mask, pa.ChunkedArray) and mask.type == pa.bool_():
        return mask.null_count == 0 and sum(c.true_count for c in mask.chunks) == len(mask)
    return pc.all(mask, skip_nulls=False).as_py() is True  # None when a null decides


def at_most_bytes(a, limit: int):
    """An all-True mask when no cell of arrow text `a` takes more than `limit` bytes in UTF-8 (then none has more
    than `limit` characters either, nor a missing cell); None when one may, or `a` is not arrow text: the caller's
    kernels decide. Read from the offsets, without a kernel call (a maxLength check on every text column)."""
    import numpy as np

    if isinstance(a, pa.ChunkedArray):
        chunks = a.chunks
    elif isinstance(a, pa.Array):
        chunks = [a]
    else:
        return None
    for chunk in chunks:
        width = _OFFSETS.get(chunk.type)
        if width is None:
            return None
        if len(chunk):  # a missing cell's span counts too (arrow allows one): it can only make this say None
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1]
            if (offsets[1:] - offsets[:-1]).max() > limit:
                return None
    return _all_true(len(a))


_OFFSETS = {pa.large_string(): "int64", pa.string(): "int32"}  # arrow text types -> the type of their offsets


@lru_cache(maxsize=64)
def _all_true(n: int) -> pa.Array:
    """n Trues (arrow arrays are immutable: one per length serves every check)."""
    import numpy as np

    return from_numpy(np.ones(n, dtype=bool))


def filled(mask, value):
    """`pc.fill_null(mask, value)`, without the kernel call when `mask` (arrow) has no null to fill."""
    return mask if mask.null_count == 0 else pc.fill_null(mask, value)


def ok(mask, a):
    """Pass where the mask is True or the cell is missing (required-ness is a check of its own)."""
    mask = filled(mask, False)
    return mask if a.null_count == 0 else pc.or_(mask, pc.is_null(a))


def values(items) -> pa.Array:
    """A value set for `is_in`: arrow text as it is, anything else as text."""
    if isinstance(items, (pa.Array, pa.ChunkedArray)):
        return items if items.type == TEXT else items.cast(TEXT)
    return pa.array([str(v) for v in items], type=TEXT)


def isin(a, items):
    """Membership of every cell in `items` (False for a missing cell)."""
    return filled(pc.is_in(a, value_set=values(items)), False)


def per_value(a, fn: Callable[[str], bool]):
    """fn(cell) for every cell, computed once per distinct value (a column has few); False where missing."""
    distinct = pc.unique(a).drop_null()
    good = [v for v in distinct.to_pylist() if fn(v)]
    return isin(a, good)


def fullmatch(a, pattern: str, rx: re.Pattern | None = None):
    """Cells that match `pattern` as a whole (Table Schema patterns are implicitly anchored); False where missing.
    Always by RE2, with Python's meaning of the pattern (see check.protect); `rx` is unused (kept for callers)."""
    from .protect import fullmatch as by_re2

    return by_re2(a, pattern)


# what pandas.to_numeric reads as a number (cotw.load reads numbers with it): ASCII digits, an optional
# sign, point and exponent, or inf/infinity, with whitespace around; not NaN, which is a missing value.
# Unambiguous, so linear: each character can be matched by one part only (`[0-9]+\.?[0-9]*` split a run
# of digits every way before failing: 20,000 digits and an 'x' took 36 s). No possessive quantifier on a
# group: Python before 3.11.5 (Debian 12's 3.11.2) matches `[0-9]++(?:[eE][0-9]++)?+` against '1e'.
NUMBER = re.compile(r"[ \t\n\r\f\v]*[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity))[ \t\n\r\f\v]*")


def number(v: str) -> float | None:
    return float(v) if NUMBER.fullmatch(v) else None


def first_of_each(codes) -> "np.ndarray":  # noqa: F821
    """For integer codes (one per row), True at the first row of each code: `not duplicated(keep='first')`."""
    import numpy as np

    codes = np.asarray(codes)
    first = np.zeros(len(codes), dtype=bool)
    if len(codes):
        first[np.unique(codes, return_index=True)[1]] = True
    return first


def codes(*columns) -> "np.ndarray":  # noqa: F821
    """One int64 per row that is equal exactly when the rows' cells in `columns` are all equal (a missing
    cell equal to a missing one): the columns dictionary-encoded together, then combined."""
    import numpy as np

    out = None
    for a in columns:
        enc = pc.dictionary_encode(as_text(a)).combine_chunks()
        c = pc.fill_null(pc.cast(enc.indices, pa.int64()), -1).to_numpy() + 1
        out = c if out is None else np.unique(out * (len(enc.dictionary) + 1) + c, return_inverse=True)[1].astype(np.int64)
    return out


def q(v) -> str:
    return repr(shorten(v))


def prepared(choices) -> tuple[list, dict] | None:
    """What did_you_mean looks at in `choices`: the choices as Python strings and by their lower case;
    None for a set too large to suggest from. Worth keeping for a column whose cells fail by the
    thousand (a foreign key to a table whose keys all changed): converting the keys anew for every
    failing cell took seconds."""
    if len(choices) > 5000:  # bounded cost per failing cell: large key sets get no suggestion
        return None
    pool = [c.as_py() if hasattr(c, "as_py") else str(c) for c in choices]
    return pool, {c.lower(): c for c in pool}


def did_you_mean(value, choices, ready: dict | None = None) -> str | None:
    """A hint naming the choice `value` was likely meant to be; `ready` ({} at first) keeps prepared(choices)
    between calls about the same choices."""
    v = str(value)
    if ready is None:
        ready = {}
    if "choices" not in ready:
        ready["choices"] = prepared(choices)
    if ready["choices"] is None:
        return None
    pool, lower = ready["choices"]
    stripped = v.strip()
    if stripped != v and stripped in pool:
        return f"remove the whitespace: did you mean '{stripped}'?"
    if v.lower() in lower:
        return f"did you mean '{lower[v.lower()]}'?"
    return suggestion(v, pool)
