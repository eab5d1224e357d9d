"""`cotw source add`: archive a new source text and record its row in data/sources.csv."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._curate import open_package, refuse
from .coerce import Group
from .options import PackageOpt, Quiet

app = typer.Typer(
    cls=Group,
    name="source",
    help="Manage the archived sources.",
    epilog="Example: cotw source add article.txt --title 'Ministers meet' --kind news --language en --published-basis 'The dateline.'",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def add(
    file: Path = typer.Argument(..., help="The source's text as printed, saved as a UTF-8 text file; or a page saved by a browser (.html, needs cotw[html]).", show_default=False),
    path: Optional[Path] = typer.Argument(None, help="The package folder to add to (default: the package around the current directory; outside any package it refuses).", show_default=False),
    title: str = typer.Option(..., "--title", help="Title as printed in the source.", show_default=False),
    kind: Optional[str] = typer.Option(None, "--kind", help="Kind of document (see schema/sources.json: news, report).", show_default=False),
    language: Optional[str] = typer.Option(None, "--language", help="ISO 639-1 code of the text's language, e.g. en.", show_default=False),
    published_basis: Optional[str] = typer.Option(None, "--published-basis", help="Where in the text the date comes from, or why there is none.", show_default=False),
    published: Optional[str] = typer.Option(None, "--published", help="Publication date in EDTF, saying exactly what the text allows: 2025-04-10 a day, 2025-04 a month, 2025 a year, 2025-05-08/2025-05-10 a span, ../2025-04-10 on or before, 2025-05-10/.. on or after (default: none, say why in --published-basis).", show_default=False),
    publisher: Optional[str] = typer.Option(None, "--publisher", help="Publisher as the text names it.", show_default=False),
    authors: Optional[str] = typer.Option(None, "--authors", help="Authors or byline as printed, separated by '; '.", show_default=False),
    url: Optional[str] = typer.Option(None, "--url", help="Address of the original (recorded, never fetched).", show_default=False),
    notes: Optional[str] = typer.Option(None, "--notes", help="How the metadata was read off the text, and anything odd in it.", show_default=False),
    source_id: Optional[str] = typer.Option(None, "--id", help="The source_id (default: made from the title).", show_default=False),
    package: Optional[Path] = PackageOpt,
    quiet: bool = Quiet,
) -> None:
    """Archive FILE under seeds/ (named by its content, never overwriting) and add its row to
    data/sources.csv with its sha256 and the metadata given. Every value is checked against the
    schema first; a text already archived, a file that is not UTF-8 text and an invalid value are
    refused with the reason, and nothing is written. The package stays valid and canonical.
    From an HTML page (.html, .htm; needs the extra cotw[html]) the article text is extracted and
    archived, and the page beside it.

    Without PATH it adds to the package around the current directory (named on the first line, on
    stderr); outside any package it refuses (exit 2), as `cotw fmt` does: it never writes into the
    installed data.

    Example: cotw source add article.txt --title 'Ministers meet' --kind news --language en --published 2025-06-02 --published-basis "The dateline prints 'June 2, 2025'."
    """
    from cotw.curate import CurateError
    from cotw.curate.sources import add_source
    from cotw.package import PackageError

    pkg = open_package(path, package, "source add", quiet, writes=True)
    try:
        added = add_source(pkg, file, title=title, kind=kind, language=language, published_basis=published_basis,
                           published=published, publisher=publisher, authors=authors, url=url,
                           notes=notes, source_id=source_id)
    except (CurateError, PackageError) as exc:
        refuse(exc)
    if quiet:
        return
    typer.echo(f"archived {added.archive} (sha256 {added.sha256})")
    if added.page:
        typer.echo(f"archived {added.page} (the page the text was extracted from)")
    typer.echo(f"added {added.file}:{added.line}: source_id '{added.source_id}'")
    if added.reformatted:
        typer.echo(f"note: {added.file} was not in canonical form; it was rewritten in canonical form (no cell changed)")
