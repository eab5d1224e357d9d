"""The per-country summary of positions, derived from the observations in `positions` (never hand-edited).

One row per (country, issue) that has observations:

- `latest_value`, `latest_date`, `latest_source_id`, `latest_position_id`: the observation (not a
  forecast) that can be placed latest in time: the one whose date starts latest (its earliest bound,
  or its latest bound where it is open at the start: "on or after March 20" is later than "February");
  undated observations rank below dated ones, and among equals the one whose source was published
  last (the start of its publication date, or its end where the start is open), then the highest id.
  Each is the row's own value; nothing is averaged or guessed.
- `latest_by`: whether the texts place it last: `only` (the one observation), `agree` (every
  observation has this value), `date` (every observation with another value ends, by its own date or
  else its source's publication date, before this one starts), or `unplaced` (the texts do not say
  which came last: `latest_value` is then only the first in the order above, not a finding; read
  `values` and `disagree`).
- `values`: every distinct value observed (not forecasts), `;`-separated, in vocabulary order.
- `reports`, `facts`, `sources`: how many rows, distinct facts (`fact_id`) and sources.
- `changed`: two observations with different values whose dates do not overlap: a change over time.
- `disagree`: two observations with incompatible values that cannot be told apart in time (their dates
  overlap, or one of them is undated): the sources (or one source) disagree.
- `forecast`: the latest analyst forecast's value, if any, kept apart from the positions.
- `headline`, `headline_by`, `headline_dates`: what a journalist may say, never an arbitrary pick. The
  current observations are those no other observation is placed after (by dates: one ends before the
  other starts). When they all allow one value (`IMPLIES`: `committed` implies `willing`, so a
  `willing` report allows `committed`), the headline is the strongest of them (`headline_by`: `only`,
  `agree`, or `implied` when weaker reports are folded into it); when they hold incompatible values
  the headline is every one of them, `;`-separated in vocabulary order, and `headline_by` is
  `disagree`. `headline_dates` is the EDTF span of the current observations that hold the headline
  value (all of them where they disagree; `..` where open, empty where none is dated).
- `latest_date_from`: where `latest_date` comes from: `date` (the row's own), `event ev-0016 group
  (2025-04-10)` (the row is undated but tied to an event: dated by the events of that event's fact), or
  empty (undated).

Compatibility (one table, `IMPLIES`): two values are compatible when they are equal or one implies the
other. `disagree` is set only for incompatible values (`willing` against `ruled_out`, `willing` against
`undecided`); `committed` with `willing` never disagree.

Dating by event: a row with an empty `date` and an `event_id` is placed by that event's group (the
events sharing its `fact_id`, reports of one happening): the bounds all its dated rows allow (the
latest start, the earliest end; a date without a year adds nothing; their whole span where they
disagree), computed here (`event_dates`), never written into the curated table; `cotw.load`
returns the table as curated, with the bounds of its own `date` only.

    >>> import cotw
    >>> s = cotw.summary()
    >>> list(s.columns)[:4]
    ['country', 'issue', 'latest_value', 'latest_date']
"""
from __future__ import annotations

COLUMNS = ["country", "issue", "headline", "headline_by", "headline_dates", "latest_value", "latest_date", "latest_date_from",
           "latest_by", "latest_source_id", "latest_position_id", "values", "reports", "facts", "sources", "changed", "disagree",
           "forecast"]

# the order among values of one issue: a value implies these (a report of the stronger allows the weaker).
# Two values are compatible when equal or one implies the other; every other pair of values is incompatible.
IMPLIES = {"own_troops": {"committed": ("willing",)},
           "participation": {"leads": ("joined",)},
           "deployment": {"opposes": ("reservations",)}}


def implied(issue, value) -> set:
    """Every value that `value` implies on `issue`, itself included (transitively)."""
    out, todo = {value}, [value]
    while todo:
        for w in IMPLIES.get(issue, {}).get(todo.pop(), ()):
            if w not in out:
                out.add(w)
                todo.append(w)
    return out


def compatible(issue, a, b) -> bool:
    """Whether two values of `issue` can both hold at once (equal, or one implies the other)."""
    return a in implied(issue, b) or b in implied(issue, a)

SCHEMA = {
    "fields": [
        {"name": "country", "type": "string", "description": "Country or organisation (countries.code)."},
        {"name": "issue", "type": "string", "description": "What the position is about (positions.issue)."},
        {"name": "headline", "type": "string", "description": "What the current observations (none placed after them) allow: the strongest value they all allow, or, where they hold incompatible values, every one of them (';'-separated, vocabulary order)."},
        {"name": "headline_by", "type": "string", "description": "only (one observation), agree (every current observation has this value), implied (weaker reports, e.g. willing under committed, folded into it) or disagree (the headline lists incompatible values)."},
        {"name": "headline_dates", "type": "string", "description": "The EDTF span of the current observations that hold the headline value (all of them where they disagree; '..' where open); empty when none is dated."},
        {"name": "latest_value", "type": "string", "description": "The value of the observation (not a forecast) that can be placed latest in time."},
        {"name": "latest_date", "type": "string", "description": "Its date, in EDTF: as curated, or derived from its event's group (see latest_date_from); empty when undated."},
        {"name": "latest_date_from", "type": "string", "description": "Where latest_date comes from: 'date' (the row's own) or 'event ev-NNNN group (EDTF)' (an undated row tied to an event); empty when undated."},
        {"name": "latest_by", "type": "string", "description": "Whether the texts place it last: only, agree, date (every other value ends before it starts), or unplaced (they do not say which came last)."},
        {"name": "latest_source_id", "type": "string", "description": "Its source."},
        {"name": "latest_position_id", "type": "string", "description": "Its row in positions."},
        {"name": "values", "type": "string", "description": "Every distinct value observed (not forecasts), ';'-separated, in vocabulary order."},
        {"name": "reports", "type": "integer", "description": "Number of observations (rows)."},
        {"name": "facts", "type": "integer", "description": "Number of distinct facts (fact_id) among them."},
        {"name": "sources", "type": "integer", "description": "Number of distinct sources among them."},
        {"name": "changed", "type": "boolean", "description": "Two observations with different values whose dates do not overlap: a change over time."},
        {"name": "disagree", "type": "boolean", "description": "Two observations with incompatible values (neither implies the other) that cannot be told apart in time (overlapping dates, or undated)."},
        {"name": "forecast", "type": "string", "description": "The value of the latest analyst forecast, if any (basis analyst_forecast)."},
    ],
    "primaryKey": ["country", "issue"],
}


def summarise(positions, sources=None, events=None):
    """The summary frame from a loaded `positions` frame (cotw.load) and, optionally, `sources` and
    `events` (to date an undated row by its event_id's group)."""
    import pandas as pd

    if positions is None or positions.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})
    vocab = list(positions["value"].cat.categories) if hasattr(positions["value"], "cat") else sorted(positions["value"].dropna().unique())
    published, until = {}, {}  # the start of each source's publication date (to order), and its end (to bound)
    if sources is not None and "published_latest" in sources.columns:
        for sid, lo, hi in zip(sources["source_id"], sources["published_earliest"], sources["published_latest"]):
            published[sid], until[sid] = (lo if _known(lo) else hi), hi
    # the rows as dicts once, and the groups as row numbers: a pandas frame per group costs milliseconds
    # each, which thousands of countries would multiply (the order is groupby's, as before)
    recs = _records(positions)
    _date_by_event(recs, event_dates(events) if events is not None else {})
    rows = []
    for (country, issue), at in positions.groupby(["country", "issue"], observed=True, sort=True).indices.items():
        group = [recs[i] for i in at]
        seen = [r for r in group if r["basis"] != "analyst_forecast"]
        forecasts = [r for r in group if r["basis"] == "analyst_forecast"]
        row = {"country": country, "issue": issue, "reports": len(group), "facts": _distinct(r["fact_id"] for r in group),
               "sources": _distinct(r["source_id"] for r in group), "changed": False, "disagree": False,
               "latest_value": None, "latest_date": None, "latest_source_id": None, "latest_position_id": None, "values": None,
               "latest_by": None, "latest_date_from": None, "headline": None, "headline_by": None, "headline_dates": None,
               "forecast": _latest(forecasts, published)[0]["value"] if len(forecasts) else None}
        if len(seen):
            last, _ = _latest(seen, published)
            observed = {r["value"] for r in seen}  # once per group, not once per value of the vocabulary
            by = _placed(last, seen, until)
            row.update(latest_value=last["value"], latest_date=_text(last["date"]), latest_by=by, latest_source_id=last["source_id"],
                       latest_position_id=last["position_id"], latest_date_from=last.get("_date_from"),
                       values=";".join(v for v in vocab if v in observed))
            if last.get("_date_text") is not None:
                row["latest_date"] = last["_date_text"]
            row["changed"], _ = _change_and_disagreement(seen)
            row["disagree"] = _disagree(issue, seen)
            row["headline"], row["headline_by"], row["headline_dates"] = _headline(issue, seen, until, vocab)
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("reports", "facts", "sources"):
        out[col] = out[col].astype("Int64")
    for col in ("changed", "disagree"):
        out[col] = out[col].astype("boolean")
    return out


def _text(v):
    return None if v is None or v != v else str(v)


def _latest(recs: list[dict], published):
    """(the row first in the order below, its sort key): the one whose date starts latest (its earliest
    bound, or its latest bound where it is open at the start), then by latest bound, its source's
    publication, and id (undated rows rank lowest)."""
    import pandas as pd

    low = pd.Timestamp.min

    def key(r):
        return ((_ts(r.get("date_earliest"), _ts(r.get("date_latest"), low)), _ts(r.get("date_latest"), low)),
                _ts(published.get(r["source_id"]), low), r["position_id"])

    keyed = sorted(recs, key=key)
    return keyed[-1], key(keyed[-1])


def _placed(last: dict, recs: list[dict], until: dict) -> str:
    """Whether the texts place `last` after every observation with another value (see latest_by)."""
    if len(recs) == 1:
        return "only"
    others = [r for r in recs if r["value"] != last["value"]]
    if not others:
        return "agree"
    start = last.get("date_earliest") if _known(last.get("date_earliest")) else last.get("date_latest")

    def end(r):  # an undated observation was made on or before its source was published
        return r.get("date_latest") if _known(r.get("date_latest")) else until.get(r["source_id"])

    if _known(start) and all(_known(end(r)) and end(r) < start for r in others):
        return "date"
    return "unplaced"


def _records(frame) -> list[dict]:
    """The rows as dicts, only with the columns the rules read (a row of every column costs several times more)."""
    return frame[[c for c in _READ if c in frame.columns]].to_dict("records")


_READ = ("position_id", "fact_id", "basis", "value", "date", "date_earliest", "date_latest", "source_id", "event_id")


def _distinct(values) -> int:
    """The number of distinct values, a missing one not counted (as pandas' nunique)."""
    return len({v for v in values if v is not None and v == v})


def _ts(v, default):
    return v if _known(v) else default


def _change_and_disagreement(recs: list[dict]) -> tuple[bool, bool]:
    """(changed, disagree) over every pair of observations with different values (see `_apart`), in
    O(n log n) rather than by looking at every pair: a group of many rows must not take quadratic time.

    changed: some a, b of different values have a's end before b's start: for some values v != w, the
    earliest known end among v's rows is before the latest known start among w's.
    disagree: some a, b of different values are not apart, i.e. their spans overlap (an unknown end is
    open, so never before anything): sweeping the rows by start, each row is checked against the
    furthest-reaching end so far of a value other than its own."""
    keys = [r["value"] if r["value"] == r["value"] else object() for r in recs]  # a missing value equals nothing
    first_end: dict = {}  # value -> earliest known end
    last_start: dict = {}  # value -> latest known start
    for k, r in zip(keys, recs):
        if _known(r["date_latest"]) and (k not in first_end or r["date_latest"] < first_end[k]):
            first_end[k] = r["date_latest"]
        if _known(r["date_earliest"]) and (k not in last_start or r["date_earliest"] > last_start[k]):
            last_start[k] = r["date_earliest"]
    changed = any(v != w and end < start for v, end in first_end.items() for w, start in last_start.items())
    # sweep by start (unknown first: it reaches back to the beginning), keeping the two furthest ends of distinct values
    order = sorted(range(len(recs)), key=lambda i: (_known(recs[i]["date_earliest"]), recs[i]["date_earliest"]
                                                     if _known(recs[i]["date_earliest"]) else 0))
    best: list = []  # up to two [end or None (open), value], furthest first, of distinct values
    disagree = False
    for i in order:
        r, k = recs[i], keys[i]
        start = r["date_earliest"] if _known(r["date_earliest"]) else None
        end = r["date_latest"] if _known(r["date_latest"]) else None
        other = next((b for b in best if b[1] != k), None)
        if other is not None and (other[0] is None or start is None or not other[0] < start):
            disagree = True
            break
        if not any(b[1] == k for b in best):
            best.append([end, k])
        else:
            b = next(b for b in best if b[1] == k)
            if b[0] is not None and (end is None or end > b[0]):
                b[0] = end
        best.sort(key=lambda b: (b[0] is None, b[0] if b[0] is not None else 0), reverse=True)
        del best[2:]
    return changed, disagree


def _apart(a, b) -> bool:
    """One observation's date ends before the other's starts (Feb 2025 and "on or after March 20" are apart)."""
    def before(x, y):
        return _known(x["date_latest"]) and _known(y["date_earliest"]) and x["date_latest"] < y["date_earliest"]

    return before(a, b) or before(b, a)


def _known(v) -> bool:
    return v is not None and v == v


def _edtf(lo, hi) -> str | None:
    """The EDTF text of bounds (days; None where open): one day, or a span; None when both are open."""
    def day(v):
        return None if not _known(v) else str(v)[:10]

    a, b = day(lo), day(hi)
    if a is None and b is None:
        return None
    if a == b:
        return a
    return f"{a or '..'}/{b or '..'}"


def event_dates(events) -> dict:
    """{event_id: (earliest, latest, text)}: each event dated by its group (the events sharing its
    fact_id), whose rows report one happening, so each of its bounds holds for all: the latest known
    start and the earliest known end. A row whose date gives no bound (`XXXX-04-10`, a year not printed)
    adds nothing; where the group's dates cannot all hold (they disagree), their whole span is taken
    instead. Events whose group has no bound are left out. `text` says so: 'event ev-0016 group (2025-04-10)'."""
    if events is None or not {"event_id", "fact_id", "date_earliest", "date_latest", "date"} <= set(events.columns):
        return {}
    groups: dict = {}
    for eid, fid, date, lo, hi in zip(events["event_id"], events["fact_id"], events["date"], events["date_earliest"], events["date_latest"]):
        g = groups.setdefault(fid if _known(fid) else eid, {"ids": [], "spans": []})
        g["ids"].append(eid)
        if _known(date) and (_known(lo) or _known(hi)):
            g["spans"].append((lo if _known(lo) else None, hi if _known(hi) else None))
    out = {}
    for g in groups.values():
        if not g["spans"]:
            continue
        los = [a for a, _ in g["spans"] if a is not None]
        his = [b for _, b in g["spans"] if b is not None]
        lo, hi = max(los, default=None), min(his, default=None)
        if lo is not None and hi is not None and hi < lo:  # the reports disagree on when: their whole span
            lo = None if len(los) < len(g["spans"]) else min(los)
            hi = None if len(his) < len(g["spans"]) else max(his)
        for eid in g["ids"]:
            out[eid] = (lo, hi, _edtf(lo, hi))
    return out


def _date_by_event(recs: list[dict], dated: dict) -> None:
    """Give each undated record with an event_id its event group's bounds, and say where every date comes from."""
    for r in recs:
        if _known(r.get("date")):
            r["_date_from"] = "date"
            continue
        e = r.get("event_id")
        if _known(e) and e in dated:
            lo, hi, text = dated[e]
            r["date_earliest"], r["date_latest"] = lo, hi
            r["_date_text"] = text
            r["_date_from"] = f"event {e} group ({text or '..'})"


def _span(r):
    """(start, end) of a record, None where open."""
    return (r["date_earliest"] if _known(r.get("date_earliest")) else None,
            r["date_latest"] if _known(r.get("date_latest")) else None)


def _disagree(issue, recs: list[dict]) -> bool:
    """Two records of incompatible values whose spans overlap (an open bound reaches without end).
    For each incompatible pair of values (an issue has few), one sweep by start: O(n log n) per pair."""
    by_value: dict = {}
    for r in recs:
        if r["value"] == r["value"] and r["value"] is not None:
            by_value.setdefault(r["value"], []).append(_span(r))
    values = sorted(by_value, key=str)
    for i, v in enumerate(values):
        for w in values[i + 1:]:
            if compatible(issue, v, w):
                continue
            tagged = sorted([(s, e, 0) for s, e in by_value[v]] + [(s, e, 1) for s, e in by_value[w]],
                            key=lambda t: (t[0] is not None, t[0] if t[0] is not None else 0))
            reach = [False, False]  # per side: the furthest end so far (True: open, without end)
            for start, end, side in tagged:
                other = reach[1 - side]
                if other is True or (other is not False and (start is None or not other < start)):
                    return True
                mine = reach[side]
                reach[side] = True if end is None or mine is True else (end if mine is False or end > mine else mine)
    return False


def _headline(issue, recs: list[dict], until: dict, vocab: list) -> tuple:
    """(headline, headline_by, headline_dates) of the observations `recs` (see the module docstring)."""
    def end(r):  # an undated observation was made on or before its source was published
        e = _span(r)[1]
        return e if e is not None else until.get(r["source_id"]) if _known(until.get(r["source_id"])) else None

    starts = [_span(r)[0] for r in recs]
    latest_start = max((s for s in starts if s is not None), default=None)
    # current: no observation starts after this one ends
    current = [r for r in recs if latest_start is None or end(r) is None or not end(r) < latest_start]
    values = {r["value"] for r in current if r["value"] == r["value"] and r["value"] is not None}
    strongest = [v for v in values if values <= implied(issue, v)]
    if strongest:  # the dates are those of the reports that say it (weaker reports folded in add none)
        current = [r for r in current if r["value"] == strongest[0]]
    lo = [_span(r)[0] for r in current]
    hi = [_span(r)[1] for r in current]
    dated = [r for r in current if _known(r.get("date_earliest")) or _known(r.get("date_latest"))]
    dates = None
    if dated:
        a = None if any(v is None for v in lo) else min(lo)
        b = None if any(v is None for v in hi) else max(hi)
        dates = _edtf(a, b) or ".."
    order = [v for v in vocab if v in values] + sorted(v for v in values if v not in vocab)
    if strongest:
        by = "only" if len(recs) == 1 else "agree" if len(values) == 1 else "implied"
        return strongest[0], by, dates
    return ";".join(order), "disagree", dates
