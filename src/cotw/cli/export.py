"""`cotw export`: write CSV, Parquet, SQLite, Excel and JSON files and a download page from valid data."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .options import PathArg, Quiet, target

CHOICES = ("csv", "parquet", "sqlite", "excel", "json")  # the order of cotw.export.FORMATS, kept import-free
# what people type for a format by its file's extension: suggested, not accepted (one name per format)
ALIASES = {"xlsx": "excel", "xls": "excel", "db": "sqlite", "sqlite3": "sqlite", "sql": "sqlite", "pq": "parquet",
           "jsonl": "json", "ndjson": "json", "tsv": "csv"}


def _formats(values: Optional[List[str]]) -> list[str]:
    chosen = [v.strip().lower() for value in values or [] for v in value.split(",") if v.strip()]
    bad = [v for v in chosen if v not in CHOICES]
    if bad:
        from cotw.suggest import did_you_mean

        hint = f"did you mean '{ALIASES[bad[0]]}'?" if bad[0] in ALIASES else did_you_mean(bad[0], CHOICES)
        typer.echo(f"Error: unknown format {bad[0]!r}{f' ({hint})' if hint else ''}; choose from {', '.join(CHOICES)}", err=True)
        raise typer.Exit(2)
    return chosen


def _progress(quiet: bool):
    """A progress bar on stderr, only for a person watching a terminal."""
    import sys

    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = None

    def update(label: str, step: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task(label, total=total)
        bar.update(task, description=label, completed=step - 1)

    return bar, update


def export(
    path: Optional[Path] = PathArg,
    out: Path = typer.Option(..., "--out", "-o", help="The output directory (replaced atomically when the export is complete).", show_default=False),
    only: Optional[List[str]] = typer.Option(None, "--only", help=f"File formats to write (repeat or comma-separate): {', '.join(CHOICES)}. Default: all.", show_default=False),
    old_format: Optional[List[str]] = typer.Option(None, "--format", "-f", hidden=True, help="Deprecated spelling of --only."),
    force: bool = typer.Option(False, "--force", help="Replace a previous export in OUT even though some of its files were edited since. Never deletes files that a cotw export did not write."),
    quiet: bool = Quiet,
) -> None:
    """Export the validated data as files for spreadsheets, data teams, SQL, analysts and the web,
    with a download page (OUT/index.html) that works opened from disk.

    Refuses (exit 1) when the data fails `cotw check`, when OUT is inside the package, or when OUT
    holds something other than a previous export: cotw deletes only the files its manifest
    (OUT/.cotw-export.json) lists, and a previous export whose files were edited is replaced only
    with --force. Exit 2 when OUT cannot be written at all (read-only, its parent is a file).
    Two exports of the same data are byte-identical.

    --only chooses the file formats. In 0.1.0 it was spelled --format, which still works with a
    deprecation warning (on `check` and `diff`, --format is the report's format).

    Example: cotw export --out dist/ --only csv,parquet
    """
    from cotw.export import ExportError, InvalidData, export as run
    from cotw.export.target import BadTarget
    from cotw.package import PackageError
    from cotw.report import escape

    if old_format and not quiet:
        typer.echo("warning: `cotw export --format` is deprecated; use --only (on check and diff, --format is the report format)", err=True)
    formats = _formats((only or []) + (old_format or []))
    source = target(path, "export", quiet).path
    bar, progress = _progress(quiet)
    try:
        if bar is not None:
            with bar:
                result = run(source, out, formats or None, force=force, progress=progress)
        else:
            result = run(source, out, formats or None, force=force)
    except InvalidData as exc:
        typer.echo(exc.report.render_text(), err=True)
        typer.echo(escape(f"refusing to export: {exc}"), err=True)
        raise typer.Exit(1)
    except BadTarget as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2)
    except ExportError as exc:
        typer.echo(escape(f"Error: {exc}"), err=True)
        raise typer.Exit(1)
    except PackageError as exc:
        typer.echo(escape(f"Error: {exc.message}"), err=True)
        raise typer.Exit(1)
    for kept in result.kept:
        typer.echo(f"note: kept {kept}: besides the previous export it holds files that cotw did not write", err=True)
    if not quiet:
        rows = sum(result.rows.values())
        typer.echo(escape(f"wrote {len(result.files)} files ({len(result.rows)} tables, {rows} rows) to {result.out}; open {result.out / 'index.html'}"))
