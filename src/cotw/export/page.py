"""The download page, `index.html`: what the dataset is, its version, licence, how to install and cite
it; every table with its row count and a link to its file in each exported format; the countries
(with a page each, countries.py), the position matrix (figures.py), the timeline (timeline.py), and
the archived sources, each with its own page in the source viewer (viewer.py) where every span the
data uses is highlighted and linked to its rows. Self-contained: inline CSS and SVG, relative links,
no script, no network, so it works opened from disk; readable at 400 px (the country table and the
matrix, wider than a phone, scroll sideways in a box that a note above names and a shadow at the
hidden side marks, CSS alone) and in print. Every page has its navigation, main and footer landmarks
and passes axe-core (tests/test_download_page.py); the source's markup in quotations is rendered
(markup.py), never passed through.
"""
from __future__ import annotations


import re

from . import figures
from .viewer import e  # the one HTML escape of the page (bidirectional controls shown, not obeyed)

PAGE = "index.html"

CSS = """
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:1120px;margin:2em auto;padding:0 1em;overflow-wrap:break-word}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin:1.2em 0 .4em;font-size:1.05em}
a{color:#0b57a4}.muted,.meta{color:#555}.nav{font-size:.9em}
code,pre{font:13px ui-monospace,Menlo,Consolas,monospace;background:#f5f5f5}
td code{white-space:nowrap}
pre{padding:.8em;overflow-x:auto;white-space:pre-wrap}
.scroll{overflow-x:auto;max-width:100%;background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/2.5em 100% no-repeat local,linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/2.5em 100% no-repeat local,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.28),rgba(0,0,0,0)) left/1em 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.28),rgba(0,0,0,0)) right/1em 100% no-repeat scroll}
.scroll:focus-visible{outline:2px solid #0b57a4}
.scroll-hint{display:none;margin:.3em 0;font-size:.9em;color:#555}
table.files,table.grid{border-collapse:collapse;width:100%}
table.files th,table.files td,table.grid th,table.grid td{border-bottom:1px solid #e3e3e3;padding:.35em .5em;text-align:left;vertical-align:top}
table td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#fafafa}td.flag{background:#fff3cd}
.whole a{margin-right:1.2em;display:inline-block}figure{margin:1em 0;max-width:100%}figcaption{color:#555;font-size:.9em}
svg text{font:11px system-ui,sans-serif;fill:#222}svg .group{font-weight:600}svg .lg-title{font-weight:600}svg text.count{font-size:10px;font-weight:600}
svg a text{fill:#0b57a4}svg .stripe{fill:#f6f6f6}
svg.cover{vertical-align:middle;max-width:40%;height:10px}svg.cover rect{fill:#c2410c}svg.cover rect.all{fill:#eee;stroke:#bbb;stroke-width:.5}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1em 1em}dl.meta dt{font-weight:600}dl.meta dd{margin:0;overflow-wrap:anywhere}
.archive{white-space:pre-wrap;font:16px/1.6 Georgia,"Times New Roman",serif;background:#fffef8;border:1px solid #e8e4d8;padding:1em;max-width:48em}
mark{color:inherit;-webkit-print-color-adjust:exact;print-color-adjust:exact}
mark.d1{background:#fde68a}mark.d2{background:#fbbf24}mark.d3{background:#f59e0b}
a.ref{font:600 10px system-ui,sans-serif;vertical-align:super;background:#1e3a8a;color:#fff;border-radius:3px;padding:0 3px;margin:0 1px;text-decoration:none;scroll-margin-top:3em}
a.ref:target,:target>a.back{outline:3px solid #dc2626}
li:target,article:target{background:#eef4ff;outline:2px solid #0b57a4}
ol.spans>li{margin:.4em 0}ol.spans ul,ol.events ul{margin:.2em 0;padding-left:1.2em}
article.card{border:1px solid #e3e3e3;border-radius:4px;padding:.5em .8em;margin:.6em 0;break-inside:avoid}
article.card p{margin:.2em 0}article.card blockquote{margin:.4em 0;padding-left:.8em;border-left:3px solid #fbbf24}
.tl{margin:1em 0}.tl-lane{margin-bottom:1.2em}ul.tl-items{list-style:none;margin:0;padding:0}
.tl-row{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:0 .8em;align-items:center;border-bottom:1px solid #f0f0f0;break-inside:avoid}
.tl-name{margin:.2em 0;font-size:.95em}
.tl-axis{position:relative;height:1.4em;font-size:11px;color:#555;border-bottom:1px solid #bbb}
.tl-tick{position:absolute;top:0;white-space:nowrap;padding-left:2px;border-left:1px solid #bbb}
.tl-label{font-size:13px;padding:.15em 0;text-decoration:none;color:#222}.tl-label:hover{text-decoration:underline}
.tl-when{font-weight:600;color:#0b57a4}
.tl-track{position:relative;height:1.2em;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tl-mark{position:absolute;top:.3em;height:.6em;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tl-mark.day{width:.8em;height:.8em;top:.2em;margin-left:-.4em;border-radius:50%;background:#1d4ed8;border:1px solid #1e3a8a}
.tl-mark.span{background:#93c5fd;border:1px solid #1d4ed8;min-width:3px}
.tl-mark.open-start{background:linear-gradient(to right,rgba(147,197,253,0),#93c5fd);border:1px dashed #1d4ed8;border-left:0;border-right:3px solid #1d4ed8}
.tl-mark.open-start::before,.tl-mark.open-end::after{position:absolute;top:-.55em;font-size:.9em;color:#1d4ed8;content:"◀"}
.tl-mark.open-start::before{left:-.2em}.tl-mark.open-end::after{right:-.2em;content:"▶"}
.tl-mark.open-end{background:linear-gradient(to left,rgba(147,197,253,0),#93c5fd);border:1px dashed #1d4ed8;border-right:0;border-left:3px solid #1d4ed8}
.tl-key{display:inline-block;position:relative;width:2.5em;height:1em;vertical-align:middle}.tl-key .tl-mark{left:.4em;width:2em;top:.2em}.tl-key .tl-mark.day{width:.8em;left:1.2em}
.tl-legend{font-size:.9em;color:#444}
@media (max-width:640px){
 body{margin:1em auto;padding:0 .6em}
 .tl-row{grid-template-columns:minmax(0,1fr)}.tl-head .tl-axis{margin-bottom:.2em}.tl-track{margin-bottom:.3em}
 .tl-lane .tl-item .tl-label{padding-top:.3em}
 table.files thead{display:none}table.files tr{display:block;border-bottom:1px solid #ccc;padding:.3em 0}
 table.files td{display:block;border:0;padding:.1em 0}table.files td.n::before{content:"rows: "}table.files td.n{text-align:left}
 table.files td:nth-child(n+4){display:inline-block;margin-right:1em}
 table.files td:empty{display:none}.tl-axis{font-size:9px}
 .scroll-hint{display:block}
}
@media print{
 body{max-width:none;margin:0;font-size:11pt}a{color:#222}.nav{display:none}
 figure,.scroll{overflow:visible;background:none}svg{max-width:100%;height:auto}.scroll-hint{display:none!important}
 h2,h3{break-after:avoid}.tl-lane{break-inside:auto}
 article.card a.span-link::after{content:" (" attr(href) ")";font-size:8pt;color:#555}
}
"""

INSTALL = ("<p>From a clone of the repository: <code>pip install .</code> (or <code>bash scripts/setup.sh</code>), then in "
           "Python <code>import cotw; cotw.load(\"statements\")</code>, or on the command line <code>cotw check</code>. "
           "Once cotw is released on PyPI, <code>pip install cotw</code> will work too; it does not yet. "
           "The zipped data package carries the archived source texts (<code>seeds/</code>) with their sha256, so "
           "<code>cotw check cotw-datapackage.zip</code> verifies every quotation and piece of evidence against its "
           "source without anything else downloaded.</p>")

# Shown where a table or the matrix is wider than the screen (CSS only, no script), above it; the shadow
# at an edge of the scrolling box (`.scroll`) shows on which side more is hidden.
SCROLL_HINT = ('<p class="scroll-hint" id="{id}">Wider than the screen: scroll the {what} sideways to see every {col} '
               '<span aria-hidden="true">→</span> (a shadow at an edge means more on that side).</p>')

FORMAT_LABELS = {"csv": "CSV", "parquet": "Parquet", "json": "JSON", "jsonl": "JSON Lines"}




def links(formats: tuple[str, ...], names: list[str]) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """Per-table links {table: {label: path}} and whole-dataset links [(label, path)], for the formats written."""
    from . import csv, excel, json, parquet, sqlite

    per = {n: {} for n in names}
    whole = []
    if "csv" in formats:
        for n, p in csv.files(names).items():
            per[n]["CSV"] = p
        whole.append(("Frictionless data package (zip)", csv.ZIP))
    if "parquet" in formats:
        for n, p in parquet.files(names).items():
            per[n]["Parquet"] = p
    if "json" in formats:
        for n, p in json.files(names).items():
            per[n]["JSON"] = p["json"]
            per[n]["JSON Lines"] = p["jsonl"]
    if "sqlite" in formats:
        whole += [("SQLite database", sqlite.DATABASE), ("Datasette metadata", sqlite.METADATA)]
    if "excel" in formats:
        whole.append(("Excel workbook (with codebook)", excel.WORKBOOK))
    return per, whole


def citation(ctx) -> str:
    """From the package's CITATION.cff (see citation.py)."""
    from .citation import citation as cite

    return cite(ctx.pkg, ctx.version)


def render(ctx, prov, rows, summ) -> str:
    from . import countries, timeline
    from .viewer import coverage_bar

    d = ctx.pkg.descriptor
    names = list(ctx.tables)
    per, whole = links(ctx.formats, names)
    labels = [lab for lab in ("CSV", "Parquet", "JSON", "JSON Lines") if any(lab in per[n] for n in names)]
    lic = (d.get("licenses") or [{}])[0]
    title = d.get("title", d.get("name", "cotw"))
    events_html, events_css, drawn = timeline.render(ctx.tables.get("events"), ctx.tables.get("statements"), ctx.tables.get("people"), prov)
    svg = figures.matrix(ctx.tables)
    wide = re.match(r'<svg [^>]*\bwidth="(\d+)"', svg)
    # the matrix scrolls below its own width (and the body's margins): only there is its hint shown
    matrix_css = f"@media screen and (max-width:{int(wide.group(1)) + 48}px){{#matrix-hint{{display:block}}}}" if wide else ""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)} — downloads</title>", f"<style>{CSS}{events_css}{matrix_css}</style>", "</head>", "<body>",
           "<main>", f"<h1>{e(title)}</h1>",
           f'<p class="meta">Version <strong id="version">{e(ctx.version)}</strong> · licence '
           f'<strong>{e(lic.get("title") or lic.get("name", ""))}</strong> ({e(lic.get("name", ""))}{", " + e(lic["path"]) if lic.get("path") else ""})</p>',
           f"<p>{e(d.get('description', ''))}</p>",
           '<nav aria-label="On this page"><p class="nav">On this page: <a href="#downloads">downloads</a> · <a href="#countries">countries</a> · '
           '<a href="#positions">matrix</a> · <a href="#timeline-title">timeline</a> · <a href="#sources">sources</a></p></nav>',
           '<h2 id="install">Install</h2>', INSTALL,
           "<h2>How to cite</h2>", f"<pre>{e(citation(ctx))}</pre>",
           "<p>Cite also the archived sources (table <code>sources</code>, and below) for the facts you use.</p>",
           '<h2 id="downloads">Downloads</h2>']
    if whole:
        out.append('<p class="whole">' + " ".join(f'<a href="{e(p)}">{e(label)}</a>' for label, p in whole) + "</p>")
    out += ['<div class="scroll"><table class="files"><thead><tr><th>table</th><th>description</th><th>rows</th>'
            + "".join(f"<th>{e(lab)}</th>" for lab in labels) + "</tr></thead><tbody>"]
    for n in names:
        t = ctx.tables[n]
        cells = "".join(f'<td><a href="{e(per[n][lab])}">{e(per[n][lab].rsplit("/", 1)[-1])}</a></td>' if lab in per[n] else "<td></td>"
                        for lab in labels)
        out.append(f'<tr id="table-{e(n)}"><td><code>{e(n)}</code></td><td>{e(t.resource.get("description", ""))}</td>'
                   f'<td class="n">{t.rows}</td>{cells}</tr>')
    derived = getattr(ctx, "summary", None)
    if derived is not None:  # the summary is derived by code, not a table of the data package: say so on its row
        from . import summary

        mine = {}
        for fmt in ctx.formats:
            got = summary.files(fmt)
            if fmt == "csv" and got:
                mine["CSV"] = got[0]
            elif fmt == "parquet" and got:
                mine["Parquet"] = got[0]
            elif fmt == "json" and got:
                mine["JSON"], mine["JSON Lines"] = got[0], got[1]
        cells = "".join(f'<td><a href="{e(mine[lab])}">{e(mine[lab].rsplit("/", 1)[-1])}</a></td>' if lab in mine else "<td></td>"
                        for lab in labels)
        out.append(f'<tr id="table-derived-summary"><td><code>summary</code> (derived)</td><td>{e(summary.DESCRIPTION)}</td>'
                   f'<td class="n">{derived.rows}</td>{cells}</tr>')
    out.append("</tbody></table></div>")
    table = countries.overview(ctx.tables, summ, rows)
    if table:
        out += ['<h2 id="countries">Countries and organisations</h2>',
                "<p>Each has its own page with its positions, conditions, contributions and quotations, each with its "
                "evidence, date, basis and a link to the words in the archived source. The latest position is derived "
                "by code from the dated observations (<code>cotw.summary()</code>); <em>unplaced</em> means the texts do "
                "not say which observation came last.</p>", SCROLL_HINT.format(id="countries-hint", what="table", col="column"), table]
    if svg:
        out += ['<h2 id="positions">Positions by country</h2>', "<figure>",
                SCROLL_HINT.format(id="matrix-hint", what="matrix", col="column and the legend"),
                '<div class="scroll" role="region" aria-label="The matrix (scrolls sideways when wider than the screen)" '
                'aria-describedby="matrix-hint" tabindex="0">', svg, "</div>",
                "<figcaption>One row per country or organisation (its name links to its page). The first column has one "
                "stripe per report of its stance on sending its own troops. Circles are the conditions it sets, filled by "
                "the firmest stance held, with the number of distinct facts when more than one; squares are contributions "
                "by kind, one stripe per fact, coloured by commitment. A dashed outline is known only from an analyst's "
                "forecast. Hover a mark for the evidence; the country pages give it in full.</figcaption>", "</figure>"]
    if events_html:
        out += ['<h2 id="timeline-title">Timeline of events and dated quotations</h2>',
                f"<p>{drawn} events and quotations placed in time, each labelled with its date as the texts allow it; "
                "follow a label for the event's reports and their words in the sources.</p>", events_html]
    if prov.sources:
        out += ['<h2 id="sources">Sources, and how much of each the data uses</h2>',
                "<p>Every archived text has its own page, with every piece of evidence and every quotation highlighted "
                "and linked to the rows it supports. The bar shows where in the text the data draws from.</p>",
                '<ul class="sources">']
        for s in prov.sources.values():
            out.append(f'<li><a href="{e(s.page)}">{e(s.title)}</a> <span class="muted">({e(s.source_id)})</span><br>'
                       f"{coverage_bar(s)} {s.share:.0%} of its text used by {sum(len(x.rows) for x in s.spans)} rows</li>")
        out.append("</ul>")
    out += ["</main>", f'<footer><p class="meta">Generated by <code>cotw export</code> from version {e(ctx.version)} of the data.</p></footer>',
            "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write(ctx) -> list[str]:
    """index.html, and in pages/ a page per archived source and a page per country."""
    from . import countries, viewer
    from .rows import Rows

    prov = viewer.locate(ctx.pkg, ctx.tables)
    rows = Rows(ctx.tables)
    # the summary the downloads carry (derived/summary.*), computed once per export; without it (an export
    # without validation of a table that lacks what the summary reads), as cotw.summary() gives it
    summ = ctx.summary.frame if getattr(ctx, "summary", None) is not None else countries.summary(ctx.pkg, ctx.tables)
    written = [PAGE]
    ctx.path(PAGE).write_text(render(ctx, prov, rows, summ), encoding="utf-8", newline="\n")
    for source in prov.sources.values():
        html = viewer.page(source, ctx.tables, rows.describe, rows.home, CSS, ctx.version)
        ctx.path(source.page).write_text(html, encoding="utf-8", newline="\n")
        written.append(source.page)
    written += countries.write(ctx, prov, rows, CSS, summ)
    return written
