"""`cotw check` of valid data imports neither pandas nor pandera (issue 12: on the shipped data, imports
were most of the time), and deferring pandas leaves pyarrow's pandas integration intact."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_valid_data_is_checked_without_pandas_or_pandera(root):
    out = run(f"""
        import sys
        from cotw.check.pipeline import validate
        report = validate({str(root)!r})
        assert report.ok, report.render_text()
        print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'pandas', 'pandera'}}))
    """)
    assert out == "[]"


def test_a_problem_is_worded_with_pandera_after_the_arrow_stages(pkg):
    from conftest import edit_csv

    edit_csv(pkg / "data/claims.csv", 2, "value_min", "many")
    out = run(f"""
        import sys
        from cotw.check.pipeline import validate
        report = validate({str(pkg)!r})
        print([(p.file, p.line, p.rule) for p in report.problems], 'pandera' in sys.modules)
    """)
    assert out == "[('data/claims.csv', 2, 'number')] True"


def test_pyarrow_knows_pandas_once_it_is_imported_after_a_check(root):
    # pd.NA in a nullable integer column converts only through pyarrow's pandas integration: had pyarrow
    # kept believing there is no pandas, it would try to convert the Series as a plain sequence
    out = run(f"""
        from cotw.check.pipeline import validate
        assert validate({str(root)!r}).ok
        import pandas as pd
        import pyarrow as pa
        print(pa.array(pd.Series([1, None], dtype="Int64")).to_pylist(), pa.lib._pandas_api.have_pandas)
    """)
    assert out == "[1, None] True"


def test_other_threads_may_import_pandas_while_one_checks():
    out = run("""
        import sys, threading
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
