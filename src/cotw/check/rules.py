"""Rules a Table Schema cannot say: checks of whole rows (a `Cols` in, arrow booleans out; see blocks).

Generic rules come from the descriptor's own annotations: `x-verbatim-in` (an evidence field names its
source column), `x-edtf` (an EDTF date: valid, and not after its source can have been published),
`x-group-key` (a fact's group key names a row of the same table whose key is itself), `x-list-of`
(a list of references, each of which must exist), `x-referenced` (a key that some other row must name).
The rest are specific to cotw's tables and listed in TABLE_RULES. Each returns True for rows that pass.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from .blocks import TEXT, CheckSpec, Cols, Rule, isin, number, q
from ..report import names_list, shorten
from ..package import Package


_DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def _missing(v) -> bool:
    """A missing cell of a row as pandas gives it (None or NaN)."""
    return v is None or (isinstance(v, float) and v != v)


def _lookup(table: dict[str, str], keys):
    """table[key] for each cell of `keys` (null where absent or missing), as arrow text."""
    return pc.take(pa.array(list(table.values()), TEXT), pc.index_in(keys, value_set=pa.array(list(table), TEXT)))


def pair_rule(evidence_col: str, source_col: str) -> CheckSpec:
    """Evidence and its source come together: one without the other cannot be verified."""

    def both_or_neither(df: Cols):
        if not df.has(evidence_col, source_col):
            return df.true()
        return pc.equal(df[evidence_col].is_null(), df[source_col].is_null())

    def say(v, row):
        if row is not None and _missing(row.get(evidence_col)):
            return f"{source_col} is set but {evidence_col} is empty", f"quote the words of the source that support the row, or empty {source_col}"
        return f"{evidence_col} is set but {source_col} is empty", "name the source the words come from"

    return CheckSpec(f"rule:{evidence_col}-needs-{source_col}", both_or_neither, Rule("evidence-pair", evidence_col, say, needs_row=True))


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


@lru_cache(maxsize=1)
def iso_alpha2() -> dict[str, str]:
    """{alpha-3: alpha-2} of every ISO 3166-1 country, from pycountry's own data file (read as JSON: building
    pycountry's objects costs ~15 ms, a twentieth of the whole check of the shipped data); through
    pycountry's API when the file is not where pycountry 24 keeps it. tests/test_reference.py checks both agree."""
    import json
    from importlib.util import find_spec

    spec = find_spec("pycountry")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(f"{folder}/databases/iso3166-1.json", encoding="utf-8") as fh:
                return {c["alpha_3"]: c["alpha_2"] for c in json.load(fh)["3166-1"]}
        except (OSError, ValueError, KeyError, TypeError):
            pass
    import pycountry

    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def code_matches_kind() -> CheckSpec:
    """States carry an ISO 3166-1 alpha-3 code and its alpha-2 code (both checked against pycountry);
    organisations 'EU' or 'NATO'; the coalition itself 'COALITION'."""

    expected_alpha2 = iso_alpha2

    def check(df: Cols):
        if not df.has("code", "kind"):
            return df.true()
        iso = expected_alpha2()
        missing = pc.or_(df["code"].is_null(), df["kind"].is_null())
        code, kind = pc.fill_null(df["code"], ""), pc.fill_null(df["kind"], "")
        state = pc.equal(kind, "state")
        state_ok = pc.or_(pc.invert(state), isin(code, iso))
        if "iso_alpha2" in df:
            a2 = df["iso_alpha2"]
            state_ok = pc.and_(state_ok, pc.or_(pc.invert(state), pc.fill_null(pc.equal(a2, _lookup(iso, code)), False)))
            state_ok = pc.and_(state_ok, pc.or_(state, a2.is_null()))
        org_ok = pc.or_(pc.not_equal(kind, "organisation"), isin(code, ["EU", "NATO"]))
        coalition_ok = pc.or_(pc.not_equal(kind, "coalition"), pc.equal(code, "COALITION"))
        return pc.or_(pc.and_(pc.and_(state_ok, org_ok), coalition_ok), missing)

    def say(v, row):
        kind = row.get("kind") if row is not None else None
        if kind == "organisation":
            return f"code {q(v)} is not an organisation code (EU or NATO)", "organisations are admitted by the inclusion policy in the codebook"
        if kind == "coalition":
            return f"code {q(v)} of the coalition must be 'COALITION'", None
        a2 = expected_alpha2().get(v)
        if a2 is None:
            return f"code {q(v)} is not an ISO 3166-1 alpha-3 country code", None
        got = row.get("iso_alpha2") if row is not None else None
        return f"iso_alpha2 {q(got)} of {v} is not its ISO 3166-1 alpha-2 code", f"did you mean '{a2}'?"

    return CheckSpec("rule:code-matches-kind", check, Rule("country-code", "code", say, needs_row=True))


def numbers(a):
    """Each cell of arrow text `a` as the number cotw.load reads (float64), null where it is none;
    computed once per distinct value."""
    distinct = pc.unique(a).drop_null()
    read = [number(v) for v in distinct.to_pylist()]
    return pc.take(pa.array(read, pa.float64()), pc.index_in(a, value_set=distinct))


def min_not_above_max() -> CheckSpec:
    def check(df: Cols):
        if not df.has("value_min", "value_max"):
            return df.true()
        lo, hi = (numbers(df[c]) for c in ("value_min", "value_max"))
        return pc.invert(pc.fill_null(pc.greater(lo, hi), False))  # a missing bound, or one that is no number, is never greater

    return CheckSpec("rule:value-min-not-above-max", check, Rule("range", "value_min", lambda v, r: (
        f"value_min {q(v)} is greater than value_max {q(r.get('value_max'))}", None), needs_row=True))




# --- 0.2: dates, group keys, lists of references, sections, links ------------------------------

def _dates_of(table: Cols | None, key: str, col: str):
    """{key: (earliest, latest)} of an EDTF column of another table."""
    from ..dates import DateError, bounds

    out = {}
    if table is None or not table.has(key, col):
        return out
    for k, v in zip(table[key].to_pylist(), table[col].to_pylist()):
        if isinstance(k, str) and isinstance(v, str) and k not in out:
            try:
                out[k] = bounds(v)
            except DateError:
                pass
    return out


def edtf_rules(col: str, sources: Cols | None, table: str) -> list[CheckSpec]:
    """An EDTF date is one cotw accepts (see cotw.dates), and no row's date starts after its source can
    have been published (the latest day the publication date allows)."""
    from ..dates import DateError, bounds, check as why

    def valid(df: Cols):
        if col not in df:
            return df.true()
        dates = df[col]
        bad = [v for v in pc.unique(dates).drop_null().to_pylist() if why(v)]  # a column has few distinct dates
        return pc.invert(isin(dates, bad))

    def say_invalid(v, row):
        hint = "write an EDTF date: 2025-04-10, 2025-04, 2025-05-08/2025-05-10, ../2025-04-10, XXXX-04-10"
        m = _DAY_FIRST.fullmatch(str(v))
        if m:
            hint = f"EDTF writes the year first: '{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}' if the day comes first"
        return f"{col} {why(v) if isinstance(v, str) else q(v)}", hint

    out = [CheckSpec(f"rule:{col}-edtf", valid, Rule("edtf", col, say_invalid))]
    if table == "sources" or sources is None:
        return out
    published = {k: hi for k, (lo, hi) in _dates_of(sources, "source_id", "published").items() if hi is not None}

    def not_after(df: Cols):
        if not published or not df.has(col, "source_id"):
            return df.true()
        dates = df[col]
        distinct = pc.unique(dates).drop_null()
        earliest = []  # per distinct date (a column has few), as a day number; None: invalid or open
        for v in distinct.to_pylist():
            try:
                lo = bounds(v)[0]
            except DateError:
                lo = None
            earliest.append(None if lo is None else lo.toordinal())

        lo = pc.take(pa.array(earliest, pa.int64()), pc.index_in(dates, value_set=distinct))
        sids = pa.array(list(published), TEXT)
        pub = pc.take(pa.array([d.toordinal() for d in published.values()], pa.int64()), pc.index_in(df["source_id"], value_set=sids))
        return pc.fill_null(pc.less_equal(lo, pub), True)

    def say_after(v, row):
        sid = row.get("source_id") if row is not None else None
        pub = published.get(sid)
        return (f"{col} {q(v)} starts after its source {q(sid)} can have been published (at the latest {pub})",
                "check the date; a source cannot report what happened after it was published")

    out.append(CheckSpec(f"rule:{col}-not-after-published", not_after, Rule("date-after-source", col, say_after, needs_row=True)))
    return out


def group_key(col: str, pk: str) -> CheckSpec:
    """A group key names a row of the same table whose own key is itself (the group's representative)."""

    def check(df: Cols):
        if not df.has(col, pk):
            return df.true()
        g = df[col]
        at = pc.index_in(g, value_set=df[pk])  # the first row whose key is the group key
        return pc.or_(pc.fill_null(pc.equal(pc.take(g, at), g), False), pc.is_null(g))

    def say(v, row):
        return (f"{col} {q(v)} is not the id of a row of this table whose {col} is itself",
                f"a group key is the id of one row of the group (usually its first), and that row's {col} is its own id")

    return CheckSpec(f"rule:{col}-group-key", check, Rule("group-key", col, say))


def list_of(col: str, spec: dict, context: dict[str, Cols]) -> CheckSpec:
    """Every element of a separated list of references exists in the referenced table."""
    target = context.get(spec.get("resource"))
    field, sep = spec.get("field"), spec.get("separator", ";")
    known = set(target[field].drop_null().to_pylist()) if target is not None and field in target else None

    def missing(v):
        return [x for x in str(v).split(sep) if x not in known] if known is not None else []

    def check(df: Cols):
        if known is None or col not in df:
            return df.true()
        a = df[col]
        good = [v for v in pc.unique(a).drop_null().to_pylist() if not missing(v)]  # once per distinct list
        return pc.or_(isin(a, good), a.is_null())

    def say(v, row):
        gone = missing(v)  # a listed name each, cut and counted past a few: a cell may list thousands
        return f"{col} names {names_list(gone, quote=True)}, which {'is not a ' + str(field) if len(gone) == 1 else f'are not {field} values'} in {spec.get('resource')}", None

    return CheckSpec(f"rule:{col}-list-of", check, Rule("foreign-key", col, say))


def section_rules(context: dict[str, Cols]) -> list[CheckSpec]:
    """A row's section belongs to the row's source; a row from a source that has sections names its section."""
    sections = context.get("sections")
    owner = {}
    if sections is not None and sections.has("section_id", "source_id"):
        owner = dict(zip(sections["section_id"].to_pylist(), sections["source_id"].to_pylist()))
    sectioned = set(owner.values())

    def same_source(df: Cols):
        if not owner or not df.has("section_id", "source_id"):
            return df.true()
        known = {k: v for k, v in owner.items() if k is not None}  # as a lookup, a missing key finds nothing
        want = _lookup(known, df["section_id"])  # null for a section no row has: that row fails, as its source is not the section's
        return pc.or_(pc.fill_null(pc.equal(want, df["source_id"]), False), df["section_id"].is_null())

    def named(df: Cols):
        if not sectioned or not df.has("section_id", "source_id"):
            return df.true()
        source = df["source_id"]
        of_sectioned = isin(source, sectioned - {None})
        if None in sectioned:  # a section without a source (itself invalid): a row without one matches it
            of_sectioned = pc.or_(of_sectioned, source.is_null())
        return pc.invert(pc.and_(of_sectioned, df["section_id"].is_null()))

    def say_other(v, row):
        mine = row.get("source_id") if row is not None else None
        if v not in owner:
            return f"section {q(v)} is not in sections.csv, so it is no section of source {q(mine)}", None
        if owner[v] is None:
            return f"section {q(v)} has no source_id in sections.csv, so it is no section of source {q(mine)}", None
        return f"section {q(v)} belongs to source {q(owner[v])}, not to {q(mine)}", None

    return [CheckSpec("rule:section-of-source", same_source, Rule("section", "section_id", say_other, needs_row=True)),
            CheckSpec("rule:section-required", named, Rule("section", "section_id", lambda v, r: (
                f"source {q(r.get('source_id'))} has authored sections, but section_id is empty",
                "name the section the evidence comes from (sections.csv): its authors made any assessment"), needs_row=True))]


ISSUE_VALUES = {"own_troops": {"committed", "willing", "undecided", "ruled_out"},
                "participation": {"leads", "joined", "prospective", "declined"},
                "deployment": {"supports", "reservations", "opposes"}}


def value_for_issue() -> CheckSpec:
    def check(df: Cols):
        if not df.has("issue", "value"):
            return df.true()
        issue, value = df["issue"], df["value"]
        ok = pc.or_(pc.is_null(value), pc.invert(isin(issue, ISSUE_VALUES)))
        for name, allowed in ISSUE_VALUES.items():
            of_issue = pc.fill_null(pc.equal(issue, name), False)
            ok = pc.or_(ok, pc.and_(of_issue, isin(value, sorted(allowed))))
        return ok

    def say(v, row):
        issue = row.get("issue") if row is not None else None
        return f"value {q(v)} is not a value of issue {q(issue)}", f"the values of {shorten(issue)} are: {', '.join(sorted(ISSUE_VALUES.get(issue, ())))}"

    return CheckSpec("rule:value-for-issue", check, Rule("issue-value", "value", say, needs_row=True))


def own_troops_are_positions() -> CheckSpec:
    def check(df: Cols):
        if not df.has("kind", "scope"):
            return df.true()
        return pc.invert(pc.fill_null(pc.and_(pc.equal(df["kind"], "troops"), pc.equal(df["scope"], "coalition")), False))

    return CheckSpec("rule:own-troops-are-positions", check, Rule("own-troops", "kind", lambda v, r: (
        "own troops for the coalition force are a position (positions, issue own_troops), not a contribution",
        "move the row to positions.csv with issue own_troops"), needs_row=True))


def _prefixes(pkg: Package) -> dict[str, str]:
    """{id prefix: table} for tables whose single-field primary key has a pattern like ^po-[0-9]{4,}$."""
    import re

    out = {}
    for name in pkg.names():
        sch = pkg.schema(name)
        pk = sch.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        if len(pk) != 1:
            continue
        for f in sch["fields"]:
            m = re.match(r"^\^([a-z]+)-\[0-9\]", str(f.get("constraints", {}).get("pattern", ""))) if f.get("name") == pk[0] else None
            if m:
                out[m.group(1)] = name
    return out


def links_rules(pkg: Package, context: dict[str, Cols]) -> list[CheckSpec]:
    """Both ends of a link exist; contradicts is stored both ways; part_of joins statements; rests_on
    points from an observation to a statement; no row links to itself."""
    tables = _prefixes(pkg)
    ids: dict[str, object] = {}  # prefix -> the keys of its table (arrow); a table that could not be read is not judged
    for prefix, name in tables.items():
        other = context.get(name)
        pk = (pkg.schema(name).get("primaryKey") or [None])
        pk = pk if isinstance(pk, str) else pk[0]
        if other is not None and pk in other:
            ids[prefix] = other[pk]
    known: dict[str, set] = {}  # the same as Python sets, built only when a failure is described

    def exists(v) -> bool:
        prefix = str(v).split("-", 1)[0]
        if prefix not in tables:
            return False  # no table's ids look like this: the link names nothing (a schema without the id pattern lets it through)
        if prefix in ids and prefix not in known:
            known[prefix] = set(ids[prefix].drop_null().to_pylist())
        return prefix not in ids or v in known[prefix]  # a table that could not be read is not judged

    def prefix_of(a):
        """What str(v).split("-")[0] gives for each cell ('nan' for a missing one, as str(NaN))."""
        return pc.list_element(pc.split_pattern(pc.fill_null(a, "nan"), "-", max_splits=1), 0)

    def all_exist(a):
        """Null, or a key of the table its prefix names; a prefix of a table that could not be read is not
        judged; a prefix that names no table names nothing."""
        head = prefix_of(a)
        ok = pc.is_null(a)
        unread = [p for p in tables if p not in ids]
        fine = pc.is_in(head, value_set=pa.array(unread, TEXT))
        for prefix, keys in ids.items():
            fine = pc.or_(fine, pc.and_(pc.equal(head, prefix), pc.is_in(a, value_set=keys)))
        return pc.or_(ok, pc.fill_null(fine, False))

    def ends_exist(df: Cols):
        if not df.has("from_id", "to_id"):
            return df.true()
        a = df["from_id"]
        both = all_exist(pa.chunked_array(a.chunks + df["to_id"].chunks, TEXT))  # one hash table per key set
        return pc.and_(both.slice(0, len(a)), both.slice(len(a)))

    def say_missing(v, row):
        gone = [shorten(x) for x in (row.get("from_id"), row.get("to_id")) if isinstance(x, str) and not exists(x)]
        row = {k: shorten(row.get(k)) for k in ("from_id", "relation", "to_id")}
        where = tables.get(gone[0].split("-")[0])
        return (f"link {row.get('from_id')} {row.get('relation')} {row.get('to_id')}: {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not a row of {where}" if where else
                f"link {row.get('from_id')} {row.get('relation')} {row.get('to_id')}: {', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not the id of a row of any table"), (
            None if where else f"a link joins rows by their ids, which begin with {', '.join(sorted(p + '-' for p in tables))}")

    def symmetric(df: Cols):
        """A contradicts row's reverse is a row too. Cells are compared by their code in one dictionary
        of both columns, a missing cell (code 0) equal to a missing one, as the tuples of Python's set were."""
        if not df.has("from_id", "relation", "to_id"):
            return df.true()
        a, b = df["from_id"], df["to_id"]
        is_c = pc.fill_null(pc.equal(df["relation"], "contradicts"), False)
        codes = pc.dictionary_encode(pa.chunked_array(a.chunks + b.chunks, TEXT)).combine_chunks().indices
        codes = pc.add(pc.fill_null(pc.cast(codes, pa.int64()), -1), 1)
        n, width = len(a), len(codes) + 1
        ca, cb = codes.slice(0, n), codes.slice(n)
        pairs = pc.add(pc.multiply(ca, width), cb)
        have = pc.filter(pairs, is_c)  # the reverse of a contradicts row must itself be a contradicts row
        reverse = pc.add(pc.multiply(cb, width), ca)
        return pc.or_(pc.invert(is_c), pc.is_in(reverse, value_set=have))

    def well_typed(df: Cols):
        if not df.has("from_id", "relation", "to_id"):
            return df.true()
        x, y = df["from_id"], df["to_id"]
        rel = df["relation"]
        px, py = prefix_of(x), prefix_of(y)

        def only(relation, ok):  # rel != relation or ok (a missing relation is none of them)
            return pc.or_(pc.invert(pc.fill_null(pc.equal(rel, relation), False)), ok)

        distinct = pc.fill_null(pc.not_equal(x, y), True)  # NaN != anything, itself included
        ok = pc.and_(distinct, only("part_of", pc.and_(pc.equal(px, "st"), pc.equal(py, "st"))))
        ok = pc.and_(ok, only("rests_on", pc.and_(pc.is_in(px, value_set=pa.array(["po", "cd", "ct", "cl"], TEXT)), pc.equal(py, "st"))))
        ok = pc.and_(ok, only("contradicts", pc.equal(px, py)))
        return ok

    def say_typed(v, row):
        x, rel, y = (shorten(row.get(k)) for k in ("from_id", "relation", "to_id"))
        if row.get("from_id") == row.get("to_id"):
            return f"link {x} {rel} {y} links a row to itself", None
        need = {"part_of": "a statement to a statement", "rests_on": "a position, condition, contribution or claim to a statement",
                "contradicts": "two rows of the same table"}.get(rel, "?")
        return f"link {x} {rel} {y}: {rel} joins {need}", None

    return [CheckSpec("rule:link-ends-exist", ends_exist, Rule("link", "from_id", say_missing, needs_row=True)),
            CheckSpec("rule:contradicts-symmetric", symmetric, Rule("link", "relation", lambda v, r: (
                f"{shorten(r.get('from_id'))} contradicts {shorten(r.get('to_id'))}, but {shorten(r.get('to_id'))} contradicts {shorten(r.get('from_id'))} is missing",
                "contradicts is symmetric: add the reverse row"), needs_row=True)),
            CheckSpec("rule:link-types", well_typed, Rule("link", "relation", say_typed, needs_row=True))]


def referenced(pkg: Package, table: str, key: str, context: dict[str, Cols]) -> CheckSpec:
    """A row of `table` exists only when some row of another table names it (the `x-referenced`
    annotation on its key, e.g. the countries inclusion policy)."""
    used: list | None = []  # the naming columns (arrow)
    for name in pkg.names():
        for k in pkg.schema(name).get("foreignKeys", []):
            ref = k.get("reference", {})
            if ref.get("resource") == table and name != table:
                other = context.get(name)
                field = k.get("fields")
                field = field[0] if isinstance(field, list) else field
                if other is None:
                    used = None  # a table could not be read: do not judge
                    break
                if field in other:
                    used.append(pc.unique(other[field]).drop_null())
        if used is None:
            break

    def check(df: Cols):
        if used is None or key not in df:
            return df.true()
        names = pa.concat_arrays(used) if used else pa.array([], TEXT)
        k = df[key]
        return pc.or_(pc.is_in(k, value_set=names), pc.is_null(k))

    return CheckSpec(f"rule:{key}-referenced", check, Rule("unreferenced", key, lambda v, r: (
        f"{key} {q(v)} is named by no row of any other table", "the inclusion policy admits a row only when another row names it: remove the row, or add the row that names it")))


TABLE_RULES: dict[str, Callable[[Package, dict[str, Cols]], list[CheckSpec]]] = {
    "countries": lambda pkg, ctx: [code_matches_kind()],
    "statements": lambda pkg, ctx: [speaker_kind(), speaks_for_an_office(ctx.get("roles"))],
    "positions": lambda pkg, ctx: [value_for_issue(), speaks_for_an_office(ctx.get("roles"), "official_statement")],
    "conditions": lambda pkg, ctx: [speaks_for_an_office(ctx.get("roles"), "official_statement")],
    "contributions": lambda pkg, ctx: [own_troops_are_positions()],
    "claims": lambda pkg, ctx: [min_not_above_max()],
    "links": links_rules,
}


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
    if "section_id" in fields and name != "sections":
        out.extend(section_rules(context))
    if name in TABLE_RULES:
        out.extend(TABLE_RULES[name](pkg, context))
    return out
