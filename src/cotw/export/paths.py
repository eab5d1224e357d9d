"""Where the exporter may write: every file name and zip entry name it builds goes through here.

A table's name comes from an untrusted descriptor, and becomes part of file names (`csv/<name>.csv`),
zip entry names (`data/<name>.csv`) and SQL identifiers. `cotw check` refuses names that break the
Data Package naming rule, but the exporter does not rely on that: a name that could leave its
folder (`../x`, `a/b`, `..`), hide (`.x`), carry a control character, overflow a file name, or
collide with another table's on a case-insensitive file system (macOS, Windows) is refused here,
before anything is written, and every path is checked again to resolve inside its target.
"""
from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from .errors import ExportError

MAX_NAME = 100  # + ".parquet" stays far below the 255 bytes most file systems allow
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


class UnsafeName(ExportError):
    """A table name or a path that the exporter refuses to write."""


def _shown(value: object) -> str:
    from ..report import shorten

    return repr(shorten(value))


def stem(name: object) -> str:
    """`name` as it may appear in a file name, or UnsafeName."""
    if not isinstance(name, str) or len(name) > MAX_NAME or not _NAME.fullmatch(name):
        raise UnsafeName(f"the table name {_shown(name)} cannot be used in a file name: a table name must be 1 to "
                         f"{MAX_NAME} letters (a-z, A-Z), digits, '.', '_' or '-', beginning with a letter, digit or "
                         f"'_' (the Data Package naming rule asks for lower case); nothing was exported")
    return name


def table_file(folder: str, name: str, suffix: str) -> str:
    """The relative path `folder/<name><suffix>` of one table's file (also used for zip entries)."""
    return f"{folder}/{stem(name)}{suffix}"


def check_names(names: list[str]) -> None:
    """Refuse unsafe names, and names that differ only by case (one file would overwrite the other
    where the file system ignores case, and SQLite table names ignore case everywhere)."""
    seen: dict[str, str] = {}
    for name in names:
        key = stem(name).casefold()
        if key in seen:
            raise UnsafeName(f"the table names {_shown(seen[key])} and {_shown(name)} differ only by case: their files "
                             "would overwrite each other on a case-insensitive file system; nothing was exported")
        seen[key] = name


def entry(rel: str) -> str:
    """`rel` when it is a plain relative path that cannot leave the directory it is written or unzipped into."""
    parts = PurePosixPath(rel).parts
    # the normal form refuses '.' parts, '//', a final '/' and '/x' (the root is a part of its own), but not '/' itself
    if (not rel or "\\" in rel or rel.startswith("/") or ":" in rel or any(ord(c) < 32 for c in rel) or ".." in parts
            or rel != "/".join(parts)):
        raise UnsafeName(f"refusing to write {_shown(rel)}: it is not a plain relative path inside the export")
    return rel


def inside(root: Path, rel: str) -> Path:
    """The path of `rel` under `root`, refused unless it resolves inside `root` (symbolic links included)."""
    path = root / entry(rel)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        raise UnsafeName(f"refusing to write {_shown(rel)}: it resolves outside {root}")
    return path


def page_stem(value: object, upper: bool) -> str | None:
    """The part of a page's file name (`source-<it>.html`, `country-<it>.html`) that names a row: its id as
    it is when that is a safe file name in the case its ids are written in (country codes upper case,
    `upper`; other ids lower case), so that two ids differing only by case never share a file on a
    case-insensitive file system; any other id gets `_` and a hash of it instead of `-` and the id
    (a page for every row, whatever its id, and no two pages the same). None for an empty id."""
    if not isinstance(value, str) or not value:
        return None
    try:
        name = stem(value)
    except UnsafeName:
        name = None
    if name is not None and not any(c.islower() if upper else c.isupper() for c in name):
        return f"-{name}"
    import hashlib

    return "_" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:20]

