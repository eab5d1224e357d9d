"""Regenerate the outputs printed in docs/cookbook.md from the current data, or check them.

    python scripts/cookbook.py            # run every recipe, write its real output under it
    python scripts/cookbook.py --check    # exit 1 if any printed output is not what the data gives
    python scripts/cookbook.py PATH       # another Markdown file of `>>>` examples

The recipes run in order in one namespace, exactly as `doctest.testfile` runs them (which is what
tests/test_cookbook.py does); only the output lines under each `>>>` example are replaced, so the
prose and code stay as written. A recipe that raises is reported (file, line, error) and nothing is
written: an output must never be a traceback.
"""
from __future__ import annotations

import argparse
import doctest
import os
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1] / "docs" / "cookbook.md"
FLAGS = doctest.NORMALIZE_WHITESPACE


class _Recorder(doctest.DocTestRunner):
    """Runs the examples and keeps what each one printed, whether or not it matched."""

    def __init__(self):
        super().__init__(optionflags=FLAGS, verbose=False)
        self.got: dict[int, str] = {}
        self.errors: list[str] = []

    def report_success(self, out, test, example, got):
        self.got[id(example)] = got

    def report_failure(self, out, test, example, got):
        self.got[id(example)] = got

    def report_unexpected_exception(self, out, test, example, exc_info):
        kind, value, _ = exc_info
        self.errors.append(f"{test.filename}:{example.lineno + 1}: {example.source.strip().splitlines()[0]!r} "
                           f"raised {kind.__name__}: {value}")


def _output_lines(got: str, indent: int) -> list[str]:
    """`got` as doctest expects it under an example: blank lines as <BLANKLINE>, no trailing spaces."""
    pad = " " * indent
    return [pad + (line.rstrip() or "<BLANKLINE>") + "\n" for line in got.splitlines()]


def regenerate(text: str, filename: str = "cookbook.md") -> tuple[str, list[str]]:
    """(`text` with every example's output replaced by what it prints now, errors)."""
    test = doctest.DocTestParser().get_doctest(text, {"__name__": "__cookbook__"}, filename, filename, 0)
    runner = _Recorder()
    runner.run(test, out=lambda _: None, clear_globs=True)
    if runner.errors:
        return text, runner.errors
    lines = text.splitlines(keepends=True)
    for example in sorted(test.examples, key=lambda e: e.lineno, reverse=True):
        start = example.lineno + example.source.count("\n")
        stop = start + example.want.count("\n")
        lines[start:stop] = _output_lines(runner.got.get(id(example), ""), example.indent)
    return "".join(lines), []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT, help="Markdown file (default: docs/cookbook.md)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if an output is stale")
    args = parser.parse_args(argv)
    os.chdir(DEFAULT.parents[1])  # the page names its package relative to the repository root (DATA)
    try:
        text = args.path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{args.path}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    new, errors = regenerate(text, str(args.path))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print(f"{args.path}: not rewritten", file=sys.stderr)
        return 1
    if args.check:
        if new != text:
            print(f"{args.path}: outputs differ from what the data gives; run python scripts/cookbook.py", file=sys.stderr)
            return 1
        print(f"{args.path}: every output is current")
        return 0
    if new != text:
        args.path.write_text(new, encoding="utf-8")
        print(f"{args.path}: outputs rewritten")
    else:
        print(f"{args.path}: already current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
