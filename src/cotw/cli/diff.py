"""`cotw diff`: rows added, removed and changed between two versions of the data package."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .options import Quiet, target


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def diff(
    old: Path = typer.Argument(..., help="The older package: a folder, its datapackage.json, or a zipped package.", show_default=False),
    new: Optional[Path] = typer.Argument(None, help="The newer package (default: the package around the current directory, else the installed data).", show_default=False),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text for people, json for machines, markdown for release notes and the CHANGELOG."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when there are differences (as `git diff --exit-code`)."),
    quiet: bool = Quiet,
) -> None:
    """Per table, the rows added, removed and changed (matched by primary key; changed cells old → new,
    long cells as the changed words in context: `…real and [-substantial-]{+well advanced+}…`).

    Refuses (exit 2, saying where) a package it cannot read faithfully: a descriptor, schema or table
    file that cannot be read, rows or columns that would be skipped, a primary key used twice.

    Example: cotw diff release-0.1/ . --format markdown >> notes.md
    """
    import json

    from cotw.diff import DiffRefused, diff_packages
    from cotw.package import PackageError
    from cotw.report import escape

    older, newer = target(old, "diff", quiet=True), target(new, "diff", quiet=True)
    if not quiet:
        typer.echo(f"cotw diff: old {older.describe()}; new {newer.describe()}", err=True)
    try:
        result = diff_packages(older.path, newer.path)
    except DiffRefused as exc:
        for p in exc.problems:
            typer.echo(escape(p.text()), err=True)
        typer.echo(f"Error: {exc} (fix them, or run `cotw check` on each package, then diff again)", err=True)
        raise typer.Exit(2)
    except PackageError as exc:
        where = f"{exc.file}:{exc.line}" if exc.line else exc.file
        typer.echo(f"Error: {escape(where)}: {escape(exc.message)}", err=True)
        raise typer.Exit(2)
    if format is Format.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif format is Format.markdown:
        typer.echo(result.render_markdown(), nl=False)
    else:
        text = result.render_text(summary=not quiet)
        if text:
            typer.echo(text)
    raise typer.Exit(1 if exit_code and not result.empty else 0)
