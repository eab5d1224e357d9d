"""A note never names a value of its row's vocabulary as what the row is coded when the row says otherwise.

A note that says "Coded willing" on a row coded `undecided` was left behind by a recoding. The rule
reads the phrasings the curators use: `Coded X`, `coded as X`, `is coded as the weaker 'X'`, `coded X,
not Y`, where X is one or more values (quoted or not) of the row's own enumerated columns in a row
(`Coded own_troops willing`). It does not read a negated or reported coding: `not coded as X`, `0.1
coded ...`, `would be coded X`, `if coded X`. Each value named must be the row's value in some
column whose vocabulary has it.
"""
from __future__ import annotations

import re

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, q
from ._shared import cells, mask

CODES = ("note-coded",)  # the rule codes this module's checks report

_CODED = re.compile(r"\b[Cc]oded(?:\s+as)?(?:\s+(?:the\s+)?weaker)?((?:\s+['`\"]?[a-z][a-z_]*['`\"]?){1,3})")
_NOT = re.compile(r"(?:\bnot|n't|\b0\.1|\bwould\s+be|\bcould\s+be|\bif|\bbe)\s+(?:\w+\s+)?$", re.I)


def named_codings(note: str, vocab: dict[str, set[str]]) -> list[str]:
    """The values of `vocab` (column -> values) that `note` says its row is coded as."""
    out = []
    for m in _CODED.finditer(note):
        if _NOT.search(note[max(0, m.start() - 20):m.start()]):
            continue
        for word in m.group(1).split():
            word = word.strip("'`\"")
            if not any(word in vals for vals in vocab.values()):
                break
            out.append(word)
    return out


def note_matches_coding(tschema: dict) -> CheckSpec | None:
    vocab = {f["name"]: set(f.get("constraints", {}).get("enum") or ()) for f in tschema.get("fields", [])
             if f.get("constraints", {}).get("enum") and f["name"] != "notes"}
    if not vocab:
        return None
    def mismatches(note, row: dict) -> list[str]:
        if not isinstance(note, str) or "oded" not in note:
            return []
        return [w for w in named_codings(note, vocab)
                if not any(w in vals and row.get(col) == w for col, vals in vocab.items())]

    def check(df: Cols):
        if "notes" not in df:
            return df.true()
        notes = df["notes"]
        if not pc.any(pc.fill_null(pc.match_substring(notes, "oded"), False)).as_py():
            return df.true()  # no note speaks of a coding
        cols = [c for c in vocab if c in df]
        good = []
        for note, *vals in zip(cells(df, "notes"), *(cells(df, c) for c in cols)):
            good.append(not isinstance(note, str) or "oded" not in note or not mismatches(note, dict(zip(cols, vals))))
        return mask(good)

    def say(v, row):
        bad = mismatches(v, {c: row.get(c) for c in vocab}) if row is not None else []
        cols = {w: [c for c, vals in vocab.items() if w in vals] for w in bad}
        said = "; ".join(f"{c} is {q(row.get(c))}" for w in bad for c in cols[w])
        return (f"the note says the row is coded {', '.join(repr(w) for w in bad)}, but {said}",
                "make the note say what the row is coded, or recode the row (a note is never a second coding)")

    return CheckSpec("rule:note-matches-coding", check, Rule("note-coded", "notes", say, needs_row=True))
