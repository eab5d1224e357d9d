"""The `cotw` command line: a thin shell over the library, one module per command.

Nothing heavy is imported here, so `cotw --help` prints quickly; each command imports what it needs.
"""
from __future__ import annotations

import inspect
import os

import typer

from . import check, codebook, fmt
from . import diff, export
from . import locate, next_id, source
from . import reliability, review
from .coerce import Command, Group

app = typer.Typer(
    cls=Group,  # parameters coerced without pydantic where that is plain (coerce.py: ~100 ms of every run)
    name="cotw",
    help="cotw: the provenance-verified dataset of the European Coalition of the Willing for Ukraine (2025).",
    epilog="Example: cotw check (in a clone: checks your edits); cotw COMMAND --help for each command's own example.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def run(prog_name: str | None = None) -> None:
    """The `cotw` command (console script, and `python -m cotw`): the app, in a process of its own.

    cotw does no linear algebra, yet numpy (imported with pyarrow and pandas) starts OpenBLAS, which starts a
    thread per core whose start-up spins: ~100 ms of CPU in every command on 2 cores. The command runs
    with one OpenBLAS thread (measured: `cotw check` of the shipped data 453 -> 353 ms of CPU, the same wall
    time; benchmarks/README.md), unless its caller set OPENBLAS_NUM_THREADS. The library (`import cotw`) leaves
    the variable alone: there the process is the caller's."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app(prog_name=prog_name)


def _version(value: bool) -> None:
    if value:
        from cotw import __version__

        typer.echo(f"cotw {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit.")) -> None:
    """cotw: who in the coalition said what, when, and on which conditions."""


def _command(group: typer.Typer, name: str, fn) -> None:
    """Register `fn` as `name`, its docstring's closing "Example: ..." paragraph as the epilog, so that
    every --help ends with an example (after the options, where people look last)."""
    doc = inspect.getdoc(fn) or ""
    body, sep, example = doc.rpartition("\nExample: ")
    if not sep:
        raise RuntimeError(f"cotw {name}: its docstring ends with no example")
    group.command(name, cls=Command, help=body.rstrip(), epilog=f"Example: {example.strip()}")(fn)


for _name, _fn in (("check", check.check), ("fmt", fmt.fmt), ("codebook", codebook.codebook), ("export", export.export),
                   ("diff", diff.diff), ("locate", locate.locate), ("next-id", next_id.next_id),
                   ("review", review.review)):
    _command(app, _name, _fn)
_command(source.app, "add", source.add)
app.add_typer(source.app, name="source")
app.add_typer(reliability.app, name="reliability")
