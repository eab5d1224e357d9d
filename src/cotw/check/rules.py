"""Rules a Table Schema cannot say, as pandera DataFrame checks.

Generic rules come from the descriptor's own annotations (`x-precision` on a date field names its
precision column; `x-verbatim-in` on an evidence field names its source column). The rest are
specific to cotw's tables and listed in TABLE_RULES. Each returns True for rows that pass.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from .blocks import CheckSpec, Rule, q, text
from ..package import Package


def _has(df: pd.DataFrame, *cols: str) -> bool:
    return all(c in df.columns for c in cols)


def _true(df: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=df.index)


def _lookup(table: pd.Series, keys: pd.Series) -> pd.Series:
    """table[key] for each key (missing where absent), aligned to `keys` (Series.map breaks on an empty table)."""
    return pd.Series(table.reindex(text(keys).to_numpy()).to_numpy(), index=keys.index)


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(text(s), format="%Y-%m-%d", errors="coerce")


def precision_rules(date_col: str, prec_col: str) -> list[CheckSpec]:
    """A date and its precision agree: empty exactly when 'unknown'; month/year dates on the period's first day."""

    def empty_iff_unknown(df):
        if not _has(df, date_col, prec_col):
            return _true(df)
        prec = text(df[prec_col])
        known = prec.notna() & (prec != "unknown")
        return (df[date_col].notna() == known) | prec.isna()

    def first_of_period(df):
        if not _has(df, date_col, prec_col):
            return _true(df)
        d = _dates(df[date_col])
        prec = text(df[prec_col])
        bad_month = (prec == "month") & (d.dt.day != 1)
        bad_year = (prec == "year") & ((d.dt.day != 1) | (d.dt.month != 1))
        return ~(bad_month | bad_year).fillna(False).astype(bool)

    def say_empty(v, row):
        p = row.get(prec_col) if row is not None else None
        if p == "unknown" or pd.isna(p):
            return f"{date_col} {q(v)} is given but {prec_col} is {q(p)}", f"set {prec_col} to day, month or year, or empty {date_col}"
        return f"{date_col} is empty but {prec_col} is {q(p)}", f"give the date, or set {prec_col} to 'unknown'"

    def say_period(v, row):
        p = row.get(prec_col) if row is not None else None
        first = "the first day of the month" if p == "month" else "1 January"
        return f"{date_col} {q(v)} has {prec_col} {q(p)}, so it must be {first}", None

    return [
        CheckSpec(f"rule:{date_col}-empty-iff-unknown", empty_iff_unknown, Rule("date-precision", date_col, say_empty, needs_row=True)),
        CheckSpec(f"rule:{date_col}-first-of-period", first_of_period, Rule("date-precision", date_col, say_period, needs_row=True)),
    ]


def pair_rule(evidence_col: str, source_col: str) -> CheckSpec:
    """Evidence and its source come together: one without the other cannot be verified."""

    def both_or_neither(df):
        if not _has(df, evidence_col, source_col):
            return _true(df)
        return df[evidence_col].isna() == df[source_col].isna()

    def say(v, row):
        if row is not None and pd.isna(row.get(evidence_col)):
            return f"{source_col} is set but {evidence_col} is empty", f"quote the words of the source that support the row, or empty {source_col}"
        return f"{evidence_col} is set but {source_col} is empty", "name the source the words come from"

    return CheckSpec(f"rule:{evidence_col}-needs-{source_col}", both_or_neither, Rule("evidence-pair", evidence_col, say, needs_row=True))


def not_after_publication(date_col: str, sources: pd.DataFrame | None) -> CheckSpec:
    """A statement or event cannot be dated after the publication of the source that reports it.

    Both dates are compared at their precision: the row's date is the start of its period, the
    publication the end of its period (a source published in 'May 2025' can report May 8)."""

    published = None
    if sources is not None and _has(sources, "source_id", "published", "published_precision"):
        # the latest day the source can have been published: the end of its precision's period
        start = _dates(sources["published"])
        prec = text(sources["published_precision"])
        end = start.where(prec != "month", start + pd.offsets.MonthEnd(0))
        end = end.where(prec != "year", start + pd.offsets.YearEnd(0))
        published = pd.Series(end.values, index=text(sources["source_id"]).values)
        published = published[~published.index.duplicated()]

    def check(df):
        if published is None or not _has(df, date_col, "source_id"):
            return _true(df)
        pub = _lookup(published, df["source_id"])
        d = _dates(df[date_col])
        return ~(d > pub).fillna(False).astype(bool)

    def say(v, row):
        src = row.get("source_id") if row is not None else None
        pub = published.get(src) if published is not None else None
        when = pub.strftime("%Y-%m-%d") if pub is not None and not pd.isna(pub) else "?"
        return f"{date_col} {q(v)} is after the publication date of its source {src!r} (at the latest {when})", "check the date or its precision"

    return CheckSpec(f"rule:{date_col}-not-after-published", check, Rule("date-after-source", date_col, say, needs_row=True))


def speaker_country(people: pd.DataFrame | None) -> CheckSpec:
    """A named speaker speaks for their own country: statements.country equals people.country."""

    home = None
    if people is not None and _has(people, "person_id", "country"):
        home = pd.Series(text(people["country"]).values, index=text(people["person_id"]).values)
        home = home[~home.index.duplicated()]

    def check(df):
        if home is None or not _has(df, "speaker_id", "country"):
            return _true(df)
        expected = _lookup(home, df["speaker_id"])
        got = text(df["country"])
        return (expected == got) | expected.isna() | got.isna()

    def say(v, row):
        spk = row.get("speaker_id") if row is not None else None
        return f"country {q(v)} differs from the country of speaker {spk!r} in people.csv ({home.get(spk)!r})", f"did you mean {home.get(spk)!r}?"

    return CheckSpec("rule:country-matches-speaker", check, Rule("speaker-country", "country", say, needs_row=True))


def speaker_kind() -> CheckSpec:
    def check(df):
        if not _has(df, "speaker_kind", "speaker_id"):
            return _true(df)
        kind = text(df["speaker_kind"])
        return ((kind == "person") == df["speaker_id"].notna()) | kind.isna()

    def say(v, row):
        if row is not None and row.get("speaker_kind") == "person":
            return "speaker_kind is 'person' but speaker_id is empty", "add the person to people.csv and give their person_id"
        return f"speaker_id {row.get('speaker_id')!r} is set but speaker_kind is {row.get('speaker_kind')!r}", "use speaker_kind 'person' for a named speaker"

    return CheckSpec("rule:speaker-kind", check, Rule("speaker-kind", "speaker_kind", say, needs_row=True))


def not_self(col: str, key: str) -> CheckSpec:
    def check(df):
        if not _has(df, col, key):
            return _true(df)
        return (text(df[col]) != text(df[key])) | df[col].isna()

    return CheckSpec(f"rule:{col}-not-self", check, Rule("self-reference", col, lambda v, r: (f"{col} {q(v)} points to the row itself", None)))


def unclear_needs_counter() -> CheckSpec:
    def check(df):
        if not _has(df, "troop_stance", "counter_evidence"):
            return _true(df)
        return (text(df["troop_stance"]) != "unclear") | df["counter_evidence"].notna()

    return CheckSpec("rule:unclear-needs-counter-evidence", check, Rule("unclear-stance", "counter_evidence", lambda v, r: (
        "troop_stance is 'unclear' but counter_evidence is empty", "record both pieces of evidence: evidence and counter_evidence"), needs_row=True))


def membership_needs_evidence() -> CheckSpec:
    def check(df):
        if not _has(df, "eu_member", "nato_member", "membership_evidence"):
            return _true(df)
        stated = df["eu_member"].notna() | df["nato_member"].notna()
        return ~stated | df["membership_evidence"].notna()

    return CheckSpec("rule:membership-needs-evidence", check, Rule("membership-evidence", "membership_evidence", lambda v, r: (
        "eu_member or nato_member is set but membership_evidence is empty", "quote the source's words that state the membership, or leave both empty"), needs_row=True))


def code_matches_kind() -> CheckSpec:
    """States carry an ISO 3166-1 alpha-3 code (checked against pycountry); organisations 'EU' or 'NATO'."""

    def check(df):
        if not _has(df, "code", "kind"):
            return _true(df)
        import pycountry

        iso = {c.alpha_3 for c in pycountry.countries}
        code, kind = text(df["code"]), text(df["kind"])
        state_ok = (kind != "state") | code.isin(iso)
        org_ok = (kind != "organization") | code.isin(["EU", "NATO"])
        return (state_ok & org_ok) | code.isna() | kind.isna()

    def say(v, row):
        if row is not None and row.get("kind") == "organization":
            return f"code {q(v)} is not an organisation code (EU or NATO)", "organisations are admitted by the inclusion policy in the codebook"
        return f"code {q(v)} is not an ISO 3166-1 alpha-3 country code", None

    return CheckSpec("rule:code-matches-kind", check, Rule("country-code", "code", say, needs_row=True))


def min_not_above_max() -> CheckSpec:
    def check(df):
        if not _has(df, "value_min", "value_max"):
            return _true(df)
        lo = pd.to_numeric(text(df["value_min"]), errors="coerce")
        hi = pd.to_numeric(text(df["value_max"]), errors="coerce")
        return ~(lo > hi).fillna(False).astype(bool)

    return CheckSpec("rule:value-min-not-above-max", check, Rule("range", "value_min", lambda v, r: (
        f"value_min {q(v)} is greater than value_max {q(r.get('value_max'))}", None), needs_row=True))


TABLE_RULES: dict[str, Callable[[dict[str, pd.DataFrame]], list[CheckSpec]]] = {
    "countries": lambda ctx: [unclear_needs_counter(), membership_needs_evidence(), code_matches_kind()],
    "statements": lambda ctx: [speaker_kind(), speaker_country(ctx.get("people")), not_self("same_as", "statement_id"),
                               not_after_publication("said", ctx.get("sources"))],
    "events": lambda ctx: [not_self("same_as", "event_id"), not_after_publication("date", ctx.get("sources"))],
    "claims": lambda ctx: [not_self("contradicts", "claim_id"), min_not_above_max()],
}


def for_table(pkg: Package, name: str, context: dict[str, pd.DataFrame]) -> list[CheckSpec]:
    tschema = pkg.schema(name)
    fields = {f["name"] for f in tschema["fields"]}
    out: list[CheckSpec] = []
    for f in tschema["fields"]:
        if f.get("x-precision") in fields:
            out.extend(precision_rules(f["name"], f["x-precision"]))
        src = f.get("x-verbatim-in")
        if src in fields and not (f.get("constraints", {}).get("required")):
            out.append(pair_rule(f["name"], src))
    if name in TABLE_RULES:
        out.extend(TABLE_RULES[name](context))
    return out
