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


def test_a_probe_for_pandas_after_a_check_does_not_hide_pandas_from_pyarrow(root):
    # `importlib.util.find_spec("pandas")` is how many libraries ask whether pandas is installed; it runs
    # the import finders without importing. The watch that tells pyarrow of pandas must outlive it.
    out = run(f"""
        import importlib.util
        from cotw.check.pipeline import validate
        assert validate({str(root)!r}).ok
        assert importlib.util.find_spec("pandas") is not None
        import pandas as pd
        import pyarrow as pa
        print(pa.array(pd.Series([1, None], dtype="Int64")).to_pylist(), pa.array(pd.Series(["a"], dtype="category")).type)
    """)
    assert out == "[1, None] dictionary<values=large_string, indices=int8, ordered=0>"
