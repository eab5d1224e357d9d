"""`cotw codebook`: write CODEBOOK.md from datapackage.json."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import PathArg, Quiet, announce, target, writable

CODEBOOK = "CODEBOOK.md"


def codebook(
    path: Optional[Path] = PathArg,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    check: bool = typer.Option(False, "--check", help=f"Exit 1 if the codebook (--out, default: the package's own {CODEBOOK}) differs from what would be generated."),
    quiet: bool = Quiet,
) -> None:
    """Generate the codebook (every table, field, constraint and vocabulary value) from datapackage.json.

    With --check, compare instead of writing: the file given by --out, or else the CODEBOOK.md beside
    the package's datapackage.json. Exit 1 when it is missing or out of date. Outside any package
    (and without --out) it refuses (exit 2), as `cotw fmt` does: the installed data's codebook is
    not yours to rewrite.

    Example: cotw codebook --out CODEBOOK.md
    """
    from cotw.codebook import render
    from cotw.package import Package, PackageError
    from cotw.check.pipeline import usable
    from cotw.report import escape

    chosen = target(path, "codebook", quiet=True)
    if check and out is None:  # its answer is "run cotw codebook --out <the package's CODEBOOK.md>"
        writable(chosen, "codebook --check")
    if not quiet:
        announce("codebook", chosen)
    try:
        pkg = usable(Package.open(chosen.path))
    except PackageError as exc:
        typer.echo(escape(f"{exc.file}:{exc.line}: {exc.message}" if exc.line else f"{exc.file}: {exc.message}"), err=True)
        raise typer.Exit(1)
    text = render(pkg)
    if check:
        file = out if out is not None else pkg.root / CODEBOOK
        current = file.read_text(encoding="utf-8") if file.is_file() else None
        if current != text:
            state = "is missing" if current is None else "is out of date"
            typer.echo(escape(f"{file} {state}; run `cotw codebook --out {file}`"), err=True)
            raise typer.Exit(1)
        if not quiet:
            typer.echo(escape(f"{file} is up to date"))
        return
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    if not quiet:
        typer.echo(escape(f"wrote {out}"))
