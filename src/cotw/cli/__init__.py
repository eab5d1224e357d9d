"""The `cotw` command line: a thin shell over the library, one module per command.

Nothing heavy is imported here, so `cotw --help` prints quickly; each command imports what it needs.
"""
from __future__ import annotations

import inspect

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
