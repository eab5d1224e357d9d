"""Loading tables as typed pandas DataFrames, with dtypes taken from the Table Schema.

Dates become datetime64, controlled vocabularies categoricals with the schema's categories (in the
schema's order), booleans the nullable boolean dtype, numbers Float64, text the string dtype.
Only an empty cell is missing: literal text such as "NA", "None" or "null" stays text.
An EDTF date field (`x-edtf`) stays text, as curated, and gains two derived columns right after it,
`<field>_earliest` and `<field>_latest` (datetime64; missing where the date is unbounded), so that
"2025-04" or "../2025-04-10" can be sorted, filtered and compared (see cotw.dates).
Loading does not validate; `cotw check` does. A value that cannot take its declared type is an
error here rather than a silent loss.
"""
from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from ..dates import bounds_arrays, bounds_columns
from ..package import Package
from .safeio import UnsafeFile


class LoadError(ValueError):
    """A cell that cannot take its declared type; run `cotw check` for the full, located report."""


def dtypes(pkg: Package, name: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in pkg.schema(name)["fields"]:
        enum = f.get("constraints", {}).get("enum")
        t = f.get("type", "string")
        if enum is not None:
            out[f["name"]] = pd.CategoricalDtype(categories=list(enum), ordered=False)
        elif t == "boolean":
            out[f["name"]] = "boolean"
        elif t == "number":
            out[f["name"]] = "Float64"
        elif t == "integer":
            out[f["name"]] = "Int64"
        elif t in ("date", "datetime"):
            out[f["name"]] = "datetime64[ns]"
        else:
            out[f["name"]] = "str"
    return out


def load_table(pkg: Package, name: str) -> pd.DataFrame:
    res = pkg.resource(name)
    try:
        data = pkg.read_bytes(res["path"])
    except (OSError, UnsafeFile) as exc:
        raise LoadError(f"{res['path']}: {getattr(exc, 'reason', None) or exc.strerror or exc}; run `cotw check`") from None
    types = dtypes(pkg, name)
    table = _text_table(data, res["path"])
    del data  # the parsed table holds its own copy of every cell
    text = {c: table.column(c) for c in table.column_names}
    typed: dict[str, object] = {}
    for col, dtype in types.items():  # in the schema's order: the first column that fails is the one named
        if col not in text:
            raise LoadError(f"{res['path']}: column {col!r} is missing; run `cotw check`")
        try:
            typed[col] = _typed(text[col], dtype)
        except (ValueError, TypeError) as exc:
            raise LoadError(f"{res['path']}: column {col!r} cannot be read as {dtype}: {exc}; run `cotw check`") from None
    edtf = {f["name"] for f in pkg.schema(name)["fields"] if f.get("x-edtf")}
    parts: dict[str, object] = {}
    for col, values in text.items():  # in the file's order, each EDTF field followed by its bounds
        parts[col] = typed[col] if col in typed else _strings(values)
        if col in edtf:
            if col in typed and types[col] != "str":
                lo, hi = bounds_columns(pd.Series(parts[col], copy=False))
                lo, hi = lo.array, hi.array
            else:
                lo, hi = bounds_arrays(values)
            parts[f"{col}_earliest"], parts[f"{col}_latest"] = lo, hi
    return pd.DataFrame(parts, index=pd.RangeIndex(table.num_rows), copy=False)


def _typed(values, dtype):
    """The column `values` (pyarrow text, only empty cells null) as a pandas array of `dtype` (see
    `dtypes`); ValueError or TypeError when a cell cannot take it."""
    if isinstance(dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in dtype.categories):
        return _categorical(values, dtype)
    if dtype == "str":
        return _strings(values)
    s = pd.Series(_strings(values), copy=False)
    if dtype == "datetime64[ns]":
        return pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[ns]").array
    if dtype == "boolean":
        out = s.map(_BOOL).astype("boolean")
        if out.isna().sum() != s.isna().sum():
            raise ValueError("not a boolean")
        return out.array
    if dtype in ("Float64", "Int64"):
        return pd.to_numeric(s).astype(dtype).array
    # a vocabulary of numbers or booleans: no cell (text) is in it, unless the column is empty
    unknown = set(s.dropna().unique()) - set(dtype.categories)
    if unknown:
        raise ValueError(f"not in the vocabulary: {sorted(unknown)[:3]}")
    return s.astype(dtype).array


def _categorical(values, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """Text as a categorical of the vocabulary `dtype` (text categories), coded in arrow: one hash
    lookup per cell, instead of pandas' object indexer."""
    import pyarrow as pa
    import pyarrow.compute as pc

    vocabulary = pa.array(list(dtype.categories), type=values.type)
    codes = pc.index_in(values, value_set=vocabulary)
    if codes.null_count != values.null_count:  # a cell that is not empty and not in the vocabulary
        unknown = pc.unique(pc.filter(values, pc.and_(pc.is_valid(values), pc.is_null(codes)))).to_pylist()
        raise ValueError(f"not in the vocabulary: {sorted(unknown)[:3]}")
    return pd.Categorical.from_codes(codes.fill_null(-1).to_numpy(), dtype=dtype)


def _strings(values):
    """A pyarrow text column as pandas' string array (missing: NaN), wrapping its buffers without a copy."""
    return pd.array(pd.arrays.ArrowStringArray(values), dtype=_STR)


def _text_table(data: bytes, path: str):
    """Every cell as text (pyarrow large_string, the type pandas' string arrays hold, so wrapping
    them copies nothing), only an empty cell missing. pyarrow parses the bytes in place (on every
    core): ~2x faster than `pd.read_csv(engine="pyarrow")`, which converts the parsed table again,
    and it reads quoted line breaks inside cells."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        # the names first, so that every column is read as text (pyarrow would otherwise infer types)
        end = data.find(b"\n")
        first = data[: end if end >= 0 else len(data)].decode("utf-8-sig", errors="replace").rstrip("\r")
        header = next(csv.reader([first]), [])
        if not header:
            raise LoadError(f"{path}: the file is empty; run `cotw check`")
        if len(set(header)) != len(header):
            raise LoadError(f"{path}: a column appears twice in the header; run `cotw check`")

        def parse(newlines_in_values: bool):
            return pcsv.read_csv(
                pa.BufferReader(pa.py_buffer(data)),
                read_options=pcsv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pcsv.ParseOptions(newlines_in_values=newlines_in_values),
                convert_options=pcsv.ConvertOptions(column_types={c: pa.large_string() for c in header}, null_values=[""],
                                                    strings_can_be_null=True, quoted_strings_can_be_null=True, check_utf8=True))

        if _one_line_rows_possible(data, end):
            # pyarrow splits the bytes into blocks at line ends, ~1.5x faster than finding the ends of
            # quoted cells first; but a block that ends inside a quoted cell loses its last row without
            # an error. Each row starts a line, so when there are as many rows as lines, no row spans
            # two lines: the table is the one the careful split gives. Otherwise, parse again carefully.
            try:
                table = parse(False)
            except pa.ArrowException:  # the careful parse gives the error, worded as it always was
                table = None
            if table is not None and table.num_rows == _data_lines(data):
                return table
        return parse(True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, csv.Error) as exc:
        why = str(exc).splitlines()[0].replace("conversion error to large_string:", "conversion error to string:", 1)
        raise LoadError(f"{path}: cannot be read as CSV ({why}); run `cotw check`") from None


def _one_line_rows_possible(data: bytes, end: int) -> bool:
    """Whether the lines of `data` can be counted as pyarrow ends rows: no carriage return (a line end
    of its own to pyarrow) and a header without quotes (so that its record is its first line)."""
    return end >= 0 and b'"' not in data[:end] and data.find(b"\r") < 0


def _data_lines(data: bytes) -> int:
    """The number of lines after the header (an empty line counts: pyarrow skips it, so the counts
    then differ and the careful parse decides)."""
    step = 1 << 22  # counted a slice at a time: numpy compares 4 MiB in cache, ~3x faster than bytes.count
    view = np.frombuffer(data, dtype=np.uint8)
    ends = sum(int(np.count_nonzero(view[i:i + step] == 10)) for i in range(0, len(view), step))
    return ends - 1 if data.endswith(b"\n") else ends


def with_date_bounds(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    """`frame` with `<field>_earliest` and `<field>_latest` after every EDTF field."""
    edtf = [f["name"] for f in fields if f.get("x-edtf") and f["name"] in frame.columns]
    if not edtf:
        return frame
    parts = {}
    for col in frame.columns:
        parts[col] = frame[col]
        if col in edtf:
            parts[f"{col}_earliest"], parts[f"{col}_latest"] = bounds_columns(frame[col])
    return pd.DataFrame(parts, index=frame.index)


_STR = pd.StringDtype("pyarrow", na_value=np.nan)
_BOOL = {"true": True, "True": True, "TRUE": True, "1": True, "false": False, "False": False, "FALSE": False, "0": False}
