"""The source viewer: every archived text (sources.archive) as its own page of the export,
`pages/source-<source_id>.html`, with every evidence and quote span of every row highlighted, numbered,
and linked to the rows it supports; each row listed below the text links back to its span.

Spans are located exactly as `cotw check` proves them (check/provenance.py): the cell and the
archive are both normalised by `provenance.normalise` (a run of whitespace is one space) and the
cell must occur in the archive; the first occurrence is the one highlighted, as `in` finds it.
Only the way back from the normalised text to the archived characters is added here, so that the
page shows the archive as it is (line breaks and all), except for the source's own markup: `<u>...</u>`
is shown underlined and `**` not at all (markup.py), and neither is counted as characters of the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from ..check.provenance import _WS, normalise
from .markup import e  # the one HTML escape of the pages (bidirectional controls shown, not obeyed)

FOLDER = "pages"  # with the country pages: one folder of HTML beside the format folders
SHORT = 90  # characters of a row's words shown in a list; the full words are highlighted in the text


# bidirectional embeddings, overrides and isolates: one in a cell would reverse how the rest of its line on
# the page reads (the text stays as it is in every data file; the page shows where it was)


def short(text, limit: int = SHORT) -> str:
    text = normalise(str(text or ""))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Span:
    """One located stretch of an archive: [start, end) in the archived text's characters."""

    number: int
    start: int
    end: int
    occurrences: int  # how often the normalised words occur in the archive (the first is shown)
    rows: list[tuple[str, str]] = field(default_factory=list)  # (table, row id)

    @property
    def anchor(self) -> str:
        return f"sp{self.number}"


@dataclass
class Source:
    """An archived text with its spans."""

    source_id: str
    page: str  # relative path in the export
    title: str
    raw: str  # the archived text as decoded
    spans: list[Span] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # rows whose words were not found
    covered: int = 0  # non-whitespace characters inside some span
    total: int = 0  # non-whitespace characters of the text
    row: int = -1  # its row in the sources table (found once, not once per page)

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total else 0.0


@dataclass
class Provenance:
    """Every source page, and where each row's words are: (table, row id) -> (page, span)."""

    sources: dict[str, Source] = field(default_factory=dict)
    where: dict[tuple[str, str], tuple[Source, Span]] = field(default_factory=dict)

    def href(self, table: str, row_id: str, prefix: str = "") -> str | None:
        """The link from a page `prefix` away from the export root to the row's highlighted span."""
        hit = self.where.get((table, row_id))
        return f"{prefix}{hit[0].page}#{hit[1].anchor}" if hit else None


def _index(raw: str) -> tuple[str, list[int]]:
    """provenance.normalise(raw), and for each of its characters the index of the archived character it stands for."""
    chars: list[str] = []
    where: list[int] = []
    last = 0
    for m in _WS.finditer(raw):
        chars.append(raw[last:m.start()])
        where.extend(range(last, m.start()))
        chars.append(" ")
        where.append(m.start())
        last = m.end()
    chars.append(raw[last:])
    where.extend(range(last, len(raw)))
    text = "".join(chars)
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return text, where[lead: lead + len(text)]


def verbatim_fields(table) -> list[tuple[str, str]]:
    """(words column, source column) of a table: the fields the schema marks `x-verbatim-in`."""
    return [(f["name"], f["x-verbatim-in"]) for f in table.fields if isinstance(f.get("x-verbatim-in"), str)]


def row_id_field(table) -> str | None:
    key = table.key
    return key[0] if len(key) == 1 else None


def locate(pkg, tables: dict) -> Provenance:
    """Find every row's words in its source's archived text (the same normalisation as `cotw check`)."""
    from ..io import safeio
    from .paths import page_stem

    out = Provenance()
    sources = tables.get("sources")
    if sources is None:
        return out
    normalised: dict[str, tuple[str, list[int]]] = {}
    for row, (sid, archive, title) in enumerate(zip(sources.columns.get("source_id", []), sources.columns.get("archive", []),
                                                    sources.columns.get("title", [None] * sources.rows))):
        if not sid or not archive:
            continue
        try:
            raw = pkg.read_bytes(archive, safeio.MAX_TEXT).decode("utf-8")
        except (OSError, UnicodeDecodeError, safeio.UnsafeFile):
            continue  # `cotw check` reports it; the page then has no viewer for this source
        name = page_stem(sid, upper=False)
        if name is None:
            continue
        text, where = _index(raw)
        if text != normalise(raw):  # the map must describe exactly what `cotw check` matches against
            continue
        out.sources[sid] = Source(sid, f"{FOLDER}/source{name}.html", title or sid, raw, row=row)
        normalised[sid] = text, where
    spans: dict[tuple[str, int, int], Span] = {}
    for name, table in tables.items():
        id_field = row_id_field(table)
        if id_field is None:
            continue
        for words_col, source_col in verbatim_fields(table):
            for rid, words, sid in zip(table.columns.get(id_field, []), table.columns.get(words_col, []),
                                       table.columns.get(source_col, [])):
                if not words or sid not in out.sources:
                    continue
                text, where = normalised[sid]
                needle = normalise(words)
                at = text.find(needle) if needle else -1
                if at < 0:
                    out.sources[sid].missing.append((name, rid))
                    continue
                start, end = where[at], where[at + len(needle) - 1] + 1
                span = spans.get((sid, start, end))
                if span is None:
                    span = spans[(sid, start, end)] = Span(0, start, end, text.count(needle))
                    out.sources[sid].spans.append(span)
                span.rows.append((name, rid))
                out.where[(name, rid)] = out.sources[sid], span
    for source in out.sources.values():
        source.spans.sort(key=lambda s: (s.start, -s.end))
        for i, span in enumerate(source.spans, start=1):
            span.number = i
        shown = _shown(source.raw)
        source.total = _solid(shown)
        source.covered = sum(_solid(shown[a:b]) for a, b in _merged(source.spans))  # each character once
    return out


def _shown(raw: str) -> str:
    """`raw` with the characters of its markup tokens made spaces: what a reader sees, at the same indices."""
    from .markup import TOKEN

    return TOKEN.sub(lambda m: " " * len(m.group()), raw)


def _solid(text: str) -> int:
    """The number of characters of `text` that are not whitespace."""
    return len(text) - sum(1 for c in text if c.isspace())


def _merged(spans: list[Span]) -> list[list[int]]:
    """[start, end) runs covered by some span, overlapping spans merged: linear in the text, however many spans overlap."""
    parts: list[list[int]] = []
    for span in sorted(spans, key=lambda s: s.start):
        if parts and span.start <= parts[-1][1]:
            parts[-1][1] = max(parts[-1][1], span.end)
        else:
            parts.append([span.start, span.end])
    return parts


def coverage_bar(source: Source, width: int = 300) -> str:
    """A strip the length of the text, dark where some row uses it: what the data uses, and what it leaves out."""
    n = max(len(source.raw), 1)
    parts = _merged(source.spans)  # overlapping spans make one run
    rects = "".join(f'<rect x="{width * a / n:.1f}" y="0" width="{max(width * (b - a) / n, 0.5):.1f}" height="10"/>' for a, b in parts)
    return (f'<svg class="cover" viewBox="0 0 {width} 10" width="{width}" height="10" role="img" '
            f'aria-label="{source.share:.0%} of the text is used by some row">'
            f'<rect class="all" x="0" y="0" width="{width}" height="10"/>{rects}</svg>')


def _text(source: Source) -> str:
    """The archived text as HTML: highlighted where rows use it, each span's number at its start, the
    source's markup rendered (markup.Reader carries the underline across the cuts, so the tags nest)."""
    from .markup import Reader

    reader = Reader(source.raw)
    first = len(source.raw) - len(source.raw.lstrip())  # blank lines around the text are not shown (no span lies there)
    cuts = {first, len(source.raw.rstrip())}
    starts: dict[int, list[Span]] = {}
    ends: dict[int, int] = {}
    for span in source.spans:
        cuts.update((span.start, span.end))
        starts.setdefault(span.start, []).append(span)
        ends[span.end] = ends.get(span.end, 0) + 1
    cuts = sorted(cuts)
    out = []
    depth = 0  # spans covering [a, b): every span starts and ends at a cut, so a sweep counts them in linear time
    for a, b in pairwise(cuts):
        depth += len(starts.get(a, ())) - ends.get(a, 0)
        for span in starts.get(a, []):
            out.append(f'<a class="ref" id="{span.anchor}" href="#in{span.number}" title="span {span.number}: '
                       f'{len(span.rows)} row(s)">{span.number}</a>')
        chunk = reader.html(a, b)
        out.append(f'<mark class="d{min(depth, 3)}">{chunk}</mark>' if depth else chunk)
    return "".join(out)


def page(source: Source, tables: dict, describe, home, css: str, version: str) -> str:
    """The HTML of one source's page. `describe(table, row id)` gives a row's one-line summary,
    `home(table, row id)` (link from the export root, its words) to where the row is shown on the page, or None."""
    from .markup import plain

    sources = tables["sources"]
    i = source.row if source.row >= 0 else sources.columns["source_id"].index(source.source_id)
    meta = {k: sources.columns.get(k, [None] * sources.rows)[i] for k in ("publisher", "authors", "published", "url", "archive", "sha256", "kind")}
    rows_total = sum(len(s.rows) for s in source.spans)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(source.title)} — archived text</title>", f"<style>{css}</style>", "</head>", "<body>",
           '<nav aria-label="The dataset"><p class="nav"><a href="../index.html">← the dataset</a> · '
           '<a href="../index.html#sources">all sources</a></p></nav>',
           "<main>", f"<h1>{e(source.title)}</h1>",
           '<dl class="meta">'
           + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in (("source_id", source.source_id), ("publisher", meta["publisher"]),
                                                                     ("authors", meta["authors"]), ("published (EDTF)", meta["published"]),
                                                                     ("address", meta["url"]), ("archive", meta["archive"]),
                                                                     ("sha256", meta["sha256"])) if v)
           + "</dl>",
           f'<p class="cover-line">{coverage_bar(source)} <strong>{source.share:.0%}</strong> of the text '
           f"({source.covered:,} of {source.total:,} characters, not counting spaces) is used by "
           f"{rows_total} row(s) through {len(source.spans)} span(s). "
           "<mark class=\"d1\">Highlighted</mark> words are evidence or quotations of some row (darker where several spans overlap); "
           "each span's number, at its start, leads to the rows it supports. Everything not highlighted is left out of the data.</p>",
           '<h2 id="text">The archived text</h2>',
           f'<div class="archive">{_text(source)}</div>',
           f'<h2 id="rows">Rows that cite this text ({rows_total})</h2>',
           '<ol class="spans">']
    for span in source.spans:
        words = short(plain(source.raw[span.start:span.end]), 140)
        again = f' <span class="muted">(these words occur {span.occurrences} times; the first is highlighted, as <code>cotw check</code> finds it)</span>' if span.occurrences > 1 else ""
        out.append(f'<li id="in{span.number}" value="{span.number}"><a href="#{span.anchor}" class="back">span {span.number} in the text</a>: '
                   f'<q>{e(words)}</q>{again}<ul>')
        for table, rid in span.rows:
            there = home(table, rid)
            elsewhere = f' · <a href="../{e(there[0])}">{e(there[1])}</a>' if there else ""
            out.append(f'<li id="{e(rid)}"><code>{e(table)}</code> <strong>{e(rid)}</strong>: {e(describe(table, rid))} '
                       f'<a href="#{span.anchor}" class="back">↑ its span</a>{elsewhere}</li>')
        out.append("</ul></li>")
    out.append("</ol>")
    if source.missing:
        out.append(f"<p>{len(source.missing)} row(s) whose words were not found in this text (run <code>cotw check</code>): "
                   + ", ".join(f"<code>{e(t)} {e(r)}</code>" for t, r in source.missing) + "</p>")
    out += ["</main>", f'<footer><p class="meta">Generated by <code>cotw export</code> from version {e(version)} of the data.</p></footer>',
            "</body>", "</html>"]
    return "\n".join(out) + "\n"
