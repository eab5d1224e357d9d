"""`cotw fmt`: rewrite the CSVs in canonical form, never changing a cell."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import PathArg, package_path


def fmt(
    path: Optional[Path] = PathArg,
    check: bool = typer.Option(False, "--check", help="Only report the files that would change; exit 1 if any would."),
) -> None:
    """Rewrite the tables in canonical form: UTF-8 without BOM, LF, schema column order, rows sorted by
    primary key, minimal quoting. Files that cannot be parsed unambiguously are refused and left untouched.

    Example: cotw fmt --check
    """
    from cotw.fmt import format_package
    from cotw.package import Package, PackageError

    try:
        pkg = Package.open(package_path(path))
    except PackageError as exc:
        typer.echo(f"{exc.file}: {exc.message}", err=True)
        raise typer.Exit(1)
    result = format_package(pkg, check=check)
    for rel, why in result.refused.items():
        typer.echo(f"{rel}: refused, left untouched: {why}", err=True)
    verb = "would reformat" if check else "reformatted"
    for rel in result.changed:
        typer.echo(f"{verb} {rel}")
    typer.echo(f"{len(result.changed)} {verb}, {len(result.unchanged)} already canonical, {len(result.refused)} refused")
    raise typer.Exit(1 if result.refused or (check and result.changed) else 0)
