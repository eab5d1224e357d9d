"""`cotw next-id`: the next stable id of a table keyed by a numbered id."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._curate import PackageOpt, open_package, refuse


def next_id(
    table: str = typer.Argument(..., help="A table keyed by a numbered id: roles, statements, positions, conditions, contributions, events, claims.", show_default=False),
    package: Optional[Path] = PackageOpt,
) -> None:
    """Print the next free id of TABLE: one more than the highest id in it. Ids are never reused, so
    correct a row rather than delete it (a deleted highest id would come back).

    Example: cotw next-id statements
    """
    from cotw.curate import CurateError
    from cotw.curate.ids import next_id as compute
    from cotw.package import PackageError, UnknownTable

    pkg = open_package(package)
    try:
        typer.echo(compute(pkg, table))
    except (UnknownTable, CurateError, PackageError) as exc:
        refuse(exc)
