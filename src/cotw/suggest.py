"""The one "did you mean ...?" ranking, shared by every message that suggests a name: a table name, a
column of a CSV header, a vocabulary value, a foreign key.

Candidates are ranked by Damerau-Levenshtein distance (a swap of two neighbouring letters counts as one
edit, as a typist makes it), so `GRB` suggests `GBR` rather than `GRC`. Ties (a swap and a wrong letter
are both one edit) go to the candidate that keeps the typed letters (a swap loses none), then to the one
listed first. A candidate is suggested only when at most 40% of the longer string must change.
"""
from __future__ import annotations

from collections import Counter

MAX_SHARE = 0.4  # of the longer string's length; about what difflib's cutoff of 0.6 allowed


def _lost_letters(value: str, candidate: str) -> int:
    a, b = Counter(value), Counter(candidate)
    return sum(((a - b) + (b - a)).values())


def closest(value: str, choices) -> str | None:
    """The choice nearest to `value`, or None when none is near enough."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    pool = [str(c) for c in choices]
    if not pool:
        return None
    hits = process.extract(str(value), pool, scorer=DamerauLevenshtein.normalized_distance,
                           score_cutoff=MAX_SHARE, limit=None)
    if not hits:
        return None
    best = min(hits, key=lambda h: (DamerauLevenshtein.distance(str(value), h[0]), _lost_letters(str(value), h[0]), h[2]))
    return best[0]
