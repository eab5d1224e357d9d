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
- `disagree`: two observations with different values that cannot be told apart in time (their dates
  overlap, or one of them is undated): the sources (or one source) disagree.
- `forecast`: the latest analyst forecast's value, if any, kept apart from the positions.

    >>> import cotw
    >>> s = cotw.summary()
    >>> list(s.columns)[:4]
    ['country', 'issue', 'latest_value', 'latest_date']
"""
from __future__ import annotations

COLUMNS = ["country", "issue", "latest_value", "latest_date", "latest_by", "latest_source_id", "latest_position_id",
           "values", "reports", "facts", "sources", "changed", "disagree", "forecast"]

SCHEMA = {
    "fields": [
        {"name": "country", "type": "string", "description": "Country or organisation (countries.code)."},
        {"name": "issue", "type": "string", "description": "What the position is about (positions.issue)."},
        {"name": "latest_value", "type": "string", "description": "The value of the observation (not a forecast) that can be placed latest in time."},
        {"name": "latest_date", "type": "string", "description": "Its date, in EDTF as curated; empty when undated."},
        {"name": "latest_by", "type": "string", "description": "Whether the texts place it last: only, agree, date (every other value ends before it starts), or unplaced (they do not say which came last)."},
        {"name": "latest_source_id", "type": "string", "description": "Its source."},
        {"name": "latest_position_id", "type": "string", "description": "Its row in positions."},
        {"name": "values", "type": "string", "description": "Every distinct value observed (not forecasts), ';'-separated, in vocabulary order."},
        {"name": "reports", "type": "integer", "description": "Number of observations (rows)."},
        {"name": "facts", "type": "integer", "description": "Number of distinct facts (fact_id) among them."},
        {"name": "sources", "type": "integer", "description": "Number of distinct sources among them."},
        {"name": "changed", "type": "boolean", "description": "Two observations with different values whose dates do not overlap: a change over time."},
        {"name": "disagree", "type": "boolean", "description": "Two observations with different values that cannot be told apart in time (overlapping dates, or undated)."},
        {"name": "forecast", "type": "string", "description": "The value of the latest analyst forecast, if any (basis analyst_forecast)."},
    ],
    "primaryKey": ["country", "issue"],
}


def summarise(positions, sources=None):
    """The summary frame from a loaded `positions` frame (cotw.load) and, optionally, `sources`."""
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
    rows = []
    for (country, issue), at in positions.groupby(["country", "issue"], observed=True, sort=True).indices.items():
        group = [recs[i] for i in at]
        seen = [r for r in group if r["basis"] != "analyst_forecast"]
        forecasts = [r for r in group if r["basis"] == "analyst_forecast"]
        row = {"country": country, "issue": issue, "reports": len(group), "facts": _distinct(r["fact_id"] for r in group),
               "sources": _distinct(r["source_id"] for r in group), "changed": False, "disagree": False,
               "latest_value": None, "latest_date": None, "latest_source_id": None, "latest_position_id": None, "values": None,
               "latest_by": None, "forecast": _latest(forecasts, published)[0]["value"] if len(forecasts) else None}
        if len(seen):
            last, _ = _latest(seen, published)
            observed = {r["value"] for r in seen}  # once per group, not once per value of the vocabulary
            by = _placed(last, seen, until)
            row.update(latest_value=last["value"], latest_date=_text(last["date"]), latest_by=by, latest_source_id=last["source_id"],
                       latest_position_id=last["position_id"],
                       values=";".join(v for v in vocab if v in observed))
            row["changed"], row["disagree"] = _change_and_disagreement(seen)
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


_READ = ("position_id", "fact_id", "basis", "value", "date", "date_earliest", "date_latest", "source_id")


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
