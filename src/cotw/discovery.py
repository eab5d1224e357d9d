"""Which package a command acts on, and the line that names it.

A command given a PATH acts on it. Without one it acts on the package the user stands in: the
nearest folder, from the current directory upwards, that holds a `datapackage.json`; and only outside
any package on the installed data (`cotw.package.default_root()`: cotw/_package in the wheel, or the
repository root under an editable install). So a user who edits `data/statements.csv` in a clone and
runs `cotw check` checks the edit, not the copy in site-packages.

The library does not do this: `cotw.load(name)` and friends without a path always mean the installed
data, wherever the calling script or notebook happens to run. Results of library code must not depend
on the folder it was started from (a notebook that happens to sit inside some other data package
would otherwise load that package's tables, silently). Pass a path to use another package:
`cotw.load("statements", ".")`; under an editable install of a fork, the installed data *is* the
fork's working tree.

Each command's first line of output (on stderr, so that stdout stays exactly the report, codebook,
diff or JSON that people pipe into files) names the package: its path and version. The version is
the descriptor's `version`; for the installed data without one, the installed cotw's version; for
any other package without one, "no version declared" (an edited clone is not a release).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import package as _package
from .package import DESCRIPTOR, Package, PackageError
from .report import escape as printable, shorten  # one escaping rule for everything printed

GIVEN, FOUND, INSTALLED = "given", "found", "installed"


@dataclass(frozen=True)
class Target:
    """The package a command acts on: `path` (what to open), how it was chosen, and its version label."""

    path: Path
    origin: str  # GIVEN (a PATH argument), FOUND (around the current directory) or INSTALLED
    version: str

    @property
    def shown(self) -> str:
        """A given PATH as the user typed it; a package found or installed by its absolute path."""
        return printable(str(self.path) if self.origin == GIVEN else os.path.abspath(self.path))

    def describe(self) -> str:
        """'PATH (version X; how it was chosen)', safe to print."""
        why = {GIVEN: "", FOUND: "; found from the current directory",
               INSTALLED: "; the installed data, as no datapackage.json is in the current directory or above"}[self.origin]
        return f"{self.shown} ({self.version}{why})"


def find(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the current directory) that holds a datapackage.json."""
    try:
        here = Path(start) if start is not None else Path.cwd()
    except OSError:  # the current directory was deleted
        return None
    here = Path(os.path.abspath(here))
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder
    return None


def resolve(path: str | Path | None, start: Path | None = None) -> Target:
    """The package a command acts on: `path` if given, else the one around `start`, else the installed data."""
    if path is not None:
        return Target(Path(path), GIVEN, version_label(path))
    found = find(start)
    if found is not None:
        return Target(found, FOUND, version_label(found))
    root = _package.default_root()
    return Target(root, INSTALLED, version_label(root))


def is_installed(path: str | Path) -> bool:
    """True when `path` is the installed data (cotw.package.default_root())."""
    try:
        return _same(path, _package.default_root())
    except PackageError:
        return False


def installed_copy() -> Path:
    """Where the wheel keeps its copy of the data (cotw/_package in site-packages), which cotw never rewrites."""
    return Path(__file__).resolve().parent / "_package"


def inside_installed_copy(path: str | Path) -> bool:
    copy = installed_copy()
    real = Path(os.path.realpath(path))
    return real == copy or copy in real.parents


def version_label(path: str | Path) -> str:
    """'version X' from the descriptor; the installed cotw's version for the installed data without one."""
    try:
        version = Package.open(path).descriptor.get("version")
    except PackageError:
        return "version unknown: its datapackage.json cannot be read"
    if isinstance(version, (str, int, float)) and not isinstance(version, bool) and str(version):
        return f"version {shorten(printable(str(version)), 40)}"  # a descriptor could hold a megabyte of "version"
    if is_installed(path):
        return f"version {_package.installed_version()} of the installed cotw"
    return "no version declared"


def _same(a: str | Path, b: str | Path) -> bool:
    a, b = Path(a), Path(b)
    if a.is_file() and a.suffix == ".json":  # a descriptor's path stands for its folder (as in resolve_root)
        a = a.parent
    return os.path.realpath(a) == os.path.realpath(b)
