"""Who speaks: a named speaker is a person, and speaks for the country of one of their offices."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..blocks import TEXT, CheckSpec, Cols, Rule, q
from ...report import names_list

CODES = ('speaker-kind', 'speaker-country')  # the rule codes this module's checks report


def speaker_kind() -> CheckSpec:
    def check(df: Cols):
        if not df.has("speaker_kind", "speaker_id"):
            return df.true()
        kind = df["speaker_kind"]
        return pc.or_kleene(pc.equal(pc.equal(kind, "person"), df["speaker_id"].is_valid()), kind.is_null())

    def say(v, row):
        if row is not None and row.get("speaker_kind") == "person":
            return "speaker_kind is 'person' but speaker_id is empty", "add the person to people.csv and give their person_id"
        return f"speaker_id {q(row.get('speaker_id'))} is set but speaker_kind is {q(row.get('speaker_kind'))}", "use speaker_kind 'person' for a named speaker"

    return CheckSpec("rule:speaker-kind", check, Rule("speaker-kind", "speaker_kind", say, needs_row=True))


def speaks_for_an_office(roles: Cols | None, basis: str | None = None) -> CheckSpec:
    """A named speaker speaks for the country or organisation of one of their offices: the row's
    `country` is the `country` of some `roles` row of its `speaker_id` (any source, any date: an
    office held once still explains the words). A speaker with no office that has a country (an
    analyst) is not judged. With `basis`, only rows of that basis are judged: in an official
    statement the speaker speaks for the row's actor, while a reported position or a forecast may
    name a person who does not."""
    sep = pa.scalar("\x1f", TEXT)
    holders = pairs = None  # people with an office that has a country, and their "person\x1fcountry" pairs (arrow)
    offices: dict[str, list[str]] = {}  # person -> sorted countries, built only when a failure is described
    if roles is not None and roles.has("person_id", "country"):
        person, country = roles["person_id"], roles["country"]
        both = pc.and_(pc.is_valid(person), pc.is_valid(country))
        person, country = pc.filter(person, both), pc.filter(country, both)
        holders = pc.unique(person)
        held_by = (person, country)
        pairs = pc.unique(pc.binary_join_element_wise(person, country, sep))

    def check(df: Cols):
        if holders is None or not df.has("speaker_id", "country"):
            return df.true()
        speaker, country = df["speaker_id"], df["country"]
        held = pc.is_in(pc.binary_join_element_wise(pc.fill_null(speaker, ""), pc.fill_null(country, ""), sep), value_set=pairs)
        judged = pc.and_(pc.is_in(speaker, value_set=holders), pc.is_valid(country))
        if basis is not None:
            if "basis" not in df:
                return df.true()
            judged = pc.and_(judged, pc.fill_null(pc.equal(df["basis"], basis), False))
        return pc.or_(pc.invert(judged), held)

    def say(v, row):
        if pairs is not None and not offices:
            for p, c in zip(*(a.to_pylist() for a in held_by)):
                offices.setdefault(p, set()).add(c)
            offices.update({p: sorted(cs) for p, cs in offices.items()})
        spk = row.get("speaker_id") if row is not None else None
        held = offices.get(spk, [])
        hint = (f"did you mean {q(held[0])}? Or add" if len(held) == 1 else f"use one of {names_list(held)}, or add") + " the office that explains the words to roles.csv"
        whose = "in an official statement, " if basis else ""
        return (f"{whose}country {q(v)} is not the country of any office of speaker {q(spk)} in roles.csv ({names_list(held)})",
                hint)

    key = "rule:speaker-office" + (f"-{basis}" if basis else "")
    return CheckSpec(key, check, Rule("speaker-country", "country", say, needs_row=True))
