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


# The deprecated spelling of PATH on the commands that once took only it (next-id, locate, source add).
PackageOpt = typer.Option(None, "--package", "-p", hidden=True, help="Deprecated: give the package as PATH.", show_default=False)


def given(path: Optional[Path], package: Optional[Path], command: str, quiet: bool = False) -> Optional[Path]:
    """PATH, or the deprecated -p/--package (with a warning on stderr); both at once is a usage error."""
    if package is None:
        return path
    if path is not None:
        typer.echo(f"Error: the package is given twice (PATH and -p/--package); give it once, as PATH", err=True)
        raise typer.Exit(2)
    if not quiet:
        typer.echo(f"warning: `cotw {command} -p/--package PATH` is deprecated; give the package as PATH, "
                   "as every command takes it", err=True)
    return package


def writable(chosen, command: str) -> None:
    """A command that writes files never writes the installed data by default, nor the wheel's copy (exit 2)."""
    from cotw.discovery import INSTALLED, inside_installed_copy

    refusal = None
    if chosen.origin == INSTALLED:
        refusal = (f"the current directory is in no package (no datapackage.json here or above), and cotw {command} "
                   "never rewrites the installed data; cd into your package, or give its PATH")
    elif inside_installed_copy(chosen.path):
        refusal = f"{chosen.shown} is the copy of the data installed with cotw; cotw {command} never rewrites it"
    if refusal:
        typer.echo(f"Error: {refusal}", err=True)
        raise typer.Exit(2)


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
