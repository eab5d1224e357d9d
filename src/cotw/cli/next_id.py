"""`cotw next-id`: the next stable id of a table keyed by a numbered id."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._curate import open_package, refuse
from .options import PackageOpt, PathArg, Quiet


def next_id(
    table: str = typer.Argument(..., help="A table keyed by a numbered id: roles, statements, positions, conditions, contributions, events, claims.", show_default=False),
    path: Optional[Path] = PathArg,
    package: Optional[Path] = PackageOpt,
    quiet: bool = Quiet,
) -> None:
    """Print the next free id of TABLE: one more than the highest id in it. Ids are never reused, so
    correct a row rather than delete it (a deleted highest id would come back).

    Without PATH it reads the package around the current directory, else the installed data; the
    first line (on stderr) names it, so stdout is the id alone.

    Example: cotw next-id statements
    """
    from cotw.curate import CurateError
    from cotw.curate.ids import next_id as compute
    from cotw.package import PackageError, UnknownTable

    pkg = open_package(path, package, "next-id", quiet)
    try:
        typer.echo(compute(pkg, table))
    except (UnknownTable, CurateError, PackageError) as exc:
        refuse(exc)
