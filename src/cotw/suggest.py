"""The one "did you mean ...?" ranking, shared by every message that suggests a name: a table name, a
column of a CSV header, a vocabulary value, a foreign key.

Candidates are ranked by Damerau-Levenshtein distance (a swap of two neighbouring letters counts as one
edit, as a typist makes it), so `GRB` suggests `GBR` rather than `GRC`. Ties (a swap and a wrong letter
are both one edit) go to the candidate that keeps the typed letters (a swap loses none). Candidates still
equally close are all named, in the order listed (`FRN`: "did you mean 'FIN' or 'FRA'?"): picking one
would be a guess. A candidate is suggested only when at most 40% of the longer string must change.
"""
from __future__ import annotations

from collections import Counter

MAX_SHARE = 0.4  # of the longer string's length; about what difflib's cutoff of 0.6 allowed


def _lost_letters(value: str, candidate: str) -> int:
    a, b = Counter(value), Counter(candidate)
    return sum(((a - b) + (b - a)).values())


MAX_NAMED = 5  # equally close candidates named in one hint


def nearest(value: str, choices) -> list[str]:
    """The choices nearest to `value`, equally close ones all (at most MAX_NAMED, in the order given); [] when none is near enough."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    pool = [str(c) for c in choices]
    if not pool:
        return []
    hits = process.extract(str(value), pool, scorer=DamerauLevenshtein.normalized_distance,
                           score_cutoff=MAX_SHARE, limit=None)
    if not hits:
        return []
    keyed = sorted(((DamerauLevenshtein.distance(str(value), h[0]), _lost_letters(str(value), h[0])), h[2], h[0]) for h in hits)
    best = keyed[0][0]
    return [name for key, _, name in keyed if key == best][:MAX_NAMED]


def closest(value: str, choices) -> str | None:
    """The first of the nearest choices, or None when none is near enough (a hint should use did_you_mean)."""
    near = nearest(value, choices)
    return near[0] if near else None


def did_you_mean(value: str, choices) -> str | None:
    """"did you mean 'X'?", or "did you mean 'X' or 'Y'?" for equally close choices; None when none is near."""
    near = nearest(value, choices)
    if not near:
        return None
    quoted = [f"'{n}'" for n in near]
    return "did you mean " + (quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]) + "?"
