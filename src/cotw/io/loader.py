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
import os
import threading

import numpy as np
import pandas as pd

from ..dates import bounds_arrays, bounds_columns
from ..package import LoadError, Package  # noqa: F401  (LoadError: cotw.io.loader.LoadError before 0.2)
from . import safeio
from .safeio import UnsafeFile


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
        source = _Source.open(pkg, res["path"])
    except (OSError, UnsafeFile) as exc:
        raise LoadError(f"{res['path']}: {getattr(exc, 'reason', None) or exc.strerror or exc}; run `cotw check`", file=res["path"]) from None
    with source:
        types = dtypes(pkg, name)
        table = _text_table(source, res["path"])
    text = {c: table.column(c) for c in table.column_names}
    typed: dict[str, object] = {}
    for col, dtype in types.items():  # in the schema's order: the first column that fails is the one named
        if col not in text:
            raise LoadError(f"{res['path']}: column {col!r} is missing; run `cotw check`", file=res["path"], column=col)
        try:
            typed[col] = _typed(text[col], dtype)
        except (ValueError, TypeError) as exc:
            row, value = _first_outside(text[col], dtype)
            where = f" (first at row {row}: {value!r})" if row else ""
            raise LoadError(f"{res['path']}: column {col!r} cannot be read as {dtype}: {exc}{where}; run `cotw check`",
                            file=res["path"], row=row, column=col, value=value) from None
    edtf = {f["name"] for f in pkg.schema(name)["fields"] if f.get("x-edtf")}
    for col in edtf & set(text):  # an invalid date is an error, as a value outside a vocabulary is: never an empty bound
        _require_dates(text[col], col, res["path"])
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


def _first_row(values, mask) -> int:
    """The data row (1-based) of the first true cell of `mask`, a boolean arrow array over `values`."""
    import pyarrow.compute as pc

    return int(pc.index(mask.fill_null(False), True).as_py()) + 1


def _first_outside(values, dtype) -> tuple[int | None, object]:
    """(row, value) of the first filled cell outside the vocabulary `dtype`, or (None, None)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(dtype, pd.CategoricalDtype):
        return None, None
    vocabulary = pa.array([str(c) for c in dtype.categories], type=values.type)
    outside = pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=vocabulary)))
    if not pc.any(outside).as_py():
        return None, None
    row = _first_row(values, outside)
    return row, values[row - 1].as_py()


def _require_dates(values, col: str, path: str) -> None:
    """A located LoadError for the first cell of `values` (arrow text) that is not an accepted EDTF date."""
    import pyarrow.compute as pc

    from ..dates import check

    bad = [v for v in pc.unique(values).drop_null().to_pylist() if check(v)]
    if not bad:
        return
    row = min(_first_row(values, pc.equal(values, v)) for v in bad)
    value = values[row - 1].as_py()
    raise LoadError(f"{path}: column {col!r} cannot be read as an EDTF date: {check(value)} (first at row {row}); run `cotw check`",
                    file=path, row=row, column=col, value=value)


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


class _Source:
    """A table's file, read from the start in pieces: from its open descriptor (checked by safeio; the
    file is never held whole in memory, and pyarrow parses each piece while the next is read), or, in a
    zipped package, from its bytes."""

    def __init__(self, size: int, fd: int | None = None, data: bytes | None = None):
        self.size, self.fd, self.data = size, fd, data
        # pyarrow reads from its own thread, and after a failed parse a read may still be under way
        # while the careful parse starts: each seek and read happens whole, and none after closing
        self._lock = threading.Lock()

    @classmethod
    def open(cls, pkg: Package, relpath: str) -> "_Source":
        if pkg.zip is not None:
            data = pkg.read_bytes(relpath)
            return cls(len(data), data=data)
        fd, size = safeio.open_regular(pkg.root, relpath, safeio.MAX_TABLE)
        return cls(size, fd=fd)

    def read_at(self, offset: int, n: int) -> bytes:
        if self.data is not None:
            return self.data[offset:offset + n]
        with self._lock:
            if self.fd is None:
                return b""
            os.lseek(self.fd, offset, os.SEEK_SET)
            return os.read(self.fd, n)

    def first_line(self) -> tuple[bytes, bool]:
        """The bytes before the first line end, and whether there is one."""
        head, step = b"", 1 << 16
        while len(head) < self.size:
            piece = self.read_at(len(head), step)
            if not piece:
                break
            at = piece.find(b"\n")
            if at >= 0:
                return head + piece[:at], True
            head += piece
            step = min(step * 4, 1 << 24)
        return head, False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        with self._lock:
            if self.fd is not None:
                os.close(self.fd)
                self.fd = None


class _Pieces:
    """The file object pyarrow reads a source through (from its reader thread, a block at a time), at most
    the size the file had when opened, counting line ends and carriage returns on the way."""

    closed = False

    def __init__(self, source: _Source):
        self.source, self.pos, self.ends, self.cr, self.last = source, 0, 0, False, b""

    def read(self, n: int = -1) -> bytes:
        n = self.source.size - self.pos if n is None or n < 0 else min(n, self.source.size - self.pos)
        pieces = []
        while n > 0:
            piece = self.source.read_at(self.pos, n)
            if not piece:  # the file shrank
                break
            pieces.append(piece)
            self.pos += len(piece)
            n -= len(piece)
            self.ends += int(np.count_nonzero(np.frombuffer(piece, dtype=np.uint8) == 10))
            self.cr = self.cr or b"\r" in piece
            self.last = piece[-1:]
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def data_lines(self) -> int:
        """The number of lines after the header (an empty line counts: pyarrow skips it, so the counts
        then differ and the careful parse decides)."""
        return self.ends - 1 if self.last == b"\n" else self.ends

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        self.closed = True


def _text_table(source: _Source, path: str):
    """Every cell as text (pyarrow large_string, the type pandas' string arrays hold, so wrapping
    them copies nothing), only an empty cell missing. pyarrow parses on every core: ~2x faster than
    `pd.read_csv(engine="pyarrow")`, which converts the parsed table again, and it reads quoted line
    breaks inside cells."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        # the names first, so that every column is read as text (pyarrow would otherwise infer types)
        line, ended = source.first_line()
        first = line.decode("utf-8-sig", errors="replace").rstrip("\r")
        header = next(csv.reader([first]), [])
        if not header:
            raise LoadError(f"{path}: the file is empty; run `cotw check`", file=path)
        if len(set(header)) != len(header):
            raise LoadError(f"{path}: a column appears twice in the header; run `cotw check`", file=path)

        # A file of one block gains nothing from pyarrow's threads, and a process that ends right after a
        # threaded read can abort in their teardown ("terminate called without an active exception",
        # apache/arrow#34314, #39862): measured 7 in 100 `cotw.load` of the shipped statements, 0 without.
        threads = source.size > _BLOCK

        def parse(pieces: _Pieces, newlines_in_values: bool):
            return pcsv.read_csv(
                pa.PythonFile(pieces, mode="r"),
                read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, use_threads=threads, block_size=_BLOCK),
                parse_options=pcsv.ParseOptions(newlines_in_values=newlines_in_values),
                convert_options=pcsv.ConvertOptions(column_types={c: pa.large_string() for c in header}, null_values=[""],
                                                    strings_can_be_null=True, quoted_strings_can_be_null=True, check_utf8=True))

        if ended and b'"' not in line:
            # pyarrow splits the file into blocks at line ends, ~1.5x faster than finding the ends of
            # quoted cells first; but a block that ends inside a quoted cell loses its last row without
            # an error. Each row starts a line, so when there are as many rows as lines, no row spans
            # two lines: the table is the one the careful split gives. A carriage return (a line end of
            # its own to pyarrow) or a quoted header (a record of more than one line) leaves the
            # lines uncounted. Otherwise, and on any error, the careful parse decides.
            pieces = _Pieces(source)
            try:
                table = parse(pieces, False)
            except (pa.ArrowException, OSError):  # the careful parse gives the error, worded as it always was
                table = None
            if table is not None and not pieces.cr and table.num_rows == pieces.data_lines():
                return table
        return parse(_Pieces(source), True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, csv.Error) as exc:
        why = str(exc).splitlines()[0].replace("conversion error to large_string:", "conversion error to string:", 1)
        raise LoadError(f"{path}: cannot be read as CSV ({why}); run `cotw check`", file=path) from None
    except OSError as exc:  # the system failed a read of the open file
        raise LoadError(f"{path}: {exc.strerror or exc}; run `cotw check`", file=path) from None


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
_BLOCK = 1 << 20  # pyarrow's default block size, named: the fast split's check and the choice of threads depend on it
_BOOL = {"true": True, "True": True, "TRUE": True, "1": True, "false": False, "False": False, "FALSE": False, "0": False}
