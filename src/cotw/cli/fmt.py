"""`cotw fmt`: rewrite the CSVs in canonical form, never changing a cell."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import PathArg, package_path


def fmt(
    path: Optional[Path] = PathArg,
    check: bool = typer.Option(False, "--check", help="Only report the files that would change, and how; exit 1 if any would (for CI)."),
) -> None:
    """Rewrite the tables in canonical form: UTF-8 without BOM, LF, schema column order, rows sorted by
    primary key, minimal quoting. No cell's content changes. Files that cannot be parsed unambiguously
    are refused and left untouched (exit 1).

    Exit 0 when every file is (now) canonical; 1 when a file was refused or, with --check, would change.

    Example: cotw fmt --check
    """
    from cotw.fmt import format_package
    from cotw.package import Package, PackageError
    from cotw.validation import usable

    try:
        pkg = usable(Package.open(package_path(path)))
    except PackageError as exc:
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"{where}: {exc.message}", err=True)
        raise typer.Exit(1)
    result = format_package(pkg, check=check)
    for line in result.descriptor:
        typer.echo(line, err=True)
    for where, why in result.refused.items():
        typer.echo(f"{where}: refused, left untouched: {why}", err=True)
    verb = "would reformat" if check else "reformatted"
    for rel in result.changed:
        typer.echo(f"{verb} {rel} ({', '.join(result.why.get(rel, []))})")
    summary = f"{len(result.changed)} {verb}, {len(result.unchanged)} already canonical, {len(result.refused)} refused"
    if check and result.changed:
        summary += "; run `cotw fmt` to rewrite them"
    typer.echo(summary)
    raise typer.Exit(1 if not result.ok or (check and result.changed) else 0)
