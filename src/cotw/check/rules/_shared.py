"""Helpers the rules share: reading a missing cell, looking values up as arrow text."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import TEXT


def _missing(v) -> bool:
    """A missing cell of a row as pandas gives it (None or NaN)."""
    return v is None or (isinstance(v, float) and v != v)


def _lookup(table: dict[str, str], keys):
    """table[key] for each cell of `keys` (null where absent or missing), as arrow text."""
    return pc.take(pa.array(list(table.values()), TEXT), pc.index_in(keys, value_set=pa.array(list(table), TEXT)))
