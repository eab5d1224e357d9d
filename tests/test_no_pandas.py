"""`cotw check` imports neither pandas nor pandera (issue 12: on the shipped data, imports were most of the
time; since 0.3 not for invalid data either); `cotw.validate()` leaves pyarrow's pandas integration as it was."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


CHECK = """
    import sys
    from cotw.cli import app
    sys.argv = ["cotw", "check", "-q", {path!r}]
    try:
        app()
    except SystemExit as exit:
        code = exit.code
"""


def test_cotw_check_of_valid_data_imports_neither_pandas_nor_pandera(root):
    out = run(CHECK.format(path=str(root)) + """
    print(code, sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pandera'}))
    """)
    assert out == "0 []"


def test_cotw_check_words_a_problem_without_pandas_or_pandera(pkg):
    """Until 0.3 pandera worded each failure (after the arrow stages); cotw.check.failures words it from arrow."""
    from conftest import edit_csv

    edit_csv(pkg / "data/claims.csv", 2, "value_min", "many")
    edit_csv(pkg / "data/positions.csv", 2, "issue", "")  # an empty cell of a required column, and a rule of whole rows
    out = run(CHECK.format(path=str(pkg)) + """
    print(code, sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pandera'}))
    """)
    assert out.splitlines()[-1] == "1 []"
    assert "data/claims.csv:2:" in out and "[number]" in out
    assert "data/positions.csv:2: issue is required but the cell is empty [required]" in out


def test_pyarrow_knows_pandas_once_it_is_imported_after_cotw_check(root):
    # pd.NA in a nullable integer column converts only through pyarrow's pandas integration (the Python
    # side, which the watch restores)
    out = run(CHECK.format(path=str(root)) + """
    import pandas as pd
    import pyarrow as pa
    print(pa.array(pd.Series([1, None], dtype="Int64")).to_pylist(), pa.lib._pandas_api.have_pandas)
    """)
    assert out == "[1, None] True"


def test_the_library_leaves_pyarrows_pandas_integration_whole(root):
    # pyarrow's C++ side looks for pandas once per process; cotw.validate() must not make it miss
    out = run(f"""
        import cotw
        assert cotw.validate({str(root)!r}).ok
        import pandas as pd
        import pyarrow as pa
        print(pa.array([1, pd.NA], from_pandas=True).to_pylist(), pa.array([pd.Timestamp("2025-04-10"), pd.NaT], from_pandas=True).to_pylist())
    """)
    assert out == "[1, None] [datetime.datetime(2025, 4, 10, 0, 0), None]"


def test_other_threads_may_import_pandas_while_one_checks():
    out = run("""
        import threading
        from cotw.io.quietarrow import without_pandas
        got = []
        with without_pandas():
            try:
                import pandas
            except ImportError:
                got.append('refused here')
            t = threading.Thread(target=lambda: got.append(__import__('pandas').__name__))
            t.start(); t.join()
        print(got)
    """)
    assert out == "['refused here', 'pandas']"
