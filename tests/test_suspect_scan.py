"""The quick scan that decides which text columns get the safe-text rules misses no cell those rules refuse."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cotw.check.blocks import Cols
from cotw.check.derive import _SUSPECT_RX, _suspect_columns as _scan


def _suspect_columns(df: pd.DataFrame, columns: list[str]) -> set[str]:
    return _scan(Cols.of_frame(df), columns)

TRICKY = ["", "plain", "é ü ß", "\ufffd", "\ufffe", "\uffff", "x\uffffy", "\uffef", "\ufeff", "a\tb", "a\nb", "\tlead", "\rlead",
          "=SUM(1)", "+1", "-1", "@x", "a=b", "x\x00", "x\x1f", "x\x7f", "\x85", "\u2028", "€", "𝄞"]


def expected(cells) -> bool:
    return any(isinstance(c, str) and _SUSPECT_RX.search(c) for c in cells)


def frame(columns: dict[str, list], chunks: int = 1) -> pd.DataFrame:
    """Arrow-backed text, in `chunks` pieces (as a large file is parsed)."""
    out = {}
    for name, cells in columns.items():
        n = max(1, -(-len(cells) // chunks))
        arr = pa.chunked_array([pa.array(cells[i:i + n], pa.large_string()) for i in range(0, len(cells), n)] or [pa.array([], pa.large_string())])
        out[name] = pd.Series(pd.arrays.ArrowStringArray(arr), dtype=pd.StringDtype("pyarrow", na_value=float("nan")))
    return pd.DataFrame(out)


@pytest.mark.parametrize("cell", TRICKY)
def test_every_kind_of_suspect_cell_is_found(cell):
    cols = {"alone": [cell], "among": ["fine", None, cell, "fine too"], "sliced": ["x", cell]}
    df = frame(cols, chunks=2)
    df["sliced"] = df["sliced"].iloc[::-1].reset_index(drop=True)  # no effect on the answer, another buffer layout
    assert _suspect_columns(df, list(cols)) == {c for c, cells in cols.items() if expected(cells)}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(TRICKY)), max_size=30), st.integers(1, 4))
def test_the_scan_agrees_with_the_rules_pattern(cells, chunks):
    df = frame({"c": cells}, chunks)
    assert _suspect_columns(df, ["c"]) == ({"c"} if expected(cells) else set())


@pytest.mark.parametrize("cell", TRICKY)
def test_a_slice_of_a_larger_buffer_is_scanned_where_it_lies(cell):
    whole = pa.array(["a", cell, "b"], pa.large_string())
    inner = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([whole.slice(1, 1)])))
    assert _suspect_columns(pd.DataFrame({"c": inner}), ["c"]) == ({"c"} if expected([cell]) else set())
