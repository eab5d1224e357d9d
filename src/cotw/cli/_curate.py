"""What the curation commands share: the --package option, opening the package, and answering a refusal."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

PackageOpt = typer.Option(None, "--package", "-p", help="The package directory (default: the installed data, i.e. the clone under an editable install).", show_default=False)


def open_package(path: Optional[Path]):
    from cotw.package import Package, PackageError

    from .options import package_path

    try:
        return Package.open(package_path(path))
    except PackageError as exc:
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"Error: {where}: {exc.message}", err=True)
        raise typer.Exit(1)


def refuse(exc) -> None:
    """A CurateError, UnknownTable or PackageError: the reason on stderr; exit 2 for the caller's mistake, 1 for the data."""
    from cotw.package import PackageError

    if isinstance(exc, PackageError):
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"Error: {where}: {exc.message}", err=True)
        raise typer.Exit(1)
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(2 if getattr(exc, "usage", True) else 1)
