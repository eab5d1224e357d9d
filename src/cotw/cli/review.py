"""`cotw review`: probable missed groupings for a curator to decide (never an error)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


from .options import PathArg, Quiet


def review(path: Optional[Path] = PathArg, quiet: bool = Quiet) -> None:
    """List rows of one table that report the same actor, subject and value at times that cannot be told
    apart but carry different fact_ids: probable missed groupings. Each is for a curator to decide
    (group them under one fact_id, or leave them apart); exit 0 either way.

    Example: cotw review .
    """
    from cotw.curate.review import candidates
    from cotw.package import PackageError

    from ._curate import open_package, refuse

    pkg = open_package(path, None, "review", quiet)
    try:
        found = candidates(pkg.root)
    except PackageError as exc:
        refuse(exc)
    for c in found:
        typer.echo(c.text())
    if not quiet:
        typer.echo(f"{len(found)} probable missed grouping{'s' if len(found) != 1 else ''} to review", err=True)
