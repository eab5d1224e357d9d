"""The fast read path (pyarrow + proof by re-serialisation) gives exactly what the exact csv-module
path gives, or steps aside."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cotw
from cotw.io import fastread
from cotw.io.canonical import canonical
from cotw.io.reader import Table, _parse, to_frame
from test_fmt import PROFILE, tables, writings


def exact(data: bytes, fields: list[str]) -> Table:
    table = Table(name="t", file="t.csv", fields=fields)
    _parse(table, data.decode("utf-8-sig"))
    return table


def assert_same(fast, slow: Table) -> None:
    table, lines, _ = fast
    pd.testing.assert_frame_equal(to_frame(table), slow.frame, check_dtype=True)
    assert table.schema == slow.arrow.schema
    np.testing.assert_array_equal(lines, slow.lines)


@pytest.mark.slow
@PROFILE
@given(data=st.data(), table=tables())
def test_fast_path_equals_exact_path_or_steps_aside(data, table):
    fields, pk, rows = table
    written = data.draw(writings(fields, rows))
    fast = fastread.read(written, fields, pk)
    if fast is not None:
        assert_same(fast, exact(written, fields))
    tidy = canonical(written, fields, pk)
    fast = fastread.read(tidy, fields, pk)
    if b"\r" not in tidy:
        assert fast is not None, tidy
        assert_same(fast, exact(tidy, fields))
        assert fast[2] in (True, None)


@pytest.mark.parametrize("name", cotw.names())
def test_shipped_tables_take_the_fast_path(root, name):
    pkg = cotw.Package.open(root)
    fields = [f["name"] for f in pkg.schema(name)["fields"]]
    data = (root / pkg.path(name)).read_bytes()
    fast = fastread.read(data, fields, pkg.schema(name)["primaryKey"])
    assert fast is not None and fast[2] is True
    assert_same(fast, exact(data, fields))


@pytest.mark.parametrize("data, sorted_", [
    (b'a,b,c\nx,1,p\nx,2,a\ny,0,z\n', True),
    (b'a,b,c\nx,1,p\nx,1,p\n', True),       # ties keep their order: still canonical (the primary-key check reports them)
    (b'a,b,c\nx,2,p\nx,1,q\n', False),      # the second key field decides
    (b'a,b,c\ny,1,p\nx,2,q\n', False),
    (b'a,b,c\nx,\xc3\xa9,p\nx,z,q\n', False),  # code point order, as Python's sort: 'z' < '\xe9'
])
def test_a_composite_key_is_judged_sorted_or_not_as_fmt_sorts(data, sorted_):
    fast = fastread.read(data, ["a", "b", "c"], ["a", "b"])
    assert fast is not None and fast[2] is sorted_
    assert (canonical(data, ["a", "b", "c"], ["a", "b"]) == data) is sorted_


@pytest.mark.parametrize("data", [b'a,b,c\nx,,p\nx,1,q\n', b'a,b,c\nx,1,q\nx,,p\n'])
def test_a_composite_key_with_a_missing_cell_is_judged_as_fmt_sorts_it(data):
    # fmt sorts a missing cell as ''; the missing key cell itself is the check's to report, not the reader's
    assert fastread.read(data, ["a", "b", "c"], ["a", "b"])[2] is (canonical(data, ["a", "b", "c"], ["a", "b"]) == data)


@pytest.mark.parametrize("data", [
    b'a,b\nx,y\n\nz,w\n',          # blank line: pyarrow reads a row of empty cells
    b'a,b\n"ab"c,d\n',             # text after a closing quote: pyarrow reads 'abc'
    b'a,b\n x,y\n',                # a cell with leading whitespace must be quoted in canonical form
    b'a,b\n"x",y\n',               # over-quoting
    b'a,b\nx,y',                   # no final line end
    b'a,b\r\nx,y\r\n',             # CRLF
    b'\xef\xbb\xbfa,b\nx,y\n',     # BOM
    b'b,a\ny,x\n',                 # columns out of order
    b'a,b\nx\n',                   # short row
    b'a,b\nx,y\n,\n',              # a row of empty cells: a blank line to the exact path
])
def test_anything_not_canonical_goes_to_the_exact_path(data):
    assert fastread.read(data, ["a", "b"], ["a"]) is None


@pytest.mark.parametrize("data, lines", [
    (b'a,b\nx,1\ny,2\n', [2, 3]),
    (b'a,b\nx,"one\ntwo"\ny,2\nz,"3\n\n4"\nw,5\n', [2, 4, 5, 8]),  # a row begins after the breaks in the cells above it
])
def test_each_row_is_located_on_its_first_line(data, lines):
    fast = fastread.read(data, ["a", "b"], ["a"])
    assert fast is not None and fast[1].tolist() == lines
    assert_same(fast, exact(data, ["a", "b"]))


def test_the_whitespace_list_is_exactly_what_python_strips():
    import sys

    assert fastread._WS == "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())



@pytest.mark.parametrize("batch", [1, 2, 3])
def test_batches_written_on_both_cores_are_compared_in_order(monkeypatch, batch):
    monkeypatch.setattr(fastread, "BATCH", batch)
    data = b'a,b\nx,"1,2"\ny,2\nz,"q ""r"""\nw,4\nv,5\n'
    assert_same(fastread.read(data, ["a", "b"], ["a"]), exact(data, ["a", "b"]))
    # the same rows with one over-quoted cell in a late batch: not what canonical form writes
    assert fastread.read(data.replace(b"v,5", b'v,"5"'), ["a", "b"], ["a"]) is None
    assert fastread.read(data.replace(b"y,2\n", b"y,2\n\n"), ["a", "b"], ["a"]) is None
