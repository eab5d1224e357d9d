"""Options shared by several commands, which package a command acts on, and how a command answers a usage error."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

PathArg = typer.Argument(None, help="A package folder, its datapackage.json, or a zipped package (default: the package "
                         "around the current directory, else the installed data).", show_default=False)

# One meaning on every command: only errors (on stderr) and the output asked for (the report's problems,
# JSON, GitHub annotations, Markdown, the codebook on stdout) are printed; no progress, summary,
# confirmation, note or warning.
Quiet = typer.Option(False, "--quiet", "-q", help="Print only errors and the requested output: no progress, summaries, notes or warnings.")


def package_path(path: Optional[Path]) -> Optional[Path]:
    """Usage errors exit 2: a PATH that does not exist is the caller's mistake, not invalid data."""
    if path is not None and not path.exists():
        from cotw.report import escape

        typer.echo(f"Error: {escape(path)} does not exist", err=True)
        raise typer.Exit(2)
    return path


def target(path: Optional[Path], command: str, quiet: bool = False):
    """The package `command` acts on (see cotw.discovery), named on the first line of output (stderr, so that
    stdout stays the command's product)."""
    from cotw.discovery import resolve
    from cotw.package import PackageError, not_a_package
    from cotw.report import escape

    wrong = not_a_package(package_path(path))
    if wrong:  # README.md, or a folder with no datapackage.json: the caller's mistake
        typer.echo(f"Error: {escape(wrong)}", err=True)
        raise typer.Exit(2)
    try:
        chosen = resolve(path)
    except PackageError as exc:  # outside any package, and no installed data either
        typer.echo(f"Error: {escape(exc.message)}", err=True)
        raise typer.Exit(2)
    if not quiet:
        announce(command, chosen)
    return chosen


def announce(command: str, chosen) -> None:
    typer.echo(f"cotw {command}: {chosen.describe()}", err=True)
