"""`cotw export`: build CSV (and a zipped data package), Parquet, SQLite (+ Datasette metadata),
Excel and JSON files, and a download page, from data that passes `cotw check`.

    >>> from cotw.export import export                      # doctest: +SKIP
    >>> export(out="dist/")                                 # doctest: +SKIP

Layout of the output directory (every name comes from `Package.names()`):

    index.html                 the download page
    csv/<table>.csv            canonical CSV, as in data/
    csv/cotw-datapackage.zip   datapackage.json (+ bytes, sha256), data/<table>.csv and seeds/ (checkable in place)
    parquet/<table>.parquet
    sqlite/cotw.db, sqlite/metadata.json (Datasette)
    excel/cotw.xlsx            `about`, a sheet per table, `derived_summary`, `codebook`
    json/<table>.json, json/<table>.jsonl
    <format>/derived/summary.* the per-country summary cotw.summary() derives (see summary.py), in each format
    .cotw-export.json          the manifest that marks the directory as an export

Output is deterministic (same data, same bytes) and written atomically: everything goes to a
temporary directory beside the target, which replaces the target only once complete. Every path
written is built and checked by paths.py (nothing lands outside the target, whatever the table
names); what may be replaced, and what may be deleted (only files a cotw export wrote), is decided
by target.py.
"""
from __future__ import annotations

import hashlib
import json as _json  # aliased: the submodule cotw.export.json becomes this package's attribute `json`
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..package import DESCRIPTOR, Package

FORMATS = ("csv", "parquet", "sqlite", "excel", "json")


from .errors import ExportError, InvalidData, OutputNotEmpty  # noqa: F401  (the package's public errors)
from .target import MANIFEST


@dataclass
class Context:
    """What every format writer receives."""

    pkg: Package
    tables: dict  # name -> frames.Table
    out: Path  # the staging directory
    version: str
    formats: tuple[str, ...]
    summary: object = None  # frames.Table of the derived summary (summary.py), None when there is nothing to summarise

    def path(self, rel: str) -> Path:
        """Where to write `rel` (its folder created): refused unless it stays inside the staging directory."""
        from .paths import inside

        path = inside(self.out, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@dataclass
class Result:
    out: Path
    files: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    kept: list[Path] = field(default_factory=list)  # old directories not removed: they hold files cotw did not write


Progress = Callable[[str, int, int], None]  # (what is being done, step number from 1, number of steps)


def _writer(fmt: str):
    from importlib import import_module

    return import_module(f"{__name__}.{fmt}")


def is_export(directory: Path) -> bool:
    """True when `directory` was written by `cotw export` (it holds a readable manifest)."""
    from .target import read_manifest

    return read_manifest(directory) is not None


def check_target(out: Path, force: bool = False, source: Path | None = None, reads: Iterable[str] = ()) -> list[str]:
    """Refuse an output directory that may not be replaced (see target.py); the previous export's files."""
    from .target import check_target as check

    return check(out, force, source, reads)


def package_files(pkg: Package) -> list[str]:
    """The relative paths the package's descriptor names (itself, its tables, its schema files): what an
    output folder inside the package must keep clear of (its archives live under seeds/)."""
    named = [DESCRIPTOR, "CITATION.cff"]
    for res in pkg.resources.values():
        for key in ("path", "schema"):
            value = res.get(key)
            named += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    return named


def manifest(version: str, formats: Iterable[str], root: Path, files: list[str]) -> dict:
    return {"cotw-export": 1, "version": version, "formats": list(formats),
            "files": {f: hashlib.sha256((root / f).read_bytes()).hexdigest() for f in sorted(files)}}


def export(path: str | Path | None = None, out: str | Path = "dist", formats: Iterable[str] | None = None,
           force: bool = False, progress: Progress | None = None, validate: bool = True) -> Result:
    """Export the package at `path` (None: the installed data) into directory `out`.

    Raises InvalidData when the data fails `cotw check`; OutputNotEmpty when `out` is inside the package,
    holds something other than a previous export, or (unless `force`) a previous export whose files
    were edited since; BadTarget when `out` cannot be written at all (its parent is a file, it is
    read-only); paths.UnsafeName for a table name that cannot name a file; ValueError for an unknown
    format. Only files that the previous export wrote (listed in its manifest) are ever deleted.
    """
    from .. import __version__
    from . import frames, page, paths, summary, target

    unknown = set(formats or ()) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format {sorted(unknown)[0]!r}; choose from {', '.join(FORMATS)}")
    formats = tuple(f for f in FORMATS if not formats or f in set(formats))
    out = Path(os.path.abspath(out))  # "." or "dist/" name the directory itself, so it can be swapped
    pkg = Package.open(path)
    reads = package_files(pkg)
    previous = check_target(out, force, pkg.root, reads)
    steps = ["validating", "loading"] + [f"writing {f}" for f in formats] + ["writing index.html", "moving into place"]
    step = iter(range(1, len(steps) + 1))

    def tick(label: str) -> None:
        if progress:
            progress(label, next(step), len(steps))

    tick(steps[0])
    if validate:
        from .. import validate as run

        report = run(pkg.root)
        if not report.ok:
            raise InvalidData(report)
    paths.check_names(pkg.names())  # also without validation: no table name may leave its folder
    tick(steps[1])
    tables = frames.prepare(pkg)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        target.clean_leftovers(out)
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
    except OSError as exc:
        raise target.BadTarget(f"cannot create the output directory {out}: {target.os_reason(exc)}") from None
    lock = None
    try:
        lock = target.hold(staging)  # so that a concurrent run does not take it for a killed run's leftover
        ctx = Context(pkg, tables, staging, __version__, formats, summary.table(tables))
        files: list[str] = []
        for fmt in formats:
            tick(f"writing {fmt}")
            files += _writer(fmt).write(ctx)
        tick("writing index.html")
        files += page.write(ctx)
        (staging / MANIFEST).write_text(_json.dumps(manifest(__version__, formats, staging, files), indent=2) + "\n",
                                        encoding="utf-8", newline="\n")
        tick("moving into place")
        os.chmod(staging, 0o755)
        with target.serial(out):  # another run may have exported into `out` meanwhile: judge it again, as it is now
            kept = target.replace(staging, out, target.rejudge(out, force, previous))
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"could not write the export into {out}: {target.os_reason(exc)}"
                          + (f" ({exc.filename})" if exc.filename else "") + "; nothing was replaced") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        target.release(lock)
    return Result(out, sorted(files) + [MANIFEST], {n: t.rows for n, t in tables.items()}, kept)
