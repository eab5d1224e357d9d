"""`cotw reliability units|alpha`: blind units for independent coders, and Krippendorff's alpha per coded variable."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .coerce import Command, Group
from .options import PathArg, Quiet

app = typer.Typer(cls=Group, help="Measure the reliability of the coding: blind units for coders, Krippendorff's alpha.\n\n"
                       "Example: cotw reliability units --out reliability/", no_args_is_help=True, rich_markup_mode=None)


def _refuse(exc) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(2 if getattr(exc, "usage", False) else 1)


@app.command("units", cls=Command)
def units(out: Path = typer.Option(Path("reliability"), "--out", help="Folder for units.jsonl, key.json and codings/dataset.json."),
          source: Optional[str] = typer.Option(None, "--source", help="Only the rows of this source_id (a fork that adds a source measures it)."),
          path: Optional[Path] = PathArg, quiet: bool = Quiet) -> None:
    """Write blind units (no ids, no other coded values, no notes), shuffled with a fixed seed; key.json
    maps them back and is not for coders.

    Example: cotw reliability units --out reliability/
    """
    from cotw.curate import CurateError
    from cotw.curate.reliability import make_units
    from cotw.package import PackageError

    from ._curate import open_package

    pkg = open_package(path, None, "reliability units", quiet)
    try:
        counts = make_units(pkg.root, out, source)
    except (CurateError, PackageError) as exc:
        _refuse(exc)
    if not quiet:
        typer.echo(f"{sum(counts.values())} units ({', '.join(f'{t} {n}' for t, n in counts.items())}) in {out}", err=True)


@app.command("alpha", cls=Command)
def alpha(folder: Path = typer.Option(Path("reliability"), "--dir", help="The folder holding key.json, codings/ and adjudication.md."),
          out: Path = typer.Option(Path("docs/reliability.md"), "--out", help="The page to write."),
          check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when the page is stale or missing.")) -> None:
    """Krippendorff's alpha (nominal) per table and variable, with the dataset as a coder and between the
    independent coders only; writes docs/reliability.md.

    Example: cotw reliability alpha --check
    """
    from cotw.curate import CurateError
    from cotw.curate.reliability import report

    try:
        fresh, _ = report(folder, out, check)
    except CurateError as exc:
        _refuse(exc)
    if check and not fresh:
        typer.echo(f"{out} is stale or missing: run `cotw reliability alpha`", err=True)
        raise typer.Exit(1)
