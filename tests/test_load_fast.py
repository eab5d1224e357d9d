"""`cotw.load` gives exactly the DataFrame of the plain way of building it, however the loader gets there.

The reference below is that plain way, written out: Python's csv module reads every cell as text
(only an empty cell missing), pandas casts each vocabulary with `astype(CategoricalDtype)` and each
other type as the schema says, and every row's EDTF text gets its bounds from `cotw.dates.bounds`.
The loader instead codes categories and bounds in arrow and lets pyarrow split the file at line
ends when no cell spans two lines; these tests hold it to the reference: dtypes, categories in the
schema's order, values, missing cells, column order and the `<field>_earliest/_latest` columns.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

import cotw
from cotw.dates import DateError, bounds, bounds_arrays, bounds_columns
from cotw.io.loader import LoadError
from cotw.package import Package

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
TRUE, FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}


def reference(path, name: str) -> pd.DataFrame:
    """Table `name` of the package at `path`, built cell by cell the plain way (see the module docstring)."""
    pkg = Package.open(path)
    rows = list(csv.reader(io.StringIO((pkg.root / pkg.path(name)).read_bytes().decode("utf-8-sig"), newline="")))
    rows = [r for r in rows if r]  # an empty line is no row
    head, body = rows[0], rows[1:]
    frame = pd.DataFrame({c: pd.array([r[i] or None for r in body], dtype=TEXT) for i, c in enumerate(head)})
    fields = pkg.schema(name)["fields"]
    for f in fields:
        s, enum, kind = frame[f["name"]], f.get("constraints", {}).get("enum"), f.get("type", "string")
        if enum is not None:
            unknown = set(s.dropna()) - set(enum)
            if unknown:
                raise LoadError(f"not in the vocabulary: {sorted(unknown)[:3]}")
            frame[f["name"]] = s.astype(pd.CategoricalDtype(enum, ordered=False))
        elif kind == "boolean":
            frame[f["name"]] = pd.array([None if pd.isna(v) else v in TRUE for v in s], dtype="boolean")
        elif kind == "number":
            frame[f["name"]] = pd.array([None if pd.isna(v) else float(v) for v in s], dtype="Float64")
    out = {}
    for c in frame.columns:
        out[c] = frame[c]
        if any(f["name"] == c and f.get("x-edtf") for f in fields):
            lo, hi = [], []
            for v in frame[c]:
                try:
                    a, b = bounds(v) if isinstance(v, str) else (None, None)
                except DateError:
                    a = b = None
                lo.append(pd.NaT if a is None else pd.Timestamp(a))
                hi.append(pd.NaT if b is None else pd.Timestamp(b))
            out[f"{c}_earliest"] = pd.Series(lo, dtype="datetime64[ns]")
            out[f"{c}_latest"] = pd.Series(hi, dtype="datetime64[ns]")
    return pd.DataFrame(out)


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert [str(t) for t in got.dtypes] == [str(t) for t in want.dtypes]
    assert isinstance(got.index, pd.RangeIndex) and got.index.equals(want.index)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for c in got.columns:
        assert got[c].dtype == want[c].dtype, c
        if isinstance(want[c].dtype, pd.CategoricalDtype):
            assert list(got[c].cat.categories) == list(want[c].cat.categories)  # the schema's order
            assert got[c].cat.codes.dtype == want[c].cat.codes.dtype
            assert (got[c].cat.codes.to_numpy() == want[c].cat.codes.to_numpy()).all()


def write_rows(path, head: list[str], rows: list[list[str]], newline: str = "\n") -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=newline).writerows([head, *rows])
    path.write_bytes(buf.getvalue().encode("utf-8"))


def table(path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


@pytest.mark.parametrize("name", cotw.names())
def test_every_shipped_table_loads_as_the_reference_builds_it(root, name):
    assert_same(cotw.load(name, root), reference(root, name))


def test_tricky_cells_load_as_the_reference_builds_them(pkg):
    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    col = {c: head.index(c) for c in head}
    tricky = [
        ("said", "2025-04"), ("said", "XXXX-04-10"), ("said", "../2025-04-10"), ("said", "2025-03-20/.."),
        ("said", ""), ("said", "2025"), ("said", "2025-02-28"), ("said", "2025-05-08/2025-05-10?"),
        ("speaker_kind", ""), ("form", ""), ("notes", "NA"), ("notes", "None"), ("notes", "null"),
        ("notes", "two\nlines, a \"quote\""), ("speaker_label", " padded "), ("notes", "é ü 中文"),
    ]
    for i, (c, v) in enumerate(tricky):
        rows[i][col[c]] = v
    write_rows(path, head, rows)
    got = cotw.load("statements", pkg)
    assert_same(got, reference(pkg, "statements"))
    assert got.loc[10, "notes"] == "NA" and got.loc[11, "notes"] == "None"  # text stays text
    assert pd.isna(got.loc[8, "speaker_kind"]) and pd.isna(got.loc[4, "said_earliest"])
    assert got.loc[1, "said_earliest"] is pd.NaT and got.loc[0, "said_latest"] == pd.Timestamp("2025-04-30")
    # an invalid date was once loaded as an empty bound, silently; it is a located LoadError (issue 18)
    for bad in ("not a date", "2025-02-29", "2025-05-10/2025-05-08"):
        rows[5][col["said"]] = bad
        write_rows(path, head, rows)
        with pytest.raises(LoadError, match=r"^data/statements.csv: column 'said' cannot be read as an EDTF date: .*\(first at row 6\)"):
            cotw.load("statements", pkg)


def test_booleans_and_numbers_with_empty_cells_load_as_the_reference_builds_them(pkg):
    path = pkg / "data" / "countries.csv"
    head, rows = table(path)
    rows[0][head.index("eu_member")] = ""
    write_rows(path, head, rows)
    assert_same(cotw.load("countries", pkg), reference(pkg, "countries"))
    path = pkg / "data" / "claims.csv"
    head, rows = table(path)
    rows[0][head.index("value_min")], rows[1][head.index("value_max")] = "", "1.5"
    write_rows(path, head, rows)
    assert_same(cotw.load("claims", pkg), reference(pkg, "claims"))


def test_a_value_outside_the_vocabulary_is_a_load_error_naming_the_first_three_sorted(pkg):
    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    for i, v in enumerate(["zeta", "alpha", "person", "mid", "zeta", "beta"]):
        rows[i][head.index("speaker_kind")] = v
    write_rows(path, head, rows)
    with pytest.raises(LoadError) as err:
        cotw.load("statements", pkg)
    assert str(err.value) == (
        "data/statements.csv: column 'speaker_kind' cannot be read as "
        f"{pd.CategoricalDtype(['person', 'unnamed', 'collective'], ordered=False)}: "
        "not in the vocabulary: ['alpha', 'beta', 'mid'] (first at row 1: 'zeta'); run `cotw check`")
    with pytest.raises(LoadError, match=r"not in the vocabulary: \['alpha', 'beta', 'mid'\]"):
        reference(pkg, "statements")


def test_cells_with_line_breaks_across_pyarrow_blocks_load_whole(pkg):
    # pyarrow reads in 1 MiB blocks; split at line ends, a block that ends inside a quoted cell would
    # lose its last row and the next block would start mid-cell: with no comma after the break the
    # row count even stays right and the first column is silently wrong. Here every first cell breaks.
    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    many = [[f"st-{i:07d}\nsecond line", *r[1:]] for i, r in zip(range(40_000), rows * 1000)]
    write_rows(path, head, many)
    assert path.stat().st_size > 3 * (1 << 20)
    got = cotw.load("statements", pkg)
    assert got["statement_id"].tolist() == [r[0] for r in many]
    assert_same(got, reference(pkg, "statements"))


@pytest.mark.parametrize("newline, blank, cell, bom", [
    ("\r\n", False, "two\nlines", False), ("\n", True, "two\nlines", False), ("\n", False, "a carriage\rreturn, quoted", False),
    ("\n", False, "a\r\nWindows break", False), ("\n", False, "plain", True), ("\n", False, "two\nlines", True)])
def test_other_line_ends_blank_lines_and_a_bom_load_as_the_reference_builds_them(pkg, newline, blank, cell, bom):
    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    rows[0][head.index("notes")] = cell
    write_rows(path, head, rows, newline)
    if blank:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\n\n", 3) + b"\n")
    if bom:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_same(cotw.load("statements", pkg), reference(pkg, "statements"))


def test_an_empty_table_loads_with_its_columns_and_dtypes(pkg):
    path = pkg / "data" / "statements.csv"
    head, _ = table(path)
    path.write_bytes((",".join(head) + "\n").encode("utf-8"))
    got = cotw.load("statements", pkg)
    assert len(got) == 0
    assert_same(got, reference(pkg, "statements"))


def test_a_last_row_without_a_line_end_loads(pkg):
    path = pkg / "data" / "statements.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    got = cotw.load("statements", pkg)
    assert len(got) == len(table(path)[1])
    assert_same(got, reference(pkg, "statements"))


def test_a_file_that_is_not_utf8_is_a_load_error_naming_the_column(pkg):
    path = pkg / "data" / "statements.csv"
    data = path.read_bytes()
    at = data.index(b"\n") + 4  # inside the first row's id
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    with pytest.raises(LoadError, match=r"^data/statements.csv: cannot be read as CSV \(In CSV column #0: (Row #2: )?CSV conversion error to string: "
                       r"invalid UTF8 data\); run"):
        cotw.load("statements", pkg)


def test_bounds_from_arrow_agree_with_the_per_row_bounds_of_any_series():
    import pyarrow as pa

    values = ["2025-04", None, "not a date", "../2025-01-02", "XXXX-04-10", "2025-04", "2025-03-20/..", "2025-02-29"]
    lo, hi = bounds_arrays(pa.chunked_array([values[:3], values[3:]], type=pa.large_string()))
    plain = pd.Series(values, dtype=object)  # not arrow-backed: pandas' own factorize path
    for series in (plain, pd.Series(values, dtype=TEXT)):
        a, b = bounds_columns(series)
        assert (a.to_numpy().astype("int64") == lo.astype("int64")).all()
        assert (b.to_numpy().astype("int64") == hi.astype("int64")).all()
    assert lo[0] == np.datetime64("2025-04-01") and hi[3] == np.datetime64("2025-01-02") and np.isnat(lo[3])


def test_a_read_that_fails_midway_is_a_load_error(pkg, monkeypatch):
    from cotw.io import loader

    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    write_rows(path, head, rows * 1000)  # read in more than one piece
    real = loader._Source.read_at

    def failing(self, offset, n):
        if offset > 0:
            raise OSError(5, "Input/output error")
        return real(self, offset, n)

    monkeypatch.setattr(loader._Source, "read_at", failing)
    with pytest.raises(LoadError, match=r"^data/statements.csv: Input/output error; run `cotw check`$"):
        cotw.load("statements", pkg)


def test_the_zipped_package_loads_as_the_folder_does(pkg, tmp_path):
    import zipfile

    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    rows[0][head.index("notes")] = "two\nlines"
    write_rows(path, head, rows)
    zipped = tmp_path / "pkg.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in sorted(pkg.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(pkg).as_posix())
    for name in ("statements", "countries", "claims"):
        assert_same(cotw.load(name, zipped), reference(pkg, name))


def test_a_table_of_one_block_is_read_without_pyarrows_threads(pkg, monkeypatch):
    # a process that ends right after a threaded read can abort in the threads' teardown (exit 134,
    # "terminate called without an active exception", apache/arrow#34314): ~7 in 100 `cotw.load` of
    # the shipped statements did, interleaved with 0 in 100 of this serial read; a big table still
    # gets every core
    import pyarrow.csv as pcsv

    seen = []
    real = pcsv.ReadOptions

    def recording(*args, **kwargs):
        seen.append(kwargs.get("use_threads", True))
        return real(*args, **kwargs)

    monkeypatch.setattr(pcsv, "ReadOptions", recording)
    cotw.load("statements", pkg)
    path = pkg / "data" / "statements.csv"
    head, rows = table(path)
    write_rows(path, head, rows * 100)
    assert path.stat().st_size > 1 << 20
    cotw.load("statements", pkg)
    assert seen == [False, True]
