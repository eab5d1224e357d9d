"""The fast paths give the answers of the exact ones: the reader's canonical-order judgement for
composite primary keys (as fmt's sort decides it), the loader's text frame (quoted line breaks
included) and the EDTF bounds columns (per distinct value, as `bounds` gives them)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import cotw
from cotw.dates import DateError, bounds, bounds_columns
from cotw.io import fastread
from cotw.io.canonical import canonical

FIELDS = ["from_id", "relation", "to_id"]
KEY = ["from_id", "relation", "to_id"]


@pytest.mark.parametrize("rows, in_order", [
    (["a,x,1", "a,x,2", "a,y,1", "b,x,0"], True),
    (["a,x,2", "a,x,1"], False),                 # the last key column decides
    (["a,y,1", "a,x,9"], False),                 # the middle one decides
    (["b,x,1", "a,z,9"], False),                 # the first one decides
    (["a,x,1", "a,x,1"], True),                  # ties keep their order
    (["a,,1", "a,x,0"], True),                   # an empty cell sorts first, as '' does
    (["Z,x,1", "a,x,1", "é,x,1"], True),         # code-point order: 'Z' < 'a' < 'é'
    (["é,x,1", "z,x,1"], False),
    (["a,x,10", "a,x,9"], True),                 # text, not numbers
])
def test_composite_keys_are_judged_as_fmt_sorts(rows, in_order):
    data = ("\n".join([",".join(FIELDS), *rows]) + "\n").encode("utf-8")
    fast = fastread.read(data, FIELDS, KEY)
    assert fast is not None
    assert fast[2] is in_order
    assert (canonical(data, FIELDS, KEY) == data) is in_order


def test_every_shipped_table_is_proven_canonical_by_the_reader(root):
    pkg = cotw.Package.open(root)
    for name in pkg.names():
        key = pkg.schema(name)["primaryKey"]
        data = (root / pkg.path(name)).read_bytes()
        fast = fastread.read(data, [f["name"] for f in pkg.schema(name)["fields"]], [key] if isinstance(key, str) else key)
        assert fast is not None and fast[2] is True, name


def test_load_reads_a_quoted_line_break_inside_a_cell(pkg):
    path = pkg / "data" / "people.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    head, first = lines[0], lines[1].split(",")
    notes = head.split(",").index("notes")
    first[notes] = '"two\nlines, and a ""quote"""'
    path.write_text("\n".join([head, ",".join(first), *lines[2:]]), encoding="utf-8")
    frame = cotw.load("people", pkg)
    assert frame.loc[0, "notes"] == 'two\nlines, and a "quote"'
    assert len(frame) == len(lines) - 2
    assert cotw.validate(pkg).ok


def test_load_keeps_literal_na_text_and_only_empty_cells_missing(pkg):
    path = pkg / "data" / "people.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    head, first = lines[0], lines[1].split(",")
    first[head.split(",").index("notes")] = "NA"
    first[head.split(",").index("printed_as")] = ""
    path.write_text("\n".join([head, ",".join(first), *lines[2:]]), encoding="utf-8")
    frame = cotw.load("people", pkg)
    assert frame.loc[0, "notes"] == "NA" and pd.isna(frame.loc[0, "printed_as"])


def test_bounds_columns_agree_with_bounds_value_by_value():
    values = pd.Series(["2025-04", None, "not a date", "../2025-01-02", "XXXX-04-10", "2025-04", "2025-05-08/2025-05-10",
                        "2025-03-20/..", "2025-02-29"], index=range(10, 19), dtype="str")
    lo, hi = bounds_columns(values)
    assert list(lo.index) == list(values.index) and str(lo.dtype) == str(hi.dtype) == "datetime64[ns]"
    for v, a, b in zip(values, lo, hi):
        try:
            want = bounds(v)
        except DateError:
            want = (None, None)
        got = tuple(None if pd.isna(x) else x.date() for x in (a, b))
        assert got == want, v
    assert lo.iloc[0] == pd.Timestamp(dt.date(2025, 4, 1)) and hi.iloc[0] == pd.Timestamp(dt.date(2025, 4, 30))
