"""`cotw review`: probable missed groupings for a curator to decide (never an error)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def review(path: Optional[Path] = typer.Argument(None, help="A package folder (default: the package around the current directory, else the installed data).", show_default=False)) -> None:
    """List rows of one table that report the same actor, subject and value at times that cannot be told
    apart but carry different fact_ids: probable missed groupings. Each is for a curator to decide
    (group them under one fact_id, or leave them apart); exit 0 either way.

    Example: cotw review .
    """
    from cotw.curate.review import candidates
    from cotw.package import PackageError

    from .options import package_path

    try:
        found = candidates(package_path(path))
    except PackageError as exc:
        typer.echo(f"Error: {exc.file}: {exc.message}", err=True)
        raise typer.Exit(1)
    for c in found:
        typer.echo(c.text())
    typer.echo(f"{len(found)} probable missed grouping{'s' if len(found) != 1 else ''} to review", err=True)
