"""The check's shortcuts around arrow kernel calls answer exactly as the kernels do: `all_pass` from validity
and true counts (pc.all), `filled` (pc.fill_null), `at_most_bytes` for maxLength and the cell-length bound
(utf8_length), and the quoting regex run once per batch in fastread (a parse accepted only when it writes
the file back byte for byte)."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from cotw.check import derive
from cotw.check.blocks import all_pass, at_most_bytes, filled
from cotw.io import fastread

cells = st.lists(st.one_of(st.none(), st.text(alphabet="ab é€𝄞,\"\n", max_size=6)), max_size=12)


def chunked(values: list, cut: int, start: int) -> pa.ChunkedArray:
    """`values` as large_string in two chunks (cut at `cut`), the first one a slice (a non-zero offset)."""
    a = pa.array(["pad"] * start + values[:cut], pa.large_string()).slice(start)
    return pa.chunked_array([a, pa.array(values[cut:], pa.large_string())], pa.large_string())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=10), st.integers(0, 10), st.integers(0, 3))
def test_all_pass_is_pc_all_without_nulls(values, cut, start):
    cut = min(cut, len(values))
    masks = [pa.chunked_array([pa.array([True] * start + values[:cut], pa.bool_()).slice(start), pa.array(values[cut:], pa.bool_())]),
             pa.array(values, pa.bool_())]
    for mask in masks:
        expected = len(mask) == 0 or pc.all(mask, skip_nulls=False).as_py() is True
        assert all_pass(mask) is expected
        assert filled(mask, False).to_pylist() == pc.fill_null(mask, False).to_pylist()


@settings(max_examples=300, deadline=None)
@given(cells, st.integers(0, 12), st.integers(0, 3), st.integers(0, 8))
def test_length_shortcut_is_the_kernels(values, cut, start, limit):
    cut = min(cut, len(values))
    a = chunked(values, cut, start)
    by_kernels = pc.fill_null(pc.less_equal(pc.utf8_length(a), limit), True).to_pylist()
    short = at_most_bytes(a, limit)
    if short is not None:
        assert short.to_pylist() == [True] * len(values) == by_kernels
    assert derive._within(a, limit).to_pylist() == by_kernels
    assert all(v is None or len(v) <= limit for v in values) is all(by_kernels)  # characters, not bytes


def test_length_shortcut_declines_what_it_cannot_vouch_for():
    assert at_most_bytes(pa.chunked_array([pa.array(["éé"], pa.large_string())]), 3) is None  # 4 bytes, 2 characters: the kernels decide
    assert at_most_bytes(pa.array([1, 2]), 5) is None
    assert at_most_bytes([["a"]], 5) is None
    assert at_most_bytes(pa.chunked_array([pa.array(["abc", None])]), 3).to_pylist() == [True, True]  # a string (int32 offsets) column


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="ab ,\"\n\t\u00a0x", max_size=5), min_size=3, max_size=3), max_size=8))
def test_one_quoting_regex_per_batch_writes_what_per_column_did(rows):
    """_reproduces accepts exactly the files canonical form writes: a row written with csv's minimal quoting
    plus fmt's rule (quote a cell with leading or trailing whitespace) round-trips; the same file with
    one quote removed from a quoted cell does not parse back as the same bytes."""
    from cotw.io.csvtext import quote_cell

    fields = ["x", "y", "z"]
    rows = [r for r in rows if any(r)]  # a row of empty cells goes to the exact path, by design
    text = "x,y,z\n" + "".join(",".join(quote_cell(c) for c in r) + "\n" for r in rows)
    got = fastread.read(text.encode(), fields, [])
    assert got is not None
    table = got[0]
    assert [[table.column(f)[i].as_py() or "" for f in fields] for i in range(table.num_rows)] == rows
