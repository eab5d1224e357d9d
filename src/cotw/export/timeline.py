"""The timeline of the download page, in HTML and CSS (no script, no SVG text to shrink): one line per
event fact (`events.fact_id`: the reports of one happening make one item, listing its reports),
each with a visible label (its date in words and a short name), in lanes by kind of event.

Dates are drawn as the bounds their EDTF allows, narrowed over the fact's reports (the latest
earliest day, the earliest latest day): a day is a point, a span a bar from its earliest to its latest
day, an "on or before" (`../2025-04-10`) a bar that fades out towards its unknown start, an "on or
after" one that fades towards its unknown end. The axis covers only what can be placed: a fact whose
bounds are wider than WIDEST days (a whole year) is listed apart instead of stretching the axis, and
so are undated facts. Below the lanes, every fact is listed in full with each report's evidence and a
link to its highlighted words in the source viewer. Lanes and lists run oldest first (`_order`), events
and quotations together. The month gridlines are drawn on screen only: printed, their 1px gradient
stops came out as heavy bars (the axis above each lane keeps its ticks).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from ..dates import DateError, bounds
from .markup import html, plain
from .viewer import e, short

WIDEST = 62  # days: a month or two can be drawn as a bar; a year or more would squeeze every day
LABEL = 72  # characters of an event's name in its label
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # locale-free
LANES = (  # (heading, event kinds): what belongs together
    ("Summits and meetings", ("summit", "ministerial", "military", "meeting")),
    ("Talks, calls, visits and press conferences", ("talks", "call", "visit", "press_conference")),
    ("Elections, announcements, polls and other", ("election", "announcement", "poll", "other")),
    ("Dated quotations", ("quotation",)),
)


@dataclass
class Fact:
    fact_id: str
    name: str
    kind: str
    reports: list[dict] = field(default_factory=list)
    table: str = "events"
    earliest: dt.date | None = None
    latest: dt.date | None = None

    @property
    def dates(self) -> str:
        return "; ".join(dict.fromkeys(r["date"] for r in self.reports if r.get("date"))) or "undated"

    @property
    def shape(self) -> str:
        if self.earliest is None and self.latest is None:
            return "undated"
        if self.earliest and self.latest:
            if self.earliest > self.latest:
                return "conflicting"
            if (self.latest - self.earliest).days > WIDEST:
                return "wide"
            return "day" if self.earliest == self.latest else "span"
        return "open-start" if self.earliest is None else "open-end"


def _day(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def when(a: dt.date | None, b: dt.date | None) -> str:
    """The bounds in words: '10 Apr 2025', 'Apr 2025', '8–10 May 2025', 'on or before 10 Apr 2025', ..."""
    if a and b:
        if a == b:
            return _day(a)
        last = calendar.monthrange(b.year, b.month)[1]
        if a.day == 1 and b.day == last and (a.year, a.month) == (b.year, b.month):
            return f"{MONTHS[a.month - 1]} {a.year}"
        if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31):
            return str(a.year) if a.year == b.year else f"{a.year}–{b.year}"
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {MONTHS[a.month - 1]} {a.year}"
        return f"{_day(a)} – {_day(b)}"
    if b:
        return f"on or before {_day(b)}"
    if a:
        return f"on or after {_day(a)}"
    return "undated"


def facts(table, kind: str = "events", people: dict | None = None) -> list[Fact]:
    """A table's rows as facts, each with its reports and the narrowest bounds they allow together:
    events grouped by `fact_id`, or (kind "statements") quotations grouped by `utterance_id`, each
    named by its speaker's normalised name (`people`: {person_id: name}) or else the label as printed."""
    if table is None:
        return []
    key_col, id_col, date_col = ("utterance_id", "statement_id", "said") if kind == "statements" else ("fact_id", "event_id", "date")
    cols = [f["name"] for f in table.fields]
    out: dict[str, Fact] = {}
    for r in (dict(zip(cols, v)) for v in table.records()):
        rid = r.get(id_col)
        key = r.get(key_col) or rid
        if kind == "statements":
            name, what = "", "quotation"  # named below, from its fullest report
        else:
            name, what = r.get("name") or key, r.get("kind") or "other"
        if key not in out or rid == key:  # the group's own row names it
            fact = out.setdefault(key, Fact(key, name, what, table=kind))
            fact.name, fact.kind = name, what
        fact = out[key]
        fact.reports.append(dict(r, _id=rid, date=r.get(date_col)))
        try:
            a, b = bounds(r[date_col]) if r.get(date_col) else (None, None)
        except DateError:
            a = b = None
        if a and (fact.earliest is None or a > fact.earliest):
            fact.earliest = a
        if b and (fact.latest is None or b < fact.latest):
            fact.latest = b
    if kind == "statements":  # an utterance is named by its fullest printed words
        for fact in out.values():
            r = max(fact.reports, key=lambda r: len(r.get("quote") or ""))
            who = (people or {}).get(r.get("speaker_id")) or short(r.get("speaker_label"), 40)
            fact.name = f'{who}: “{short(plain(r.get("quote")), 60)}”'
    return list(out.values())


def _order(f: Fact):
    start = f.earliest or f.latest
    return (start is None, start or dt.date.min, f.latest or dt.date.max, f.fact_id)


def _month_after(d: dt.date) -> int:
    """The day number (date.toordinal) of the first day of the month after d's; past 9999-12 too, where no date is."""
    if (d.year, d.month) == (9999, 12):
        return dt.date.max.toordinal() + 1
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1).toordinal()


def _months(lo: dt.date, hi: dt.date) -> list[dt.date]:
    out, d = [], dt.date(lo.year, lo.month, 1)
    while d <= hi:
        out.append(d)
        if (d.year, d.month) == (9999, 12):
            break
        d = dt.date.fromordinal(_month_after(d))
    return out


def _every(months: int) -> int:
    """Label every how many months, so that the axis shows at most about 9 labels, over any span of years."""
    k = next((k for k in (1, 2, 3, 6, 12, 24, 60) if months / k <= 9), None)
    return k if k is not None else 60 * -(-months // (9 * 60))


def render(events, statements, people, prov) -> tuple[str, str, int]:
    """(the timeline's HTML, the CSS of its grid lines, the number of items drawn); ('', '', 0) without events.
    Quotations are drawn in a lane of their own when their date can be placed, and otherwise left to
    the country pages (most are undated: listing them here would bury the events)."""
    all_facts = sorted(facts(events), key=_order)
    names = dict(zip(people.columns.get("person_id", []), people.columns.get("name", []))) if people is not None else {}
    said = [f for f in sorted(facts(statements, "statements", names), key=_order) if f.shape != "undated"]
    placed = [f for f in all_facts + said if f.shape in ("day", "span", "open-start", "open-end")]
    if not all_facts:
        return "", "", 0
    out = []
    css = ""
    if placed:
        lo = min((f.earliest or f.latest) for f in placed)
        hi = max((f.latest or f.earliest) for f in placed)
        ticks = _months(lo, hi)  # (a month each: at most 12 × 9999, and only every `every`-th is shown)
        start = ticks[0]
        days = _month_after(hi) - start.toordinal()

        def x(d: dt.date, after: int = 0) -> float:  # `after` days later, counted so that 9999-12-31 + 1 day is no error
            return 100 * (d.toordinal() + after - start.toordinal()) / days

        every = _every(len(ticks))
        shown = ticks[::every]
        stops = ",".join(f"transparent {x(t):.3f}%,#d9d9d9 {x(t):.3f}%,#d9d9d9 calc({x(t):.3f}% + 1px),transparent calc({x(t):.3f}% + 1px)"
                         for t in shown[1:])
        # on screen only: printed, the 1px stops of the gradient came out as heavy bars (the axis keeps its ticks)
        css = f"@media screen{{.tl-track{{background-image:linear-gradient(to right,{stops})}}}}" if stops else ""
        axis = "".join(f'<span class="tl-tick" style="left:{x(t):.3f}%">{MONTHS[t.month - 1]}'
                       f'{" " + str(t.year) if i == 0 or t.month == 1 else ""}</span>' for i, t in enumerate(shown))
        out.append(f'<div id="timeline" class="tl" role="group" aria-label="Dated events, {_day(start)} to {_day(dt.date.fromordinal(start.toordinal() + days - 1))}">')
        for heading, kinds in LANES + (("Other kinds", ()),):
            known = {k for _, ks in LANES for k in ks}
            members = [f for f in placed if (f.kind in kinds) or (not kinds and f.kind not in known)]
            if not members:
                continue
            out.append(f'<div class="tl-lane"><div class="tl-row tl-head"><h3 class="tl-name">{e(heading)}</h3>'
                       f'<div class="tl-axis" aria-hidden="true">{axis}</div></div><ul class="tl-items" aria-label="{e(heading)}">')
            for f in members:
                a, b = f.earliest, f.latest
                if f.shape == "day":
                    mark = f'<span class="tl-mark day" style="left:{x(a) + 50 / days:.3f}%"></span>'
                elif f.shape == "span":
                    mark = f'<span class="tl-mark span" style="left:{x(a):.3f}%;width:{x(b, 1) - x(a):.3f}%"></span>'
                elif f.shape == "open-start":
                    mark = f'<span class="tl-mark open-start" style="left:0%;width:{x(b, 1):.3f}%"></span>'
                else:
                    mark = f'<span class="tl-mark open-end" style="left:{x(a):.3f}%;width:{100 - x(a):.3f}%"></span>'
                n = len(f.reports)
                out.append(f'<li class="tl-row tl-item" id="tl-{e(f.fact_id)}" data-shape="{f.shape}">'
                           f'<a class="tl-label" href="#fact-{e(f.fact_id)}"><span class="tl-when">{e(when(a, b))}</span> '
                           f'{e(short(f.name, LABEL))}{f" ({n} reports)" if n > 1 else ""}</a>'
                           f'<div class="tl-track" title="{e(f.dates)}">{mark}</div></li>')
            out.append("</ul></div>")
        out.append("</div>")
    out.append(_legend())
    out.append(_list("Every event and quotation in the timeline, with its reports", "timeline-list", sorted(placed, key=_order), prov))
    wide = [f for f in all_facts + said if f.shape in ("wide", "conflicting")]
    undated = [f for f in all_facts if f.shape == "undated"]
    if wide:
        out.append(_list(f"Dated too broadly to draw (bounds wider than {WIDEST} days, e.g. a whole year)", "timeline-wide",
                         sorted(wide, key=_order), prov))
    if undated:
        out.append(_list("Not dated by the texts (or only a day or month without a printed year)", "timeline-undated", undated, prov))
    return "\n".join(out), css, len(placed)


def _legend() -> str:
    return ('<p class="tl-legend"><span class="tl-key"><span class="tl-mark day"></span></span> a day · '
            '<span class="tl-key"><span class="tl-mark span"></span></span> a span, from its earliest to its latest day · '
            '<span class="tl-key"><span class="tl-mark open-start"></span></span> on or before a day (its start is unknown) · '
            '<span class="tl-key"><span class="tl-mark open-end"></span></span> on or after a day (its end is unknown). '
            'One line per event or quotation; several reports of one event (or of one utterance) are one line.</p>')


def _list(title: str, anchor: str, members: list[Fact], prov) -> str:
    out = [f'<section id="{anchor}"><h3>{e(title)} ({len(members)})</h3>', '<ol class="events">']
    for f in members:
        out.append(f'<li id="fact-{e(f.fact_id)}"><strong>{e(f.name)}</strong> <span class="muted">({e(f.kind)}; '
                   f'{e(when(f.earliest, f.latest))}; EDTF {e(f.dates)})</span><ul>')
        for r in f.reports:
            rid = r["_id"]
            href = prov.href(f.table, rid)
            link = f' <a href="{e(href)}" class="span-link">the words in the source ↗</a>' if href else ""
            place = f", {e(r['place'])}" if r.get("place") else ""
            out.append(f'<li id="{e(rid)}"><code>{e(rid)}</code> {e(r.get("date") or "undated")}{place} · {e(r.get("source_id"))}: '
                       f'<q>{html(r.get("evidence") or r.get("quote"))}</q>{link}</li>')
        out.append("</ul></li>")
    out.append("</ol></section>")
    return "\n".join(out)
