"""The two pictures of the download page, as inline SVG (no script, no network):

- the position matrix: one row per country (the `countries` table), a column of its own-troops
  position reports, and one column per condition code and per contribution kind (the vocabularies of `conditions.condition` and `contributions.kind`),
  cells marked from the `conditions` and `contributions` rows, each with a tooltip;
- the timeline: events and statements whose EDTF date has both bounds, drawn as a point for a day
  and as a bar from the earliest to the latest day otherwise.
"""
from __future__ import annotations

import datetime as dt
from html import escape

from ..dates import bounds
from .frames import vocabulary

CELL = 20
LABEL = 190

STANCE = {"committed": "#1b7837", "willing": "#5aae61", "undecided": "#fee08b", "ruled_out": "#d73027"}
STATUS = {"committed": "#1b7837", "offered": "#7fbf7b", "considered": "#f1a340", "ruled_out": "#b2182b"}
BASIS = {"official_statement": "#222222", "reported_position": "#777777", "analyst_assessment": "#ffffff"}
OTHER = "#999999"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not strftime: locale-free


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


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
    cond_rows = _rows(conditions, "condition_id", "country", "condition", "stance", "basis", "evidence")
    contrib_rows = _rows(contributions, "contribution_id", "country", "kind", "commitment", "basis", "description")
    people = _rows(countries, "code", "name")
    columns = [("stance", "own troops", "")] + [("condition", c, d) for c, d in codes] + [("kind", k, d) for k, d in kinds]
    longest = max(len(code) for _, code, _ in columns)
    head = 34 + int(longest * 6.2 * 0.87)  # rotated -60°: the longest code must clear the group labels
    gap = CELL // 2
    xs, x = [], LABEL
    for i, (group, _, _) in enumerate(columns):
        if i and group != columns[i - 1][0]:
            x += gap
        xs.append(x)
        x += CELL
    width = x + 220
    height = head + CELL * len(people) + 20
    legend_height = 16 * (len(STATUS) + len(BASIS) + len(STANCE)) + 110
    height = max(height, legend_height)
    out = [f'<svg id="matrix" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="Positions by country: conditions and contributions">',
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
        out.append(f'<text x="{LABEL - 8}" y="{y + CELL - 6}" text-anchor="end">{e(c["name"])} ({e(c["code"])})</text>')
        seen = [h for h in stance_rows if h["country"] == c["code"]]
        if seen:  # every observation of the country's own-troops position, one stripe each (see the summary for the latest)
            w = (CELL - 2) / len(seen)
            tip = "\n".join(f'{h["position_id"]}: {h["value"]} ({h["date"] or "undated"}, {h["basis"]}): {h["evidence"]}' for h in seen)
            out.append(f'<g class="mark"><title>{e(c["name"])}: own troops\n{e(tip)}</title>')
            for j, h in enumerate(seen):
                out.append(f'<rect x="{xs[0] + 1 + j * w:.2f}" y="{y + 1}" width="{w:.2f}" height="{CELL - 2}" fill="{STANCE.get(h["value"], OTHER)}"/>')
            out.append('</g>')
        for i, (group, code, _) in enumerate(columns[1:], start=1):
            cx = xs[i]
            if group == "condition":
                hits = [h for h in cond_rows if h["country"] == c["code"] and h["condition"] == code]
                if hits:
                    tip = "\n".join(f'{h["condition_id"]}: {h["stance"]}, {h["basis"]}: {h["evidence"]}' for h in hits)
                    out.append(f'<circle cx="{cx + CELL / 2}" cy="{y + CELL / 2}" r="{CELL / 2 - 4}" fill="{BASIS.get(hits[0]["basis"], OTHER)}" '
                               f'stroke="#222" stroke-width="1.5" class="mark"><title>{e(c["name"])}: condition {e(code)}\n{e(tip)}</title></circle>')
            else:
                hits = [h for h in contrib_rows if h["country"] == c["code"] and h["kind"] == code]
                if hits:
                    tip = "\n".join(f'{h["contribution_id"]}: {h["commitment"]} ({h["basis"]}): {h["description"]}' for h in hits)
                    w = (CELL - 2) / len(hits)
                    out.append(f'<g class="mark"><title>{e(c["name"])}: {e(code)}\n{e(tip)}</title>')
                    for j, h in enumerate(hits):
                        out.append(f'<rect x="{cx + 1 + j * w:.2f}" y="{y + 1}" width="{w:.2f}" height="{CELL - 2}" fill="{STATUS.get(h["commitment"], OTHER)}"/>')
                    out.append('</g>')
        out.append("</g>")
    lx = x + 20
    parts, ly = _legend(lx, 14, "contribution commitment", STATUS, "rect")
    out += parts
    parts, ly = _legend(lx, ly + 26, "condition basis", BASIS, "circle")
    out += parts
    parts, ly = _legend(lx, ly + 26, "own troops (each report)", STANCE, "rect")
    out += parts
    out.append("</svg>")
    return "\n".join(out)


def timeline(tables: dict) -> tuple[str, int]:
    """Dated events and statements on a time axis as an <svg id="timeline">, and how many rows had no date."""
    items, undated = [], 0
    lanes = []
    if tables.get("events") is not None:
        lanes.append("events")
        for r in _rows(tables["events"], "event_id", "name", "kind", "date", "place"):
            items.append(("events", r["date"], f'{r["event_id"]} {r["name"]} ({r["kind"]}{", " + r["place"] if r["place"] else ""})'))
    if tables.get("statements") is not None:
        lanes.append("statements")
        for r in _rows(tables["statements"], "statement_id", "speaker_label", "country", "said", "quote"):
            who = (r["speaker_label"] or "") + (f' ({r["country"]})' if r["country"] else "")
            items.append(("statements", r["said"], f'{r["statement_id"]} {who}: “{r["quote"]}”'))
    spans = []
    for lane, edtf, label in items:
        a, b = bounds(edtf) if edtf else (None, None)
        if a is None or b is None:  # no date, or open at one end: not drawn as if it were known
            undated += 1
            continue
        spans.append((lane, a, b, edtf, "day" if a == b else "range", label))
    if not spans:
        return "", undated
    start = min(s[1] for s in spans).replace(day=1)
    end_ = max(s[2] for s in spans)
    end = dt.date(end_.year + (end_.month == 12), end_.month % 12 + 1, 1)
    left, plot = 100, 760
    days = max((end - start).days, 1)

    def px(d: dt.date) -> float:
        return left + plot * (d - start).days / days

    out_rows, y = [], 40
    body = []
    for lane in lanes:
        packed: list[list[float]] = []  # rows of the lane, each the right edge of its last mark
        marks = sorted((s for s in spans if s[0] == lane), key=lambda s: (s[1], s[2], s[5]))
        placed = []
        for _, a, b, d, p, label in marks:
            x0, x1 = px(a), max(px(b + dt.timedelta(days=1)), px(a) + 8)
            row = next((i for i, edge in enumerate(packed) if edge <= x0 - 2), None)
            if row is None:
                packed.append(x1)
                row = len(packed) - 1
            packed[row] = x1
            placed.append((row, x0, x1, d, p, label))
        n = max(len(packed), 1)
        body.append(f'<text x="{left - 8}" y="{y + 12}" text-anchor="end" class="lane">{lane}</text>')
        body.append(f'<line x1="{left}" x2="{left + plot}" y1="{y + n * 14 + 4}" y2="{y + n * 14 + 4}" class="sep"/>')
        colour = "#2166ac" if lane == "events" else "#b35806"
        for row, x0, x1, d, p, label in placed:
            yy = y + row * 14
            tip = f"{d}\n{label}"
            if p == "day":
                body.append(f'<circle cx="{x0 + 4:.2f}" cy="{yy + 7}" r="4.5" fill="{colour}" class="mark"><title>{e(tip)}</title></circle>')
            else:
                body.append(f'<rect x="{x0:.2f}" y="{yy + 3}" width="{x1 - x0:.2f}" height="8" rx="4" fill="{colour}" fill-opacity="0.35" '
                            f'stroke="{colour}" class="mark"><title>{e(tip)}</title></rect>')
        y += n * 14 + 16
    months = (end.year - start.year) * 12 + end.month - start.month
    every = next(k for k in (1, 2, 3, 6, 12, 24, 60, 120, 10**6) if months / k <= 12)  # at most a dozen labels
    ticks, d, i = [], start, 0
    while d <= end:
        if i % every == 0:
            x = px(d)
            ticks.append(f'<line x1="{x:.2f}" x2="{x:.2f}" y1="30" y2="{y}" class="grid"/>')
            ticks.append(f'<text x="{x:.2f}" y="24" text-anchor="middle" class="tick">{MONTHS[d.month - 1]} {d.year}</text>')
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        i += 1
    height = y + 10
    width = left + plot + 30
    out_rows = [f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                f'role="img" aria-label="Timeline of dated events and statements">', "<title>Timeline of dated events and statements</title>"]
    return "\n".join(out_rows + ticks + body + ["</svg>"]), undated
