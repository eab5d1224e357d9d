"""`cotw locate`: the exact archived words to paste into an evidence or quote cell."""
from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from ._curate import open_package, refuse
from .options import PackageOpt, Quiet


class Format(str, Enum):
    text = "text"
    json = "json"


def locate(
    args: List[str] = typer.Argument(..., metavar="[SOURCE] WORDS [PATH]", help="A source_id (optional: default every archive), the words as you remember them, quoted, and the package (optional: default the package around the current directory, else the installed data).", show_default=False),
    package: Optional[Path] = PackageOpt,
    format: Format = typer.Option(Format.text, "--format", "-f", help="text for people, json for editors and scripts."),
    threshold: float = typer.Option(85.0, "--threshold", min=0, max=100, help="Lowest score (0-100) that counts as found."),
    limit: int = typer.Option(5, "--limit", min=1, max=100, help="At most this many matches (one per source), best first."),
    quiet: bool = Quiet,
) -> None:
    """Find the span of the archived text that best matches the words, despite quote and dash styles,
    line breaks, markup, accents and small typos, and print it exactly as archived (line breaks as
    spaces) with its line and character offsets, some context and the match score.

    PATH, the package to search, comes last: with three arguments always, with two only when the
    second is a package on disk (a folder holding datapackage.json, a datapackage.json or a zip).
    Without it, the package around the current directory, else the installed data; the first line
    (on stderr) names it.

    Exit 0 when a span scores at least the threshold; 1 when none does (the nearest are printed).

    Example: cotw locate gmf-coalition-of-the-willing 'depends on the mandate of a potential "reassurance force"'
    """
    import json

    from cotw.curate import CurateError
    from cotw.curate.locate import locate as find
    from cotw.package import PackageError

    source, words, path = split(args, named=package is not None)
    pkg = open_package(path, package, "locate", quiet)
    try:
        result = find(pkg, words, source, threshold=threshold, limit=limit)
    except (CurateError, PackageError) as exc:
        refuse(exc)
    if format is Format.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render(result))
    raise typer.Exit(0 if result.found else 1)


def split(args: List[str], named: bool = False) -> tuple[Optional[str], str, Optional[Path]]:
    """SOURCE, WORDS and PATH from the arguments [SOURCE] WORDS [PATH] (`named`: the package was given by -p)."""
    from cotw.package import not_a_package

    def package(arg: str) -> bool:
        return not named and os.path.exists(arg) and not_a_package(arg) is None

    if len(args) == 3 and package(args[2]):
        return args[0], args[1], Path(args[2])
    if len(args) == 2 and package(args[1]):
        return None, args[0], Path(args[1])
    if len(args) <= 2:
        return (args[0], args[1], None) if len(args) == 2 else (None, args[0], None)
    typer.echo(f"Error: expected [SOURCE] WORDS [PATH], got {len(args)} arguments"
               + ("" if len(args) > 3 else " and the last is no package") + "; put the words in quotes", err=True)
    raise typer.Exit(2)


def render(result) -> str:
    out: list[str] = []
    if not result.found:
        out.append(f"no span scores {result.threshold:g} or more; the nearest:" if result.candidates else "no archived text to search")
    for m in result.matches or result.candidates:
        where = (f"line {m.line}, characters {m.column}-{m.end_column}" if m.line == m.end_line
                 else f"line {m.line} character {m.column} to line {m.end_line} character {m.end_column}")
        out.append(f"{m.source_id} ({m.archive}, {where}), score {m.score:g}:")
        out.append(m.cell)
        out.append(f"context: {m.before}[…]{m.after}")
        if m.cell != m.span:
            out.append("note: line breaks and runs of spaces inside the span are printed as one space, as the check reads them")
        out.append("")
    out.extend(f"skipped: {s}" for s in result.skipped)
    return "\n".join(out).rstrip("\n")
