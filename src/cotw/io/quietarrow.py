"""Keep pyarrow from importing pandas before anyone else does.

The first time pyarrow converts a Python value (`pa.array`, `pa.scalar`, a compute call given a literal
such as `pc.equal(a, "x")`) it asks whether the value is a pandas object, and to know, it imports pandas:
~0.35 s, more than the whole check of the shipped data, which needs no pandas. `without_pandas()` lets
pyarrow find pandas "not there" while no one has imported it, and puts a watch on the import: the moment
anything imports pandas, pyarrow's Python side is told it is there (`pa.array(series)`,
`Table.to_pandas()`, ... work as before).

One effect cannot be undone, which is why only `cotw check` (a process that ends with its report) defers
pandas, and `cotw.validate()` does not: pyarrow's C++ side looks for pandas once per process, at the
first type inference of a Python value, and keeps the answer. Refused then, it does not recognise
pandas' scalars (pd.NA, pd.NaT, pd.Timestamp) in Python sequences later (`pa.array([1, pd.NA],
from_pandas=True)` fails); columns of pandas frames convert as before, which is all the wording of a
failure needs (benchmarks/same_report.py runs every report in a fresh process, so through this path).

It relies on pyarrow's lazy importer (`pyarrow.lib._pandas_api`, private); when that is missing or
behaves otherwise, `without_pandas()` does nothing and pandas is simply imported as before.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

_lock = threading.Lock()


class _Refuse:
    """A finder that refuses pandas to some threads (the others import it as usual)."""

    def __init__(self, thread: int):
        self.threads = {thread}

    def find_spec(self, name, path=None, target=None):
        if (name == "pandas" or name.startswith("pandas.")) and threading.get_ident() in self.threads:
            raise ImportError("pandas is not imported yet (cotw defers it)")
        return None


def pool(workers: int):
    """A thread pool whose threads, inside `without_pandas()`, do without pandas like the thread that made it."""
    from concurrent.futures import ThreadPoolExecutor

    refuse = next((f for f in sys.meta_path if isinstance(f, _Refuse) and threading.get_ident() in f.threads), None)
    join = (lambda: refuse.threads.add(threading.get_ident())) if refuse else None
    return ThreadPoolExecutor(workers, initializer=join)


class _Then:
    """A module loader that, after the module has run, calls `after` (everything else: the real loader)."""

    def __init__(self, loader, after):
        self._loader, self._after = loader, after

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._after()


class _Watch:
    """A finder that, when pandas is imported, wraps its loader so that pyarrow learns of it. It stays
    until pandas has actually run: `importlib.util.find_spec("pandas")`, a common "is pandas there?"
    probe, also asks the finders, and must not use the watch up."""

    def __init__(self, shim):
        self.shim = shim
        self._asking = threading.local()  # the finder asks the other finders for pandas: not itself again

    def find_spec(self, name, path=None, target=None):
        if name != "pandas" or getattr(self._asking, "now", False):
            return None
        from importlib.util import find_spec

        self._asking.now = True
        try:
            spec = find_spec("pandas")
        finally:
            self._asking.now = False
        if spec is not None and spec.loader is not None:
            spec.loader = _Then(spec.loader, self.tell)
        return spec

    def tell(self) -> None:
        _tell(self.shim)


def _tell(shim) -> None:
    """Tell pyarrow that pandas is imported now; the watch has then done its work."""
    with _lock:
        for f in [f for f in sys.meta_path if isinstance(f, _Watch)]:
            sys.meta_path.remove(f)
    try:
        shim.pd  # noqa: B018  (pyarrow imports pandas again, now found, and keeps it)
    except Exception:  # noqa: BLE001 (pyarrow then asks again at its next use)
        pass


@contextmanager
def without_pandas():
    """While inside, pyarrow finds no pandas in this thread, unless something has imported it already;
    pandas is refused to this thread only (pyarrow's C++ side tries the import again at many
    conversions). On leaving, pandas can be imported again, and pyarrow is told when it is."""
    if "pandas" in sys.modules:
        yield
        return
    import pyarrow.lib

    shim = getattr(pyarrow.lib, "_pandas_api", None)
    if shim is None or not hasattr(type(shim), "have_pandas") or not hasattr(type(shim), "pd"):
        yield
        return
    refuse = _Refuse(threading.get_ident())
    with _lock:
        if not any(isinstance(f, _Watch) for f in sys.meta_path):
            sys.meta_path.insert(0, _Watch(shim))
        sys.meta_path.insert(0, refuse)
    try:
        shim.have_pandas  # noqa: B018  (pyarrow asks now, and is answered "no")
        yield
    finally:
        with _lock:
            sys.meta_path.remove(refuse)
        if "pandas" in sys.modules:
            # another thread imported pandas meanwhile past the watch (an import hook ahead of it in
            # sys.meta_path, or an import begun just before the watch was in place): pyarrow, answered
            # "no" above, would never hear of it
            _tell(shim)
