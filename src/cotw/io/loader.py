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
import io

import pandas as pd

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
    frame = _text_frame(data, res["path"])
    for col, dtype in types.items():
        if col not in frame.columns:
            raise LoadError(f"{res['path']}: column {col!r} is missing; run `cotw check`")
        s = frame[col]
        try:
            if dtype == "datetime64[ns]":
                frame[col] = pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[ns]")
            elif dtype == "boolean":
                frame[col] = s.map(_BOOL).astype("boolean")
                if frame[col].isna().sum() != s.isna().sum():
                    raise ValueError("not a boolean")
            elif dtype in ("Float64", "Int64"):
                frame[col] = pd.to_numeric(s).astype(dtype)
            elif isinstance(dtype, pd.CategoricalDtype):
                unknown = set(s.dropna().unique()) - set(dtype.categories)
                if unknown:
                    raise ValueError(f"not in the vocabulary: {sorted(unknown)[:3]}")
                frame[col] = s.astype(dtype)
        except (ValueError, TypeError) as exc:
            raise LoadError(f"{res['path']}: column {col!r} cannot be read as {dtype}: {exc}; run `cotw check`") from None
    return with_date_bounds(frame, pkg.schema(name)["fields"])


def _text_frame(data: bytes, path: str) -> pd.DataFrame:
    """Every cell as text (pandas' string dtype), only an empty cell missing. pyarrow parses (on every
    core) and each column is wrapped without a copy: ~2x faster than `pd.read_csv(engine="pyarrow")`,
    which converts the parsed table again, and it reads quoted line breaks inside cells."""
    import numpy as np
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
        table = pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in header}, null_values=[""],
                                                strings_can_be_null=True, quoted_strings_can_be_null=True, check_utf8=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError, csv.Error) as exc:
        raise LoadError(f"{path}: cannot be read as CSV ({str(exc).splitlines()[0]}); run `cotw check`") from None
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.DataFrame({c: pd.array(pd.arrays.ArrowStringArray(table.column(c)), dtype=dtype) for c in table.column_names})


def with_date_bounds(frame: pd.DataFrame, fields: list[dict]) -> pd.DataFrame:
    """`frame` with `<field>_earliest` and `<field>_latest` after every EDTF field."""
    from ..dates import bounds_columns

    edtf = [f["name"] for f in fields if f.get("x-edtf") and f["name"] in frame.columns]
    if not edtf:
        return frame
    parts = {}
    for col in frame.columns:
        parts[col] = frame[col]
        if col in edtf:
            parts[f"{col}_earliest"], parts[f"{col}_latest"] = bounds_columns(frame[col])
    return pd.DataFrame(parts, index=frame.index)


_BOOL = {"true": True, "True": True, "TRUE": True, "1": True, "false": False, "False": False, "FALSE": False, "0": False}
