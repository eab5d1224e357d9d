"""cotw: the provenance-verified dataset of the European "Coalition of the Willing" for Ukraine (2025).

    >>> import cotw
    >>> cotw.names()
    ['sources', 'sections', 'countries', 'people', 'roles', 'statements', 'positions', 'conditions', 'contributions', 'events', 'claims', 'links']
    >>> cotw.load("positions").loc[lambda d: d.position_id == "po-3002", ["country", "issue", "value", "date"]].values.tolist()
    [['POL', 'own_troops', 'ruled_out', '../2025-04-10']]

Every function takes an optional `path`: a package folder, its datapackage.json, or a zipped package
(such as the download `cotw-datapackage.zip`, read in place). Without one it means the installed data,
wherever your script or notebook runs (unlike the `cotw` commands, which act on the package around the
current directory): library results never depend on the folder they were started from. To use the
package you are working in, pass it: `cotw.load("statements", ".")`.

Heavy libraries (pandas, pandera, frictionless) are imported inside the functions that need them,
so `import cotw` and the CLI's `--help` stay fast.
"""
from __future__ import annotations

from pathlib import Path

from .package import LoadError, Package, PackageError, UnknownTable


def __getattr__(name: str):
    if name == "__version__":
        from .package import installed_version

        return installed_version()
    raise AttributeError(f"module 'cotw' has no attribute {name!r}")

__all__ = ["names", "load", "load_all", "schema", "summary", "validate", "read", "UnknownTable", "PackageError", "LoadError", "__version__"]


def __dir__() -> list[str]:
    """The API (`__all__`) and the submodules imported so far: not the helpers this module imports."""
    import sys

    loaded = [n.split(".")[1] for n in sys.modules if n.startswith(__name__ + ".") and n.count(".") == 1]
    return sorted(set(__all__) | set(loaded))


def names(path: str | Path | None = None) -> list[str]:
    """The table names, in the descriptor's order (the one list that drives the API, CLI and exports)."""
    return Package.open(path).names()


def load(name: str, path: str | Path | None = None):
    """Table `name` of the package at `path` (None: the installed data) as a typed pandas DataFrame
    (see `cotw.io.loader` for the dtypes)."""
    from .io.loader import load_table

    pkg = _usable(path)
    pkg.resource(name)  # unknown names are answered with the valid ones
    return load_table(pkg, name)


def load_all(path: str | Path | None = None) -> dict:
    """Every table, by name."""
    from .io.loader import load_table

    pkg = _usable(path)
    return {name: load_table(pkg, name) for name in pkg.names()}


def read(name: str, path: str | Path | None = None):
    """Table `name` exactly as written: every cell as text, missing cells as NaN (what the validators see)."""
    from .io.reader import require_table

    pkg = _usable(path)
    pkg.resource(name)
    return require_table(pkg, name).frame


def schema(name: str, path: str | Path | None = None):
    """The pandera DataFrameSchema of table `name`, derived from datapackage.json, with its foreign keys
    and cross-table rules bound to the package's data. It validates `read(name)` and `load(name)` alike."""
    from .check import derive
    from .io.reader import require_table

    pkg = _usable(path)
    pkg.resource(name)
    context = derive.context_of({n: require_table(pkg, n) for n in pkg.names()})
    return derive.build(pkg, name, derive.fk_sets(pkg, context), context)


def summary(path: str | Path | None = None):
    """Per country and issue, the headline (the strongest value the current observations all allow, or
    every value where they disagree), the latest position, every value observed, whether it changed over
    time and whether the sources disagree: derived from `positions` (undated rows dated by their event's
    group in `events`) by code (see cotw.derived), never curated."""
    from .io.loader import load_table
    from .derived import summarise

    pkg = _usable(path)
    events = load_table(pkg, "events") if "events" in pkg.names() else None
    return summarise(load_table(pkg, "positions"), load_table(pkg, "sources"), events)


def _usable(path) -> Package:
    """The package at `path`, refused with a located PackageError when its descriptor cannot be read safely."""
    from .check.pipeline import usable

    return usable(Package.open(path))


def validate(path: str | Path | None = None, with_frictionless: bool = False, base: str | Path | None = None):
    """Run every check on the package at `path` (a folder, its datapackage.json or a zip; None: the
    installed data, not the current directory's package as `cotw check` does) and return the Report
    that `cotw check` prints. `base` (a package folder, or a git ref of the repository holding `path`):
    judge the data by the base's descriptor and schemas and report each change to them (`schema-changed`)."""
    from .check.pipeline import validate as run

    return run(path, with_frictionless=with_frictionless, base=base)
