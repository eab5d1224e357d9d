"""`cotw check`: validate everything and report every problem at once."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .options import PathArg, Quiet, target


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def check(
    path: Optional[Path] = PathArg,
    format: Format = typer.Option(Format.text, "--format", "-f", help="text for people, json for machines, github for workflow annotations."),
    with_frictionless: bool = typer.Option(False, "--with-frictionless", help="Also run frictionless row validation as a second opinion."),
    base: Optional[str] = typer.Option(None, "--base", metavar="PATH|REF", help="Judge the data by the descriptor and "
                                       "schemas of this trusted base (a package folder, or a git ref of the repository, e.g. "
                                       "origin/main) and report each change to them as schema-changed (exit 3).", show_default=False),
    quiet: bool = Quiet,
) -> None:
    """Validate the descriptor, every row and the provenance of every quote and piece of evidence.

    PATH may be a folder or the zipped download itself (read in place). The first line (on stderr)
    names the package checked. Exit 0 when valid, 1 when the data is invalid, 2 on a usage error
    (e.g. PATH is not a package). Text and GitHub output show the first problems of each rule and
    file, then how many more; the summary counts all. Text from the package is printed with control
    characters escaped. With -q, only the problems (text or GitHub annotations; JSON is unchanged):
    valid data prints nothing.

    A pull request controls its own datapackage.json and schema/: with --base (the branch it goes into,
    a folder or a git ref read with git's plumbing, nothing run) the data is judged by the base's rules,
    and each change to the descriptor or a schema is a problem [schema-changed] for a maintainer to
    review. Exit 3 when those changes are the only problems (the data is valid under the base's rules),
    1 when the data is invalid too.

    Example: cotw check --format github data-package/ (in CI on a pull request: cotw check . --base origin/main --format github)
    """
    import json

    from cotw.check.pipeline import validate
    from cotw.report import escape

    # the process ends with the report: pandas is kept out (see cotw.io.quietarrow)
    report = validate(target(path, "check", quiet).path, with_frictionless=with_frictionless, defer_pandas=True, base=base)
    if report.usage_error:
        typer.echo(f"Error: {escape(report.usage_error.message)}", err=True)
        raise typer.Exit(2)
    if format is Format.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif quiet:  # the problems only: no summary line, no notes
        lines = report.render_github().splitlines() if format is Format.github else [p.text() for p in report.sorted_problems()]
        lines = [line for line in lines if line.startswith("::error")] if format is Format.github else lines
        if lines:
            typer.echo("\n".join(lines))
    elif format is Format.github:
        typer.echo(report.render_github())
    else:
        typer.echo(report.render_text())
    raise typer.Exit(exit_code(report))


def exit_code(report) -> int:
    """0 valid; 1 invalid; 3 valid under the base's rules, which the contribution changed (--base)."""
    if report.ok:
        return 0
    only_rules = not report.problems.omitted and all(p.rule == "schema-changed" for p in report.problems)
    return 3 if only_rules else 1
