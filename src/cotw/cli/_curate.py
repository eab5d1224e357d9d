"""What the curation commands share: opening the package they act on, and answering a refusal."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import given, target, writable


def open_package(path: Optional[Path], package: Optional[Path], command: str, quiet: bool = False, writes: bool = False):
    """The package `command` acts on, by the rule every command follows (cotw.discovery), named on stderr.

    `package` is the deprecated -p/--package; `writes` refuses the installed data as `cotw fmt` does."""
    from cotw.package import Package, PackageError

    chosen = target(given(path, package, command, quiet), command, quiet=True)
    if writes:
        writable(chosen, command)
    if not quiet:
        from .options import announce

        announce(command, chosen)
    try:
        return Package.open(chosen.path)
    except PackageError as exc:
        refuse(exc)


def refuse(exc) -> None:
    """A CurateError, UnknownTable or PackageError: the reason on stderr; exit 2 for the caller's mistake, 1 for the data."""
    from cotw.package import PackageError

    if isinstance(exc, PackageError):
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"Error: {where}: {exc.message}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(2 if getattr(exc, "usage", True) else 1)
