"""`cotw fmt`: rewrite the CSVs in canonical form, never changing a cell."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .options import Quiet, announce, target, writable


FmtPath = typer.Argument(None, help="The package folder, or its datapackage.json, whose tables to rewrite (default: the package "
                         "around the current directory; never the installed data, nor a zipped package).", show_default=False)


def fmt(
    path: Optional[Path] = FmtPath,
    check: bool = typer.Option(False, "--check", help="Only report the files that would change, and how; exit 1 if any would (for CI)."),
    quiet: bool = Quiet,
) -> None:
    """Rewrite the tables in canonical form: UTF-8 without BOM, LF, schema column order, rows sorted by
    primary key, minimal quoting. No cell's content changes. Files that cannot be parsed unambiguously
    are refused and left untouched (exit 1).

    Without PATH it acts on the package around the current directory; outside any package it refuses
    (exit 2): it never rewrites the installed data, nor a zipped package.

    Exit 0 when every file is (now) canonical; 1 when a file was refused, no table is declared or,
    with --check, a file would change; 2 when PATH is not a package.
    With -q, only refusals and (with --check) the files that would change are printed.

    Example: cotw fmt --check
    """
    from cotw.io.canonical import format_package
    from cotw.package import DESCRIPTOR, Package, PackageError
    from cotw.report import escape
    from cotw.check.pipeline import usable

    def say(text: str, err: bool = False) -> None:
        typer.echo(escape(text), err=err)  # file names and reasons come from the package: one inert line each

    chosen = target(path, "fmt", quiet=True)
    writable(chosen, "fmt")
    if not quiet:
        announce("fmt", chosen)
    try:
        pkg = usable(Package.open(chosen.path))
    except PackageError as exc:
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        say(f"{where}: {exc.message}", err=True)
        raise typer.Exit(1)
    if not pkg.names():
        say(f"{DESCRIPTOR}: the descriptor declares no resources with a name, so there is no table to format", err=True)
        raise typer.Exit(1)
    if pkg.zip is not None:
        typer.echo(f"Error: {chosen.shown} is a zipped package, which is read-only; unzip it to rewrite its tables", err=True)
        raise typer.Exit(2)
    result = format_package(pkg, check=check)
    for line in result.descriptor:
        say(line, err=True)
    for where, why in result.refused.items():
        say(f"{where}: refused, left untouched: {why}", err=True)
    verb = "would reformat" if check else "reformatted"
    if check or not quiet:  # with --check, a file that would change is the failure itself
        for rel in result.changed:
            say(f"{verb} {rel} ({', '.join(result.why.get(rel, []))})")
    summary = f"{len(result.changed)} {verb}, {len(result.unchanged)} already canonical, {len(result.refused)} refused"
    if check and result.changed:
        summary += "; run `cotw fmt` to rewrite them"
    if not quiet:
        typer.echo(summary)
    raise typer.Exit(1 if not result.ok or (check and result.changed) else 0)
