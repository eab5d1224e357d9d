"""Hostile input against the arrow check engine (ab7a069, fa0e028): what a stranger's package or a
user's program can do to `cotw check`, `cotw.validate`, `cotw.schema` and pyarrow afterwards."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_probe_for_pandas_after_deferring_it_does_not_hide_pandas_from_pyarrow():
    # `importlib.util.find_spec("pandas")` is how many libraries ask whether pandas is installed; it runs
    # the import finders without importing. The watch that tells pyarrow of pandas must outlive it.
    out = run("""
        import importlib.util
        import pyarrow as pa
        from cotw.io.quietarrow import without_pandas
        with without_pandas():
            pa.array(["x"])  # pyarrow asks for pandas at its first conversion, and is answered "no"
        assert importlib.util.find_spec("pandas") is not None
        import pandas as pd
        print(pa.array(pd.Series([1, None], dtype="Int64")).to_pylist(), pa.array(pd.Series(["a"], dtype="category")).type)
    """)
    assert out == "[1, None] dictionary<values=large_string, indices=int8, ordered=0>"


def test_a_table_whose_header_names_no_schema_column_still_counts_its_rows(pkg):
    # an arrow table of no columns has no rows: the reader must count them otherwise (7156a3e counted every row)
    import cotw

    path = pkg / "data/people.csv"
    head, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(head.upper() + "\n" + rest, encoding="utf-8")  # every column unknown: read by the exact path
    rows = rest.count("\n")
    report = cotw.validate(pkg)
    assert {p.rule for p in report.problems if p.file == "data/people.csv"} >= {"missing-column"}
    assert report.rows["people"] == rows


def test_pandas_imported_by_another_thread_past_the_watch_during_a_check_still_reaches_pyarrow():
    # an import hook ahead of the watch in sys.meta_path (or an import begun just before the watch was in
    # place) imports pandas without the watch seeing it; the check's thread was told "no pandas" meanwhile
    out = run("""
        import sys, threading
        from importlib.machinery import PathFinder
        from cotw.io.quietarrow import without_pandas

        class Hook:
            def find_spec(self, name, path=None, target=None):
                return PathFinder.find_spec(name, path)

        with without_pandas():
            sys.meta_path.insert(0, Hook())
            t = threading.Thread(target=lambda: __import__("pandas"))
            t.start(); t.join()
        import pandas as pd
        import pyarrow as pa
        print(pa.array(pd.Series([1, None], dtype="Int64")).to_pylist())
    """)
    assert out == "[1, None]"
