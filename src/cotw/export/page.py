"""The download page, `index.html`: what the dataset is, its version, licence and how to cite it; every
table with its row count and a link to its file in each exported format; and the pictures of the
positions (see figures.py). Self-contained: inline CSS and SVG, relative links, no script, no network,
so it works opened from disk.
"""
from __future__ import annotations

from html import escape

from . import figures

PAGE = "index.html"

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:1120px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555}code,pre{font:13px ui-monospace,Menlo,Consolas,monospace;background:#f5f5f5}
pre{padding:.8em;overflow-x:auto;white-space:pre-wrap}
table.files{border-collapse:collapse;width:100%}table.files th,table.files td{border-bottom:1px solid #e3e3e3;padding:.35em .5em;text-align:left;vertical-align:top}
table.files td.n{text-align:right;font-variant-numeric:tabular-nums}table.files th{background:#fafafa}
.whole a{margin-right:1.2em}figure{margin:1em 0;overflow-x:auto}figcaption{color:#555;font-size:.9em}
svg text{font:11px system-ui,sans-serif;fill:#222}svg .group{font-weight:600}svg .lg-title{font-weight:600}
svg .stripe{fill:#f6f6f6}svg .grid{stroke:#e6e6e6}svg .sep{stroke:#ccc}svg .tick{fill:#666}svg .lane{font-weight:600}
"""

FORMAT_LABELS = {"csv": "CSV", "parquet": "Parquet", "json": "JSON", "jsonl": "JSON Lines"}


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


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


def render(ctx) -> str:
    d = ctx.pkg.descriptor
    names = list(ctx.tables)
    per, whole = links(ctx.formats, names)
    labels = [lab for lab in ("CSV", "Parquet", "JSON", "JSON Lines") if any(lab in per[n] for n in names)]
    lic = (d.get("licenses") or [{}])[0]
    title = d.get("title", d.get("name", "cotw"))
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)} — downloads</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>{e(title)}</h1>",
           f'<p class="meta">Version <strong id="version">{e(ctx.version)}</strong> · licence '
           f'<strong>{e(lic.get("title") or lic.get("name", ""))}</strong> ({e(lic.get("name", ""))}{", " + e(lic["path"]) if lic.get("path") else ""})</p>',
           f"<p>{e(d.get('description', ''))}</p>",
           "<h2>How to cite</h2>", f"<pre>{e(citation(ctx))}</pre>",
           "<p>Cite also the archived sources (table <code>sources</code>) for the facts you use. In Python: "
           "<code>pip install cotw</code>, then <code>cotw.load(\"statements\")</code>.</p>",
           '<h2 id="downloads">Downloads</h2>']
    if whole:
        out.append('<p class="whole">' + " ".join(f'<a href="{e(p)}">{e(label)}</a>' for label, p in whole) + "</p>")
    out += ['<table class="files"><thead><tr><th>table</th><th>description</th><th>rows</th>'
            + "".join(f"<th>{e(lab)}</th>" for lab in labels) + "</tr></thead><tbody>"]
    for n in names:
        t = ctx.tables[n]
        cells = "".join(f'<td><a href="{e(per[n][lab])}">{e(per[n][lab].rsplit("/", 1)[-1])}</a></td>' if lab in per[n] else "<td></td>"
                        for lab in labels)
        out.append(f'<tr id="table-{e(n)}"><td><code>{e(n)}</code></td><td>{e(t.resource.get("description", ""))}</td>'
                   f'<td class="n">{t.rows}</td>{cells}</tr>')
    out.append("</tbody></table>")
    svg = figures.matrix(ctx.tables)
    if svg:
        out += ['<h2 id="positions">Positions by country</h2>', "<figure>", svg,
                "<figcaption>One row per country or organisation; the first column is its stance on sending troops. "
                "Circles are the conditions it sets (filled by how the condition is known); squares are contributions "
                "by kind, split when there are several, coloured by status. Hover a mark for the evidence.</figcaption>",
                "</figure>"]
    svg, undated = figures.timeline(ctx.tables)
    if svg:
        out += ['<h2 id="timeline-title">Timeline of events and statements</h2>', "<figure>", svg,
                "<figcaption>Points are dated to the day; bars span the month or year when that is all the source allows. "
                f"{undated} rows without a known date are not shown.</figcaption>", "</figure>"]
    out += [f'<p class="meta">Generated by <code>cotw export</code> from version {e(ctx.version)} of the data.</p>', "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write(ctx) -> list[str]:
    ctx.path(PAGE).write_text(render(ctx), encoding="utf-8", newline="\n")
    return [PAGE]
