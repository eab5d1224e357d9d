"""Rules a Table Schema cannot say: checks of whole rows (a `Cols` in, arrow booleans out; see blocks).

One module per subject, each declaring the rule codes its checks report (`CODES`), the way
frictionless keeps one check per module:

    evidence       evidence-pair        an optional evidence field and its source come together
    dates          edtf, date-after-source
    groups         group-key            a fact's group key names its representative row
    references     foreign-key, unreferenced (lists of references; the countries inclusion policy)
    sections       section              a row's section belongs to its source
    speakers       speaker-kind, speaker-country
    countries      country-code
    positions      issue-value
    contributions  own-troops
    claims         range
    links          link
    focus          focus                focus occurs in its evidence; rows sharing one evidence are told apart
    citations      same-words           rows citing the same words agree on basis and date
    facts          fact-values          rows of one fact agree on every coded value
    contradictions contradicts          contradicts joins rows about the same thing at the same time
    notes          note-coded           a note never says the row is coded otherwise than it is

Generic rules come from the descriptor's own annotations: `x-verbatim-in` (an evidence field names its
source column), `x-edtf` (an EDTF date: valid, and not after its source can have been published),
`x-group-key` (a fact's group key names a row of the same table whose key is itself), `x-list-of`
(a list of references, each of which must exist), `x-referenced` (a key that some other row must name).
The rest are specific to cotw's tables and listed in TABLE_RULES. Each returns True for rows that pass.
"""
from __future__ import annotations

from typing import Callable

from ..blocks import CheckSpec, Cols
from ...package import Package
from . import (citations, claims, contradictions, contributions, countries, dates, evidence, facts, focus, groups, links, notes,
               positions, references, sections, speakers)
from ._shared import OBSERVATIONS, key_of
from .citations import same_words
from .contradictions import contradicts_rules
from .facts import fact_agrees
from .focus import focus_distinct, focus_within
from .notes import note_matches_coding
from .claims import min_not_above_max, numbers
from .contributions import own_troops_are_positions
from .countries import code_matches_kind, iso_alpha2
from .dates import edtf_rules
from .evidence import pair_rule
from .groups import group_key
from .links import links_rules
from .positions import ISSUE_VALUES, value_for_issue
from .references import list_of, referenced
from .sections import section_rules
from .speakers import speaker_kind, speaks_for_an_office

MODULES = (evidence, dates, groups, references, sections, speakers, countries, positions, contributions, claims, links,
           focus, citations, facts, contradictions, notes)
CODES = {m.__name__.rsplit(".", 1)[1]: m.CODES for m in MODULES}  # module -> the rule codes it reports

__all__ = ["ISSUE_VALUES", "TABLE_RULES", "CODES", "MODULES", "for_table", "code_matches_kind", "edtf_rules", "group_key",
           "iso_alpha2", "links_rules", "list_of", "min_not_above_max", "numbers", "own_troops_are_positions", "pair_rule",
           "referenced", "section_rules", "speaker_kind", "speaks_for_an_office", "value_for_issue", "focus_within", "focus_distinct",
           "same_words", "fact_agrees", "contradicts_rules", "note_matches_coding"]


TABLE_RULES: dict[str, Callable[[Package, dict[str, Cols]], list[CheckSpec]]] = {
    "countries": lambda pkg, ctx: [code_matches_kind()],
    "statements": lambda pkg, ctx: [speaker_kind(), speaks_for_an_office(ctx.get("roles"))],
    "positions": lambda pkg, ctx: [value_for_issue(), speaks_for_an_office(ctx.get("roles"), "official_statement")],
    "conditions": lambda pkg, ctx: [speaks_for_an_office(ctx.get("roles"), "official_statement")],
    "contributions": lambda pkg, ctx: [own_troops_are_positions()],
    "claims": lambda pkg, ctx: [min_not_above_max()],
    "links": lambda pkg, ctx: [*links_rules(pkg, ctx), *contradicts_rules(pkg, ctx)],
}


def _observation_rules(pkg: Package, name: str, context: dict[str, Cols]) -> list[CheckSpec]:
    """The rules of issue 20 for the observation tables (and events, which have facts and notes too)."""
    tschema = pkg.schema(name)
    pk = key_of(name, tschema)
    fields = {f["name"] for f in tschema["fields"]}
    out: list[CheckSpec] = []
    if pk is None:
        return out
    if name in OBSERVATIONS:
        out.append(focus_distinct(name, pk))
        keys = {n: k for n in OBSERVATIONS if n in pkg.names() and (k := key_of(n, pkg.schema(n)))}
        out.append(same_words(name, pk, context, keys))
    if "fact_id" in fields and name in (*OBSERVATIONS, "events"):
        out.append(fact_agrees(name, pk))
    if "notes" in fields and name in (*OBSERVATIONS, "events"):
        spec = note_matches_coding(tschema)
        if spec is not None:
            out.append(spec)
    return out


def for_table(pkg: Package, name: str, context: dict[str, Cols]) -> list[CheckSpec]:
    tschema = pkg.schema(name)
    fields = {f["name"] for f in tschema["fields"]}
    pk = tschema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    out: list[CheckSpec] = []
    for f in tschema["fields"]:
        src = f.get("x-verbatim-in")
        if src in fields and not (f.get("constraints", {}).get("required")):
            out.append(pair_rule(f["name"], src))
        if f.get("x-edtf"):
            out.extend(edtf_rules(f["name"], context.get("sources"), name))
        if f.get("x-group-key") and len(pk) == 1:
            out.append(group_key(f["name"], pk[0]))
        if isinstance(f.get("x-list-of"), dict):
            out.append(list_of(f["name"], f["x-list-of"], context))
        if f.get("x-referenced") and pk == [f["name"]]:
            out.append(referenced(pkg, name, f["name"], context))
        if isinstance(f.get("x-within"), str) and f["x-within"] in fields:  # else profile.py reports it
            out.append(focus_within(f["name"], f["x-within"]))
    if "section_id" in fields and name != "sections":
        out.extend(section_rules(context))
    if name in TABLE_RULES:
        out.extend(TABLE_RULES[name](pkg, context))
    out.extend(_observation_rules(pkg, name, context))
    return out
