"""The position matrix of the download page, as inline SVG (no script, no network): one row per
country or organisation (the `countries` table, each label a link to its page, rows in the order of
those labels, as a reader looks a name up), a column of its
own-troops position reports, and one column per condition code and per contribution kind (the
vocabularies of `conditions.condition` and `contributions.kind`). Forecasts are kept apart, as in
the cookbook: a cell known only from an analyst's forecast is a dashed outline. Conditions are
counted as facts (`fact_id`), filled by the firmest stance held; contributions are one stripe per
fact, coloured by commitment. Every mark has a tooltip; the country pages give the words.
(The timeline is timeline.py.)
"""
from __future__ import annotations


from .frames import vocabulary
from .markup import plain
from .viewer import e

CELL = 20

STANCE = {"committed": "#1b7837", "willing": "#5aae61", "undecided": "#fee08b", "ruled_out": "#d73027"}
STATUS = {"provided": "#1b7837", "pledged": "#5aae61", "offered": "#a6dba0", "considered": "#f1a340", "ruled_out": "#b2182b"}
HELD = {"requires": "#222222", "prefers": "#999999", "reason_against": "#d73027", "not_required": "#ffffff"}  # firmest first
FORECAST = "analyst_forecast"
OTHER = "#999999"




def _vocab(table, field: str) -> list[tuple[str, str]]:
    """(value, definition) of a controlled vocabulary, from the Table Schema."""
    for f in table.fields:
        if f["name"] == field:
            labels = dict(vocabulary(f))
            return [(str(v), labels.get(str(v), "")) for v in f.get("constraints", {}).get("enum", [])]
    return []


def _col(table, name: str) -> list:
    return table.columns.get(name, [None] * table.rows)


def _rows(table, *cols: str) -> list[dict]:
    return [dict(zip(cols, vals)) for vals in zip(*(_col(table, c) for c in cols))] if table else []


def _legend(x: int, y: int, title: str, colours: dict[str, str], shape: str) -> tuple[list[str], int]:
    out = [f'<text x="{x}" y="{y}" class="lg-title">{e(title)}</text>']
    y += 6
    for value, colour in colours.items():
        y += 16
        if shape == "circle":
            out.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{colour}" stroke="#222"/>')
        else:
            out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}" stroke="#888"/>')
        out.append(f'<text x="{x + 18}" y="{y}">{e(value)}</text>')
    return out, y


def matrix(tables: dict) -> str:
    """The country × condition / contribution matrix as an <svg id="matrix">; empty when a table is missing."""
    countries, conditions, contributions = (tables.get(n) for n in ("countries", "conditions", "contributions"))
    if countries is None or conditions is None or contributions is None:
        return ""
    codes, kinds = _vocab(conditions, "condition"), _vocab(contributions, "kind")
    positions = tables.get("positions")
    stance_rows = [r for r in _rows(positions, "position_id", "country", "issue", "value", "date", "basis", "evidence")
                   if r["issue"] == "own_troops"] if positions is not None else []
    cond_rows = _rows(conditions, "condition_id", "fact_id", "country", "condition", "stance", "basis", "evidence")
    contrib_rows = _rows(contributions, "contribution_id", "fact_id", "country", "kind", "scope", "commitment", "basis", "description")
    from .countries import collate

    # in the order of the labels shown, "name (code)", as a reader looks a name up (not by code)
    people = sorted(_rows(countries, "code", "name"), key=lambda c: collate(f'{c["name"] or ""} ({c["code"] or ""})'))
    # grouped once by country (and condition or kind), so that each cell of the matrix looks only at its own rows
    stance_of, cond_of, contrib_of = {}, {}, {}
    for h in stance_rows:
        stance_of.setdefault(h["country"], []).append(h)
    for h in cond_rows:
        cond_of.setdefault((h["country"], h["condition"]), []).append(h)
    for h in contrib_rows:
        contrib_of.setdefault((h["country"], h["kind"]), []).append(h)
    from .countries import page_of

    columns = [("stance", "own troops", "")] + [("condition", c, d) for c, d in codes] + [("kind", k, d) for k, d in kinds]
    longest = max(len(code) for _, code, _ in columns)
    label_width = 16 + int(6.4 * max((len(f'{c["name"]} ({c["code"]})') for c in people), default=10))  # 11px text
    head = 34 + int(longest * 6.2 * 0.87)  # rotated -60°: the longest code must clear the group labels
    gap = CELL // 2
    xs, x = [], label_width
    for i, (group, _, _) in enumerate(columns):
        if i and group != columns[i - 1][0]:
            x += gap
        xs.append(x)
        x += CELL
    width = x + 220
    height = head + CELL * len(people) + 20
    legend_height = 16 * (len(STATUS) + len(HELD) + len(STANCE)) + 140
    height = max(height, legend_height)
    out = [f'<svg id="matrix" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="group" aria-label="Positions by country: conditions and contributions">',  # a group: it holds links
           '<title>Positions by country: conditions and contributions</title>']
    first_cond = next(i for i, c in enumerate(columns) if c[0] == "condition") if codes else None
    first_kind = next(i for i, c in enumerate(columns) if c[0] == "kind") if kinds else None
    if first_cond is not None:
        out.append(f'<text x="{xs[first_cond]}" y="14" class="group">conditions →</text>')
    if first_kind is not None:
        out.append(f'<text x="{xs[first_kind]}" y="14" class="group">contributions →</text>')
    for (group, code, definition), cx in zip(columns, xs):
        tx, ty = cx + CELL // 2 + 4, head - 6
        out.append(f'<text class="colhead" transform="translate({tx},{ty}) rotate(-60)">{e(code)}'
                   f'<title>{e(code)}{": " + e(definition) if definition else ""}</title></text>')
    for r, c in enumerate(people):
        y = head + r * CELL
        out.append(f'<g class="row" data-country="{e(c["code"])}">')
        if r % 2:
            out.append(f'<rect x="0" y="{y}" width="{x}" height="{CELL}" class="stripe"/>')
        label = f'<text x="{label_width - 8}" y="{y + CELL - 6}" text-anchor="end">{e(c["name"])} ({e(c["code"])})</text>'
        page = page_of(c["code"])
        out.append(f'<a href="{e(page)}">{label}</a>' if page else label)
        seen = stance_of.get(c["code"], [])
        if seen:  # every observation of the country's own-troops position, one stripe each (see the summary for the latest)
            w = (CELL - 2) / len(seen)
            tip = "\n".join(f'{h["position_id"]}: {h["value"]} ({h["date"] or "undated"}, {h["basis"]}): {plain(h["evidence"])}' for h in seen)
            out.append(f'<g class="mark"><title>{e(c["name"])}: own troops\n{e(tip)}</title>')
            for j, h in enumerate(seen):
                dashed = ' stroke="#222" stroke-dasharray="2 1.5"' if h["basis"] == FORECAST else ""
                out.append(f'<rect x="{xs[0] + 1 + j * w:.2f}" y="{y + 1}" width="{w:.2f}" height="{CELL - 2}" fill="{STANCE.get(h["value"], OTHER)}"{dashed}/>')
            out.append('</g>')
        for i, (group, code, _) in enumerate(columns[1:], start=1):
            cx = xs[i]
            if group == "condition":
                hits = cond_of.get((c["code"], code), [])
                if hits:
                    held = [h for h in hits if h["basis"] != FORECAST]
                    tip = "\n".join(f'{h["condition_id"]}: {h["stance"]}, {h["basis"]}: {plain(h["evidence"])}' for h in hits)
                    if held:
                        firm = min(held, key=lambda h: list(HELD).index(h["stance"]) if h["stance"] in HELD else len(HELD))
                        n = len({h["fact_id"] or h["condition_id"] for h in held})
                        fill, style = HELD.get(firm["stance"], OTHER), ""
                    else:
                        n, fill, style = 0, "#ffffff", ' stroke-dasharray="2 1.5"'
                    out.append(f'<g class="mark"><title>{e(c["name"])}: condition {e(code)}\n{e(tip)}</title>'
                               f'<circle cx="{cx + CELL / 2}" cy="{y + CELL / 2}" r="{CELL / 2 - 3}" fill="{fill}" stroke="#222" stroke-width="1.2"{style}/>'
                               + (f'<text x="{cx + CELL / 2}" y="{y + CELL / 2 + 3.5}" text-anchor="middle" class="count" '
                                  f'fill="{"#fff" if fill in ("#222222", "#d73027") else "#222"}">{n}</text>' if n > 1 else "")
                               + "</g>")
            else:
                hits = contrib_of.get((c["code"], code), [])
                if hits:
                    tip = "\n".join(f'{h["contribution_id"]}: {h["commitment"]}, {h["scope"]} ({h["basis"]}): {h["description"]}' for h in hits)
                    held = list({(h["fact_id"] or h["contribution_id"]): h for h in hits if h["basis"] != FORECAST}.values())
                    out.append(f'<g class="mark"><title>{e(c["name"])}: {e(code)}\n{e(tip)}</title>')
                    if held:
                        w = (CELL - 2) / len(held)
                        for j, h in enumerate(held):
                            out.append(f'<rect x="{cx + 1 + j * w:.2f}" y="{y + 1}" width="{w:.2f}" height="{CELL - 2}" fill="{STATUS.get(h["commitment"], OTHER)}"/>')
                    else:
                        out.append(f'<rect x="{cx + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" fill="#ffffff" stroke="#222" stroke-dasharray="2 1.5"/>')
                    out.append('</g>')
        out.append("</g>")
    lx = x + 20
    parts, ly = _legend(lx, 14, "contribution commitment", STATUS, "rect")
    out += parts
    parts, ly = _legend(lx, ly + 26, "condition (firmest stance held)", HELD, "circle")
    out += parts
    parts, ly = _legend(lx, ly + 26, "own troops (each report)", STANCE, "rect")
    out += parts
    out.append(f'<rect x="{lx}" y="{ly + 16}" width="12" height="12" fill="#fff" stroke="#222" stroke-dasharray="2 1.5"/>'
               f'<text x="{lx + 18}" y="{ly + 26}">analyst forecast only</text>')
    out.append("</svg>")
    return "\n".join(out)


