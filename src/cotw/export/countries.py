"""A page per country or organisation, `pages/country-<code>.html`: the derived summary of its positions
(`cotw.derived.summarise`, as `cotw.summary()` gives it: latest value, how it is placed, every value
seen, change and disagreement, forecast), then every position, condition, contribution and quotation
of it (grouped, each group oldest first, undated last), each with its evidence, date, basis and source,
and a link to its highlighted span in the source viewer (viewer.py). The index's table of countries
lists states, then organisations, then the rest, each by name (`collate`). Rows are cards, not wide tables, so they reflow on a phone and print whole.
"""
from __future__ import annotations

from .markup import html
from .viewer import e

FOLDER = "pages"  # beside the source viewer's pages (viewer.py)
SECTIONS = (  # (table, heading, how the cards of a table are grouped)
    ("positions", "Positions", "issue"),
    ("conditions", "Conditions", "stance"),
    ("contributions", "Contributions", "scope"),
    ("statements", "Quotations", None),
)


def collate(text) -> tuple[str, str]:
    """The key that orders names as a reader looks them up: accents and case aside ("Türkiye" between
    "Sweden" and "Ukraine"), then as printed, so that the order is total."""
    import unicodedata

    text = "" if text is None else str(text)
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return bare.casefold(), text


def page_of(code) -> str | None:
    from .paths import page_stem

    name = page_stem(code, upper=True)
    return f"{FOLDER}/country{name}.html" if name else None


def summary(pkg, tables: dict):
    """The derived per-country summary (the frame `cotw.summary()` returns), or None without positions."""
    needed = {"position_id", "fact_id", "country", "issue", "value", "date", "basis", "source_id"}
    if "positions" not in tables or not needed <= {f["name"] for f in tables["positions"].fields}:
        return None  # (only an export without validation gets here with such a table)
    from ..derived import summarise
    from ..io.loader import load_table

    return summarise(load_table(pkg, "positions"), load_table(pkg, "sources") if "sources" in tables else None,
                     load_table(pkg, "events") if "events" in tables else None)


def _sort_key(r: dict):
    from ..dates import DateError, bounds

    when = r.get("date") or r.get("said")
    try:
        a, b = bounds(when) if when else (None, None)
    except DateError:
        a = b = None
    start = a or b
    return (start is None, start.isoformat() if start else "", r.get("_id") or "")


def _card(table: str, r: dict, rid: str, prov, rows) -> str:
    words = r.get("quote") if table == "statements" else r.get("evidence")
    href = prov.href(table, rid, "../")
    where = f'<a href="{e(href)}" class="span-link">the words in the source ↗</a>' if href else '<span class="muted">(words not located)</span>'
    date = r.get("said") if table == "statements" else r.get("date")
    basis = r.get("said_basis") if table == "statements" else r.get("date_basis")
    if table == "positions":
        what = f'<strong>{e(r.get("value"))}</strong> on {e(r.get("issue"))}'
    elif table == "conditions":
        what = f'<strong>{e(r.get("stance"))}</strong> {e(r.get("condition"))} <span class="muted">for {e(r.get("applies_to"))}</span>'
    elif table == "contributions":
        what = (f'<strong>{e(r.get("kind"))}</strong>, {e(r.get("commitment"))} <span class="muted">({e(r.get("scope"))})</span>'
                f'<br>{e(r.get("description"))}')
    else:
        what = f'<strong>{e(r.get("speaker_label"))}</strong>'
    who = r.get("basis") or r.get("speaker_kind")
    speaker = rows.get("people", r.get("speaker_id")).get("name") or r.get("speaker_id") if table != "statements" and r.get("speaker_id") else None
    fact = r.get("fact_id")
    facts = ""
    if fact not in (None, rid):  # a link only where the group's row is on this page
        here = rows.get(table, fact).get("country") == r.get("country")
        facts = f' · same fact as <a href="#{e(fact)}">{e(fact)}</a>' if here else f" · same fact as {e(fact)}"

    return (f'<article class="card" id="{e(rid)}"><p class="what">{what}</p>'
            f'<p class="facts"><code>{e(rid)}</code> · {e(date or "undated")} · {e(who)}'
            f'{" · " + e(speaker) if speaker else ""} · <a href="../{e(prov.sources[r["source_id"]].page) if r.get("source_id") in prov.sources else "index.html"}">{e(r.get("source_id"))}</a>{facts}</p>'
            f'<blockquote>{html(words)}</blockquote>'
            f'<p class="when muted">Date: {e(basis)}</p>'
            f'<p>{where}</p></article>')


def _summary_by_country(summ) -> dict[str, list[dict]]:
    """The summary's rows grouped by country once (not filtered again for every country's page)."""
    out: dict[str, list[dict]] = {}
    for r in ([] if summ is None else summ.to_dict("records")):
        out.setdefault(r.get("country"), []).append(r)
    return out


def _summary_table(mine: list[dict], code: str, prov) -> list[str]:
    if not mine:
        return []
    cols = ("issue", "headline", "headline_by", "headline_dates", "latest_value", "latest_by", "latest_date", "values", "reports", "facts",
            "sources", "changed", "disagree", "forecast")
    out = ['<h2 id="summary">Summary (derived)</h2>',
           '<p class="muted">Derived by code from the positions below (as <code>cotw.summary()</code>), never curated: the headline '
           '(the strongest value the current observations all allow, or every value where they disagree), the observation '
           'placed latest, how it is placed (<code>date</code>: every other value ends before it; <code>unplaced</code>: '
           'the texts do not say which came last), every value seen, and whether the sources disagree.</p>',
           '<div class="scroll"><table class="grid"><thead><tr>' + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr></thead><tbody>"]
    for r in mine:
        cells = []
        for c in cols:
            v = r.get(c)
            v = None if v is None or v != v else v
            if c == "latest_value" and v and r.get("latest_position_id"):
                cells.append(f'<td><a href="#{e(r["latest_position_id"])}">{e(v)}</a></td>')
            elif c in ("changed", "disagree"):
                cells.append(f'<td class="{"flag" if v else ""}">{"yes" if v else "no"}</td>')
            else:
                cells.append(f"<td>{e('' if v is None else v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return out


def render(code: str, country: dict, tables: dict, summ, prov, rows, css: str, version: str,
           summ_by: dict[str, list[dict]] | None = None) -> str:
    """One country's page; `summ_by` is `_summary_by_country(summ)` when the caller renders many pages."""
    name = country.get("name") or code
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(name)} — positions, conditions, contributions</title>", f"<style>{css}</style>", "</head>", "<body>",
           '<nav aria-label="The dataset"><p class="nav"><a href="../index.html">← the dataset</a> · '
           '<a href="../index.html#countries">all countries</a></p></nav>',
           "<main>", f"<h1>{e(name)} <span class=\"muted\">({e(code)})</span></h1>",
           f'<p class="meta">{e(country.get("kind"))}'
           + (f' · EU member: {"yes" if country.get("eu_member") else "no"}' if country.get("eu_member") is not None else "")
           + "</p>"]
    out += _summary_table((summ_by if summ_by is not None else _summary_by_country(summ)).get(code, []), code, prov)
    for table, heading, group in SECTIONS:
        mine = rows.by_country(table).get(code, [])
        if not mine:
            continue
        out.append(f'<h2 id="{table}">{heading} ({len(mine)})</h2>')
        groups: dict = {}
        for r in sorted(mine, key=_sort_key):
            groups.setdefault(r.get(group) if group else None, []).append(r)
        for value, members in groups.items():
            if group:
                out.append(f"<h3>{e(group)}: {e(value)} ({len(members)})</h3>")
            out += [_card(table, r, r["_id"], prov, rows) for r in members]
    out += ["</main>", f'<footer><p class="meta">Generated by <code>cotw export</code> from version {e(version)} of the data.</p></footer>',
            "</body>", "</html>"]
    return "\n".join(out) + "\n"


def overview(tables: dict, summ, rows) -> str:
    """The index's table of countries: each issue's headline (the strongest value the current observations all
    allow, or every value, labelled, where they disagree) with its dates, disagreement, counts, link to its page."""
    countries = tables.get("countries")
    if countries is None:
        return ""
    latest = {}
    disagreeing: dict = {}  # {country: [issue on which its sources disagree]}, so each row of the table looks once
    if summ is not None:
        for r in summ.to_dict("records"):
            latest[(r["country"], r["issue"])] = r
        for (c, i), s in latest.items():
            if bool(s.get("disagree")):
                disagreeing.setdefault(c, []).append(i)
    counts = {t: {} for t, _, _ in SECTIONS}
    for t in counts:
        for r in rows.table(t).values():
            counts[t][r.get("country")] = counts[t].get(r.get("country"), 0) + 1
    out = ['<div class="scroll" role="region" aria-label="Countries and organisations (scrolls sideways when wider than the screen)" '
           'aria-describedby="countries-hint" tabindex="0"><table class="grid" id="country-table"><thead><tr><th>country</th><th>own troops (headline)</th>'
           "<th>participation</th><th>deployment</th><th>sources disagree</th><th>positions</th><th>conditions</th><th>contributions</th><th>quotations</th>"
           "</tr></thead><tbody>"]
    for r in sorted((dict(zip([f["name"] for f in countries.fields], v)) for v in countries.records()),
                    key=lambda r: ({"state": 0, "organisation": 1}.get(r.get("kind"), 2), collate(r.get("name")), r.get("code") or "")):
        code, page = r.get("code"), page_of(r.get("code"))
        if page is None:
            continue

        def cell(issue, code=code, page=page):
            s = latest.get((code, issue))
            if not s or not isinstance(s.get("headline"), str):
                f = s.get("forecast") if s else None
                return f'<span class="muted">forecast: {e(f)}</span>' if isinstance(f, str) else ""
            head, dates = s["headline"], s.get("headline_dates")
            when = f' <span class="muted">({e(dates)})</span>' if isinstance(dates, str) else ""
            if s.get("headline_by") == "disagree":  # every value, plainly labelled: never a pick
                return f'<a href="{e(page)}#summary">sources disagree: {e(head.replace(";", " or "))}</a>{when}'
            return f'<a href="{e(page)}#summary">{e(head)}</a>{when}'

        disagree = disagreeing.get(code, [])
        out.append(f'<tr><td><a href="{e(page)}">{e(r.get("name"))}</a> <span class="muted">{e(code)}</span></td>'
                   f'<td>{cell("own_troops")}</td><td>{cell("participation")}</td><td>{cell("deployment")}</td>'
                   f'<td class="{"flag" if disagree else ""}">{e(", ".join(disagree)) if disagree else ""}</td>'
                   + "".join(f'<td class="n">{counts[t].get(code, 0) or ""}</td>' for t, _, _ in SECTIONS) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def write(ctx, prov, rows, css: str, summ) -> list[str]:
    countries = ctx.tables.get("countries")
    if countries is None:
        return []
    written = []
    summ_by = _summary_by_country(summ)
    for r in (dict(zip([f["name"] for f in countries.fields], v)) for v in countries.records()):
        page = page_of(r.get("code"))
        if page is None:
            continue
        ctx.path(page).write_text(render(r["code"], r, ctx.tables, summ, prov, rows, css, ctx.version, summ_by),
                                  encoding="utf-8", newline="\n")
        written.append(page)
    return written
