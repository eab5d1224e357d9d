"""Reference attributes of countries come from maintained reference packages, not from the sources:
ISO codes from pycountry (also checked by `cotw check`), EU membership from the EU27 column of
country_converter's table. Its converter class cannot load under pandas 3 (the ISO2 code of Namibia,
"NA", becomes a missing value), so the table is read here directly, keeping "NA" as text."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import cotw

NEXT = Path(__file__).resolve().parents[1]  # the package (countries as a reference table)


def eu27() -> set[str]:
    import pandas as pd

    spec = importlib.util.find_spec("country_converter")
    if spec is None:
        pytest.skip("country_converter (a test extra) is not installed")
    table = Path(spec.submodule_search_locations[0]) / "country_data.tsv"
    ref = pd.read_csv(table, sep="\t", dtype=str, keep_default_na=False)
    assert len(ref) > 200 and (ref.ISO2 == "NA").any()  # read whole, with Namibia's code kept as text
    return set(ref.loc[ref.EU27 == "EU27", "ISO3"])


def test_eu_membership_is_the_reference_tables():
    countries = cotw.load("countries", NEXT)
    states = countries[countries.kind == "state"]
    members = eu27()
    assert len(members) == 27
    wrong = {c: bool(m) for c, m in zip(states.code, states.eu_member) if bool(m) != (c in members)}
    assert not wrong, f"eu_member disagrees with country_converter's EU27 for {wrong}"
    assert countries.loc[countries.kind != "state", "eu_member"].isna().all()


def test_iso_alpha2_is_pycountrys():
    import pycountry

    countries = cotw.load("countries", NEXT)
    for code, a2, kind in zip(countries.code, countries.iso_alpha2, countries.kind):
        if kind == "state":
            assert pycountry.countries.get(alpha_3=code).alpha_2 == a2
        else:
            assert a2 is None or a2 != a2  # missing


def test_the_check_reads_pycountrys_iso_codes_as_pycountry_gives_them():
    import pycountry

    from cotw.check.rules import iso_alpha2

    assert iso_alpha2() == {c.alpha_3: c.alpha_2 for c in pycountry.countries}

