"""Rows that cite the same words of one source say the same about who says so and when.

Every row of positions, conditions, contributions and claims cites words of a source: its `focus`
where given, else its whole `evidence`. Two rows **cite the same words** when they have the same
`source_id` and their cited spans overlap, placed as follows:

- each row's span is an interval of its evidence: the first occurrence of its focus in its evidence,
  or the whole evidence when focus is empty (or, being invalid, does not occur in it);
- two rows with the same evidence compare their intervals as they are; where one row's evidence
  contains the other's (its first occurrence), the inner row's interval is shifted by that offset;
- evidence cells that only partly overlap (neither contains the other) are not compared: the check
  reads the cells, not the archived text. Nor is nesting looked for among more than
  NESTING_LIMIT distinct evidence cells of one source (identical evidence always is).

Such rows must agree on `basis` and on `date` (the EDTF text) in every one of the four tables. The
one exception is declared in data a check reads: rows whose focus spans are given and do not overlap
cite different words, and may differ.
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right

from ..blocks import CheckSpec, Cols, Rule, q
from ...report import shorten
from ._shared import OBSERVATIONS, cells, mask

CODES = ("same-words",)  # the rule codes this module's checks report
AGREE = ("basis", "date")
NESTING_LIMIT = 2000  # distinct evidence cells per source beyond which only identical evidence is compared
CLASS_LIMIT = 16  # classes of one source's texts (by their rows' bases and dates) up to which each class is searched on its own


def _span(evidence: str, focus) -> tuple[int, int]:
    at = evidence.find(focus) if isinstance(focus, str) and focus else -1
    return (at, at + len(focus)) if at >= 0 else (0, len(evidence))


def _rows(table: str, df: Cols, pk: str) -> list[tuple]:
    """(table, id, source, evidence, focus, basis, date) of every row that cites words."""
    if not df.has(pk, "source_id", "evidence"):
        return []
    cols = [cells(df, c) for c in (pk, "source_id", "evidence", "focus", *AGREE)]
    return [(table, *r) for r in zip(*cols) if isinstance(r[1], str) and isinstance(r[2], str) and r[2]]


def _conflicts(members: list[tuple[int, int, int, tuple]], bad: set[int]) -> None:
    """Mark in `bad` every member (start, end, row, label) whose interval overlaps one of another label:
    for each row, the overlapping intervals counted in all minus those of its own label (O(n log n))."""
    if len({m[3] for m in members}) < 2:
        return
    by_label: dict[tuple, tuple[list, list]] = {}
    for s, e, _, lab in members:
        by_label.setdefault(lab, ([], []))
        by_label[lab][0].append(s)
        by_label[lab][1].append(e)
    starts = sorted(m[0] for m in members)
    ends = sorted(m[1] for m in members)
    for lab in by_label:
        by_label[lab][0].sort()
        by_label[lab][1].sort()

    def overlapping(s, e, st, en):  # intervals [a, b) with a < e and b > s (a span is never empty)
        return bisect_left(st, e) - bisect_right(en, s)

    for s, e, row, lab in members:
        st, en = by_label[lab]
        if overlapping(s, e, starts, ends) - overlapping(s, e, st, en) > 0:
            bad.add(row)


class _Spans(dict):
    def __init__(self, rows):
        super().__init__()
        self.rows = rows

    def __missing__(self, i):
        self[i] = out = _span(self.rows[i][3], self.rows[i][4])
        return out


def _clusters(rows: list[tuple], keep=None, label=None):
    """For each source: the groups of rows to compare, as (row index, start, end) in one coordinate
    system: the rows of one evidence, and the rows of two nested evidence cells (the inner shifted).
    With `keep`, only the groups whose row indexes it accepts (asked before any span is computed); with
    `label` (row index -> (basis, (date,) where the date is compared, else ())), nested evidence is looked
    for only between texts whose rows can disagree (see _nested_between)."""
    by_source: dict[str, dict[str, list[int]]] = {}
    for i, r in enumerate(rows):
        by_source.setdefault(r[2], {}).setdefault(r[3], []).append(i)
    for evidences in by_source.values():
        spans = _Spans(rows)  # a row's interval, computed for the rows of a cluster only
        for at in evidences.values():
            if len(at) > 1 and (keep is None or keep(at)):
                yield [(i, *spans[i]) for i in at]
        if len(evidences) > NESTING_LIMIT:
            continue
        for inner, outer in _nested_between(evidences, label):
            if keep is not None and not keep(evidences[outer] + evidences[inner]):
                continue
            o = outer.find(inner)
            yield ([(i, *spans[i]) for i in evidences[outer]] +
                   [(i, spans[i][0] + o, spans[i][1] + o) for i in evidences[inner]])


def _nested_between(evidences: dict[str, list[int]], label=None):
    """The nested pairs (inner, outer) of one source's evidence texts. Without `label`, every pair. With it,
    only pairs whose rows carry two bases or two compared dates between them (no other pair can conflict),
    told apart by a class per text (the bases and compared dates of its rows): up to CLASS_LIMIT classes, each
    class's texts are looked for only in the texts of the classes it clashes with (most nested texts share
    their class: their pairs are never enumerated); beyond, in every text, each pair of classes judged once.
    A source whose rows all agree is not searched at all."""
    texts = sorted(evidences, key=len)
    if label is None:
        yield from _nested(texts)
        return
    classes: dict[tuple[frozenset, frozenset], int] = {}
    of = []  # each text's class
    for text in texts:
        labels = [label(i) for i in evidences[text]]
        key = (frozenset(b for b, _ in labels), frozenset(d for _, ds in labels for d in ds))
        of.append(classes.setdefault(key, len(classes)))
    bases = frozenset().union(*(k[0] for k in classes))
    dates = frozenset().union(*(k[1] for k in classes))
    if len(bases) < 2 and len(dates) < 2:
        return  # every row of the source has one basis and one compared date (or none)
    keys = list(classes)

    def clash(a: int, b: int) -> bool:
        return len(keys[a][0] | keys[b][0]) > 1 or len(keys[a][1] | keys[b][1]) > 1

    if len(keys) <= CLASS_LIMIT:  # each class's texts looked for among the texts of the classes it clashes with
        members: list[list[int]] = [[] for _ in keys]
        for j, c in enumerate(of):
            members[c].append(j)
        for a, mine in enumerate(members):
            others = sorted(j for b, theirs in enumerate(members) if clash(a, b) for j in theirs)  # by length, as texts
            if others:
                hay = _Haystack([texts[j] for j in others])
                yield from ((texts[j], hay.texts[k]) for j in mine for k in hay.containing(texts[j]))
        return
    known: dict[tuple[int, int], bool] = {}  # many classes: every pair found, each pair of classes judged once
    hay = _Haystack(texts)
    for j, inner in enumerate(texts):
        for k in hay.containing(inner):
            if (of[j], of[k]) not in known:
                known[of[j], of[k]] = clash(of[j], of[k])
            if known[of[j], of[k]]:
                yield inner, texts[k]


def _nested(texts: list[str]):
    """(inner, outer) for every pair of `texts` (distinct, sorted by length) where the longer contains the
    shorter, inner by inner and each inner's outers in order."""
    hay = _Haystack(texts)
    return ((inner, texts[k]) for inner in texts for k in hay.containing(inner))


class _Haystack:
    """Texts (sorted by length) joined in one string, to find which of them contain a shorter text: it is
    searched for in C, from one containing text to the next, so the cost follows the matches, not the
    square of the texts (a Python loop over every longer text took most of the check)."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.joined = "\x00".join(texts)
        self.lengths = [len(t) for t in texts]
        self.starts, at = [], 0
        for n in self.lengths:
            self.starts.append(at)
            at += n + 1

    def containing(self, inner: str):
        """The indexes of the texts longer than `inner` that contain it, in order."""
        starts, lengths, joined, n = self.starts, self.lengths, self.joined, len(inner)
        first = bisect_right(lengths, n)  # the first text longer than inner
        at = joined.find(inner, starts[first]) if first < len(starts) else -1
        while at >= 0:
            k = bisect_right(starts, at) - 1
            end = starts[k] + lengths[k]
            if at + n <= end:  # within text k (not across the separator)
                yield k
                at = joined.find(inner, end + 1)  # text k is counted once: on to the next
            else:
                at = joined.find(inner, at + 1)


# the last check's result, for the other three tables of the same read: {"tables": weak references to the
# four tables' Cols, "bad": {(table, id)}, "rows": [...]}; weak, so that no table outlives its check
_SHARED: dict = {}
_LOCK = threading.Lock()


def _same_tables(context) -> bool:
    refs = _SHARED.get("tables")
    return refs is not None and len(refs) == sum(n in context for n in OBSERVATIONS) and all(
        ref() is context.get(n) for n, ref in refs.items())


def _judge(rows: list[tuple]) -> set[int]:
    bad: set[int] = set()
    dated = {d: _edtf_or_empty(d) for d in {r[6] for r in rows}}  # whether a date cell is compared: once per distinct value
    # each row's label: its basis, and its date where it is compared (an empty date is); computed once, read by
    # every cluster and class the row is in
    labels = [(r[5], (r[6],) if dated[r[6]] else ()) for r in rows]

    def varied(at: list[int]) -> bool:
        """Whether the rows carry two bases or two compared dates: else _conflicts finds nothing in them
        (it returns at once for fewer than two labels), so their spans are never computed."""
        return len({labels[i][0] for i in at}) > 1 or len({labels[i][1] for i in at if labels[i][1]}) > 1

    for members in _clusters(rows, varied, labels.__getitem__):
        if len(members) < 2:
            continue
        _conflicts([(s, e, i, (rows[i][5],)) for i, s, e in members], bad)  # basis
        # date: a cell that is no EDTF date is the edtf rule's to report, once; it is compared with nothing
        _conflicts([(s, e, i, labels[i][1]) for i, s, e in members if labels[i][1]], bad)
    return bad


def _edtf_or_empty(value) -> bool:
    from ...dates import check as why_not

    return value is None or value == "" or not why_not(value)


def same_words(table: str, pk: str, context: dict[str, Cols], keys: dict[str, str]) -> CheckSpec:
    """Rows of `table` that cite the same words as another row of the four tables agree with it on basis and date."""
    seen: dict[str, object] = {}  # the rows of the last run and the ids that failed, for the messages

    def check(df: Cols):
        if df is context.get(table) and all(n in keys for n in OBSERVATIONS if n in context):
            # the check path: the four tables as read, judged once for all four
            with _LOCK:  # the check judges two tables at a time on large packages
                if not _same_tables(context):
                    import weakref

                    rows = [r for n in OBSERVATIONS if n in context for r in _rows(n, context[n], keys[n])]
                    _SHARED.clear()
                    _SHARED.update(tables={n: weakref.ref(context[n]) for n in OBSERVATIONS if n in context}, rows=rows,
                                   bad={(rows[i][0], rows[i][1]) for i in _judge(rows)})
                rows, bad = _SHARED["rows"], _SHARED["bad"]
            failing = {rid for t, rid in bad if t == table}
            seen.update(rows=rows, mine=None)  # which of the rows are this table's: looked up only for a message
            return mask(r not in failing for r in cells(df, pk)) if failing else df.true()
        rows = _rows(table, df, pk)  # a frame of its own (pandera's, or a user's): judged against the others as read
        mine = len(rows)
        for other in OBSERVATIONS:
            if other != table and other in context and other in keys:
                rows += _rows(other, context[other], keys[other])
        bad = _judge(rows)
        failing = {rows[i][1] for i in bad if i < mine}
        seen.update(rows=rows, mine={rows[i][1]: i for i in range(mine)})
        return mask(r not in failing for r in cells(df, pk)) if failing else df.true()

    def _partner(rows, i):
        """Words for row i: one row citing the same words with another basis or date (looked up only for a failure)."""
        me = rows[i]
        for r in rows:
            if r is me or r[2] != me[2]:
                continue
            for field, name in ((5, "basis"), (6, "date")):
                if r[field] != me[field] and _overlap(me, r):
                    return (f"{shorten(r[1])} ({r[0]}) cites the same words of source {q(me[2])}, but its {name} is "
                            f"{_say(r[field])} and this row's {_say(me[field])}", name)
        return (f"another row cites the same words of source {q(me[2])} with another basis or date", "basis")

    def say(v, row):
        rid = row.get(pk) if row is not None else None
        if seen.get("mine") is None and "rows" in seen:
            seen["mine"] = {r[1]: i for i, r in enumerate(seen["rows"]) if r[0] == table}
        at = seen.get("mine", {}).get(rid)
        msg, field = (_partner(seen["rows"], at) if at is not None else
                      ("this row cites the same words as another row with another basis or date", "basis"))
        return msg, (f"rows citing the same words agree on {field}; if they code different words of the evidence, "
                     "give each its focus (spans that do not overlap)")

    return CheckSpec("rule:same-words-agree", check, Rule("same-words", "evidence", say, needs_row=True))


def _say(v) -> str:
    return "empty" if v is None else q(v)


def _overlap(a: tuple, b: tuple) -> bool:
    """Whether rows a and b (as in _rows) cite the same words (see the module docstring)."""
    ea, eb = a[3], b[3]
    sa, sb = _span(ea, a[4]), _span(eb, b[4])
    if ea == eb:
        o = 0
    elif eb in ea:
        o = ea.find(eb)
    elif ea in eb:
        o = -eb.find(ea)
    else:
        return False
    return sa[0] < sb[1] + o and sb[0] + o < sa[1]
