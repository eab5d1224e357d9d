"""`cotw codebook`: write CODEBOOK.md from datapackage.json."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import PathArg, package_path


def codebook(
    path: Optional[Path] = PathArg,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if --out differs from what would be generated."),
) -> None:
    """Generate the codebook (every table, field, constraint and vocabulary value) from datapackage.json.

    Example: cotw codebook --out CODEBOOK.md
    """
    from cotw.codebook import render
    from cotw.package import Package, PackageError
    from cotw.validation import usable

    try:
        text = render(usable(Package.open(package_path(path))))
    except PackageError as exc:
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"{where}: {exc.message}", err=True)
        raise typer.Exit(1)
    if out is None:
        typer.echo(text, nl=False)
        return
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            typer.echo(f"{out} is out of date; run `cotw codebook --out {out}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out} is up to date")
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
