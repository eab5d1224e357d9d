"""`cotw diff`: rows added, removed and changed between two versions of the data package."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .options import package_path


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def diff(
    old: Path = typer.Argument(..., help="The older package directory (or its datapackage.json).", show_default=False),
    new: Optional[Path] = typer.Argument(None, help="The newer package directory (default: the installed data).", show_default=False),
    format: Format = typer.Option(Format.text, "--format", "-f", help="text for people, json for machines, markdown for release notes and the CHANGELOG."),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when there are differences (as `git diff --exit-code`)."),
) -> None:
    """Per table, the rows added, removed and changed (matched by primary key; changed cells old → new).

    Example: cotw diff release-0.1/ . --format markdown >> notes.md
    """
    import json

    from cotw.diff import diff_packages
    from cotw.package import PackageError
    from cotw.report import escape

    try:
        result = diff_packages(package_path(old), package_path(new))
    except PackageError as exc:
        typer.echo(escape(f"Error: {exc.message}"), err=True)
        raise typer.Exit(1)
    if format is Format.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif format is Format.markdown:
        typer.echo(result.render_markdown(), nl=False)
    else:
        typer.echo(result.render_text())
    raise typer.Exit(1 if exit_code and not result.empty else 0)
