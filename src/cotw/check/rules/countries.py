"""The countries table: a code fits its kind (ISO 3166-1 for states, checked against pycountry)."""
from __future__ import annotations

from functools import lru_cache

import pyarrow.compute as pc

from ..blocks import CheckSpec, Cols, Rule, isin, q
from ._shared import _lookup

CODES = ('country-code',)  # the rule codes this module's checks report


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
