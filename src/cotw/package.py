"""Where the data package lives and what it declares: the one list of table names.

The descriptor (`datapackage.json`) is the single source of truth. Everything here reads it;
nothing here imports pandas, so the CLI's start-up stays light.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

DESCRIPTOR = "datapackage.json"


class PackageError(Exception):
    """The package cannot be read at all (missing or unparsable descriptor, unsafe path)."""

    def __init__(self, message: str, file: str = DESCRIPTOR, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


def default_root() -> Path:
    """The installed data (inside the wheel), or the repository root under an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_package", here.parent.parent):
        if (candidate / DESCRIPTOR).is_file():
            return candidate
    raise PackageError("no installed cotw data found (neither cotw/_package nor the repository root has datapackage.json)")


def resolve_root(path: str | Path | None) -> Path:
    """A package directory, or the path of its datapackage.json; None means the installed data."""
    if path is None:
        return default_root()
    p = Path(path)
    if p.is_dir():
        return p
    if p.name == DESCRIPTOR or p.suffix == ".json":
        if not p.is_file():
            raise PackageError(f"{p} does not exist", file=str(p))
        return p.parent
    raise PackageError(f"{p} is neither a package directory nor a datapackage.json", file=str(p))


def unsafe_path_reason(path: object) -> str | None:
    """Why a resource path may not be read, or None when it is a plain relative path inside the package.

    Paths are checked as text before anything is opened: URLs are never fetched, absolute paths and
    paths that climb out of the package (`../`) are never read.
    """
    if not isinstance(path, str) or not path:
        return "is not a relative file path"
    if "://" in path or path.startswith("//"):
        return "is a URL; cotw reads only files inside the package and never fetches"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "is absolute; resource paths must be relative to the package"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "climbs out of the package ('..'); resource paths must stay inside it"
    return None


@dataclass
class Package:
    """A data package on disk: its root, descriptor and table schemas."""

    root: Path
    descriptor: dict = field(repr=False)

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Package":
        root = resolve_root(path)
        file = root / DESCRIPTOR
        if not file.is_file():
            raise PackageError(f"no {DESCRIPTOR} in {root}")
        from .jsonload import read

        try:
            descriptor = read(file, DESCRIPTOR)
        except OSError as exc:
            raise PackageError(f"cannot read {DESCRIPTOR}: {exc.strerror or exc}") from None
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise PackageError(f"{DESCRIPTOR} has no 'resources' list")
        return cls(root=root, descriptor=descriptor)

    @cached_property
    def resources(self) -> dict[str, dict]:
        return {r["name"]: r for r in self.descriptor["resources"] if isinstance(r, dict) and isinstance(r.get("name"), str)}

    def names(self) -> list[str]:
        return list(self.resources)

    def resource(self, name: str) -> dict:
        try:
            return self.resources[name]
        except KeyError:
            raise UnknownTable(name, self.names()) from None

    def path(self, name: str) -> str:
        """The resource's data path as written in the descriptor (relative, POSIX)."""
        return self.resource(name)["path"]

    def file(self, relpath: str) -> Path:
        reason = unsafe_path_reason(relpath)
        if reason:
            raise PackageError(f"path '{relpath}' {reason}")
        return self.root / relpath

    def schema(self, name: str) -> dict:
        """The resource's Table Schema (inline, or loaded from its schema/ file)."""
        return self._schemas[name]

    @cached_property
    def _schemas(self) -> dict[str, dict]:
        out = {}
        for name, res in self.resources.items():
            sch = res.get("schema")
            if isinstance(sch, str):
                target = self.file(sch)
                from .jsonload import read

                try:
                    sch = read(target, res["schema"])
                except FileNotFoundError:
                    raise PackageError(f"schema file '{res['schema']}' of resource '{name}' does not exist") from None
                except OSError as exc:
                    raise PackageError(f"cannot read schema file '{res['schema']}' of resource '{name}': {exc.strerror or exc}", file=res["schema"]) from None
            if not isinstance(sch, dict) or not isinstance(sch.get("fields"), list):
                raise PackageError(f"resource '{name}' has no table schema with a 'fields' list",
                                   file=res["schema"] if isinstance(res.get("schema"), str) else DESCRIPTOR)
            out[name] = sch
        return out


class UnknownTable(KeyError):
    """An unknown table name; the message lists the valid ones."""

    def __init__(self, name: str, valid: list[str]):
        import difflib

        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.message = f"unknown table '{name}'{hint}; valid names: {', '.join(valid)}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
