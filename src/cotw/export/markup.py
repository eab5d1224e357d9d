"""The source markup that verbatim cells keep, and their reading form.

Some archived texts print emphasis as markup, and the evidence and quotations copied from them keep it
verbatim (as `cotw check` matches them against the archive): `<u>...</u>` (underline, often a link in
the source) and `**...**` (bold). The curated cell stays as it is (CSV, provenance); where people read
the words they get the reading form:

- on the pages (`html`): the text escaped, then only those two markups turned into `<u>...</u>` and
  nothing (an unmatched `<u>` or `</u>` is dropped, so the page stays well-formed whatever the cell);
- in the typed exports (`plain`): the derived column `<field>_plain` beside each verbatim field, the
  words with the markup removed (see frames.derived_fields); the Excel workbook underlines in that
  column what the source underlines (`runs`: its value is still the plain words).

`Reader` renders a text piece by piece (the source viewer cuts its archive at every span's ends), and
carries whether the words are underlined from one piece to the next, so a span may begin or end
inside underlined words, or even inside a markup token, and the HTML still nests.
"""
from __future__ import annotations

import re
from itertools import groupby

from html import escape

TOKEN = re.compile(r"<u>|</u>|\*\*")
SUFFIX = "_plain"  # the derived reading-form column: `<field>_plain`

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def e(value) -> str:
    """`value` as HTML text or attribute: escaped, and bidirectional controls shown as <U+202E> rather than obeyed."""
    text = escape("" if value is None else str(value), quote=True)
    return _BIDI.sub(lambda m: f"&lt;U+{ord(m.group()):04X}&gt;", text) if _BIDI.search(text) else text


def plain(text):
    """`text` without the source markup (None stays None)."""
    return None if text is None else TOKEN.sub("", str(text))


def has_markup(text) -> bool:
    return text is not None and TOKEN.search(str(text)) is not None


class Reader:
    """A text rendered as HTML in consecutive pieces [a, b), markup turned into underline or nothing."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
        self.next = 0  # the first token not yet reached
        self.under = False

    def html(self, a: int, b: int) -> str:
        out = []
        for under, text in self.runs(a, b):
            out.append(f"<u>{e(text)}</u>" if under else e(text))
        return "".join(out)

    def runs(self, a: int, b: int) -> list[tuple[bool, str]]:
        """The text shown of [a, b) as (underlined, text) runs, neighbours differing, none empty."""
        runs: list[tuple[bool, str]] = []
        at = a
        while at < b:
            if self.next < len(self.tokens) and self.tokens[self.next][0] < b:
                start, end, token = self.tokens[self.next]
                if start >= at:
                    runs.append((self.under, self.text[at:start]))
                    if token == "<u>":
                        self.under = True
                    elif token == "</u>":
                        self.under = False
                    at = start
                # the token's characters, or those of it inside this piece, are not shown
                if end <= b:
                    self.next += 1
                at = min(max(at, end), b)
            else:
                runs.append((self.under, self.text[at:b]))
                at = b
        return [(under, "".join(t for _, t in group)) for under, group in groupby((r for r in runs if r[1]), key=lambda r: r[0])]


def runs(text) -> list[tuple[bool, str]]:
    """`text` as it reads, in (underlined, text) runs: what a spreadsheet cell shows as rich text."""
    text = "" if text is None else str(text)
    return Reader(text).runs(0, len(text))


def html(text) -> str:
    """`text` as HTML: escaped, `<u>...</u>` underlined, `**` gone."""
    text = "" if text is None else str(text)
    return Reader(text).html(0, len(text))
