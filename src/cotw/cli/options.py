"""Options shared by several commands, and how a command answers a usage error."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

PathArg = typer.Argument(None, help="A package directory or its datapackage.json (default: the installed data).", show_default=False)


def package_path(path: Optional[Path]) -> Optional[Path]:
    """Usage errors exit 2: a PATH that does not exist is the caller's mistake, not invalid data."""
    if path is not None and not path.exists():
        from cotw.report import escape

        typer.echo(f"Error: {escape(path)} does not exist", err=True)
        raise typer.Exit(2)
    return path
