"""Where the data package lives and what it declares: the one list of table names.

The descriptor (`datapackage.json`) is the single source of truth. Everything here reads it;
nothing here imports pandas, so the CLI's start-up stays light.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .io import safeio
from .limits import MAX_RESOURCES
from .io.safeio import UnsafeFile, unsafe_path_reason  # noqa: F401  (re-exported: callers check paths as text)

DESCRIPTOR = "datapackage.json"


class PackageError(Exception):
    """The package cannot be read at all (missing or unparsable descriptor, unsafe path)."""

    def __init__(self, message: str, file: str = DESCRIPTOR, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


class LoadError(PackageError, ValueError):
    """A table that cannot be loaded as declared (a cell that cannot take its type, an invalid EDTF date,
    an unreadable file), located: `file`, and where known the data `row` (1 = the first after the
    header), `column` and `value`; run `cotw check` for the full report with lines. A PackageError
    (and, as before, a ValueError), exported as `cotw.LoadError`."""

    def __init__(self, message: str, file: str = "", row: int | None = None, column: str | None = None, value=None):
        super().__init__(message, file=file)
        self.row, self.column, self.value = row, column, value


def installed_version() -> str:
    """The installed cotw's version, from its metadata (pyproject.toml is its only home), read lazily:
    importlib.metadata costs tens of milliseconds that `cotw --help` should not pay."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cotw")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def default_root() -> Path:
    """The installed data (inside the wheel), or the repository root under an editable install."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_package", here.parent.parent):
        if (candidate / DESCRIPTOR).is_file():
            return candidate
    raise PackageError("no installed cotw data found (neither cotw/_package nor the repository root has datapackage.json)")


def resolve_root(path: str | Path | None) -> Path:
    """A package directory, the path of its datapackage.json, or a zipped package; None means the installed data.

    A descriptor by another name (`country.package.json`) is refused, with the reason: the package's files are
    read as `datapackage.json`, so taking its folder would check another descriptor than the one named."""
    if path is None:
        return default_root()
    p = Path(path)
    if p.is_dir():
        return p
    if p.is_file():
        from .io.safezip import is_zip

        if is_zip(p):
            return p
    if p.suffix == ".json" and p.name != DESCRIPTOR:  # never check the datapackage.json beside it instead
        raise PackageError(f"{p}: cotw reads a package's descriptor only under the name {DESCRIPTOR}; "
                           f"rename it, or copy it to {DESCRIPTOR} beside its data, and give that or its folder", file=str(p))
    if p.name == DESCRIPTOR:
        if not p.exists():  # a pipe or a directory of that name is refused by safeio, with its reason
            raise PackageError(f"{p} does not exist", file=str(p))
        return p.parent
    raise PackageError(f"{p} is neither a package directory, a datapackage.json nor a zipped package", file=str(p))


def not_a_package(path: str | Path | None) -> str | None:
    """Why `path` is no data package at all (the caller's mistake: a usage error, exit 2), or None.

    A datapackage.json that exists but cannot be read is the package's problem (invalid, exit 1)."""
    if path is None:
        return None
    try:
        root = resolve_root(path)
    except PackageError as exc:
        return exc.message
    # no entry of that name at all; one that is a link, pipe or folder is the package's problem, reported
    # with its reason by the reader (and a zip is judged by the zip reader)
    if root.is_dir() and not os.path.lexists(root / DESCRIPTOR):
        return f"{path} is not a data package: it has no {DESCRIPTOR}"
    return None


def _json(data: bytes, file: str) -> object:
    """The JSON value of a descriptor or schema file, or a located PackageError (see io.jsonload)."""
    from .io.jsonload import JSONError, loads

    try:
        return loads(data, file)
    except JSONError as exc:
        raise PackageError(exc.message, file=exc.file, line=exc.line) from None


@dataclass
class Package:
    """A data package on disk: its root (a folder, or a zip read in place), descriptor and table schemas."""

    root: Path
    descriptor: dict = field(repr=False)
    zip: object = field(default=None, repr=False, compare=False)  # a safezip.ZipSource when root is a zip

    @classmethod
    def open(cls, path: str | Path | None = None) -> "Package":
        root = resolve_root(path)
        zipped = None
        if root.is_file():  # resolve_root gives a file only for a zip
            from .io.safezip import ZipRefused, ZipSource

            try:
                zipped = ZipSource.open(root)
            except ZipRefused as exc:
                raise PackageError(exc.message, file=str(root)) from None
        try:
            raw = zipped.read_bytes(DESCRIPTOR, safeio.MAX_JSON) if zipped else safeio.read_bytes(root, DESCRIPTOR, safeio.MAX_JSON)
        except FileNotFoundError:
            raise PackageError(f"no {DESCRIPTOR} in {root}") from None
        except UnsafeFile as exc:
            raise PackageError(f"{DESCRIPTOR} {exc.reason}") from None
        except OSError as exc:
            raise PackageError(f"cannot read {DESCRIPTOR}: {exc.strerror}") from None
        descriptor = _json(raw, DESCRIPTOR)
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
            raise PackageError(f"{DESCRIPTOR} has no 'resources' list")
        if len(descriptor["resources"]) > MAX_RESOURCES:  # every resource costs a read, a schema, a set of checks
            raise PackageError(f"{DESCRIPTOR} lists {len(descriptor['resources']):,} resources, more than the {MAX_RESOURCES} "
                               "cotw reads of one package; nothing was read")
        return cls(root=root, descriptor=descriptor, zip=zipped)

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

    def read_bytes(self, relpath: str, limit: int = safeio.MAX_TABLE) -> bytes:
        """The bytes of a file of the package: only a regular file inside it (see safeio). Raises
        FileNotFoundError, safeio.UnsafeFile or OSError."""
        if self.zip is not None:
            return self.zip.read_bytes(relpath, limit)
        return safeio.read_bytes(self.root, relpath, limit)

    def schema(self, name: str) -> dict:
        """The resource's Table Schema (inline, or loaded from its schema/ file)."""
        return self._schemas[name]

    @cached_property
    def _schemas(self) -> dict[str, dict]:
        out = {}
        for name, res in self.resources.items():
            sch = res.get("schema")
            if isinstance(sch, str):
                try:
                    sch = _json(self.read_bytes(sch, safeio.MAX_JSON), res["schema"])
                except FileNotFoundError:
                    raise PackageError(f"schema file '{res['schema']}' of resource '{name}' does not exist") from None
                except UnsafeFile as exc:
                    raise PackageError(f"schema file '{res['schema']}' of resource '{name}' {exc.reason}", file=res["schema"]) from None
                except OSError as exc:
                    raise PackageError(f"cannot read schema file '{res['schema']}' of resource '{name}': {exc.strerror}", file=res["schema"]) from None
            if not isinstance(sch, dict) or not isinstance(sch.get("fields"), list):
                raise PackageError(f"resource '{name}' has no table schema with a 'fields' list",
                                   file=res["schema"] if isinstance(res.get("schema"), str) else DESCRIPTOR)
            out[name] = sch
        return out


class UnknownTable(KeyError):
    """An unknown table name; the message lists the valid ones."""

    def __init__(self, name: str, valid: list[str]):
        from .suggest import did_you_mean

        close = did_you_mean(name, valid)
        hint = f" ({close})" if close else ""
        self.message = f"unknown table '{name}'{hint}; valid names: {', '.join(valid)}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
