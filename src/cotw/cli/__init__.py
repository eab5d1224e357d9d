"""The `cotw` command line: a thin shell over the library, one module per command.

Nothing heavy is imported here, so `cotw --help` prints quickly; each command imports what it needs.
"""
from __future__ import annotations

import typer

from . import check, codebook, fmt
from . import diff, export
from . import locate, next_id, source
from . import reliability, review

app = typer.Typer(
    name="cotw",
    help="cotw: the provenance-verified dataset of the European Coalition of the Willing for Ukraine (2025).",
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


app.command("check")(check.check)
app.command("fmt")(fmt.fmt)
app.command("codebook")(codebook.codebook)
app.command("export")(export.export)
app.command("diff")(diff.diff)
app.add_typer(source.app, name="source")
app.command("locate")(locate.locate)
app.command("next-id")(next_id.next_id)
app.command("review")(review.review)
app.add_typer(reliability.app, name="reliability")
