"""Reliability tooling: blind units for coders, Krippendorff's alpha per variable, docs/reliability.md kept current."""
from __future__ import annotations

import json
import re

import pytest

from cotw.curate import CurateError
from cotw.curate.reliability import VARIABLES, make_units, measure, report

ID = re.compile(r"\b(po|cd|ct|cl|ev|st)-[0-9]{4,}\b")


def test_units_are_blind_shuffled_with_a_fixed_seed_and_keyed(pkg, tmp_path):
    counts = make_units(pkg, tmp_path / "a")
    make_units(pkg, tmp_path / "b")
    units = [json.loads(line) for line in (tmp_path / "a" / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (tmp_path / "a" / "units.jsonl").read_bytes() == (tmp_path / "b" / "units.jsonl").read_bytes()  # fixed seed
    key = json.loads((tmp_path / "a" / "key.json").read_text(encoding="utf-8"))
    dataset = json.loads((tmp_path / "a" / "codings" / "dataset.json").read_text(encoding="utf-8"))
    assert [u["unit"] for u in units] == sorted(key) == sorted(dataset) and units[0]["unit"] == "u001"
    assert sum(counts.values()) == len(units) and set(counts) == set(VARIABLES)
    for u in units:
        text = json.dumps(u, ensure_ascii=False)
        assert not ID.search(text), u["unit"]  # no row id
        assert not {"notes", "fact_id", "date", "position_id"} & set(u)
        coded = set(VARIABLES[u["table"]])
        assert set(u["variables"]) == coded and not coded & set(u["fixed"])  # no coded value
    # the key leads back to the row, whose codes are the dataset's
    import cotw

    u = units[0]
    k = key[u["unit"]]
    df = cotw.read(k["table"], pkg)
    pk = cotw.Package.open(pkg).schema(k["table"])["primaryKey"]
    row = df[df[pk if isinstance(pk, str) else pk[0]] == k["id"]].iloc[0]
    assert row["evidence"] == u["evidence"]
    assert all(dataset[u["unit"]][v] == row[v] for v in VARIABLES[k["table"]])
    sectioned = [x for x in units if x.get("chapter")]
    assert sectioned and all(x["chapter"]["authors"] for x in sectioned)
    assert any(x["before"] and len(x["before"]) <= 700 and x["after"] is not None and len(x["after"]) <= 500 for x in units)


def test_a_source_option_limits_the_units_to_that_source(pkg, tmp_path):
    counts = make_units(pkg, tmp_path / "one", source="eu-diplomat-disagreement")
    units = [json.loads(line) for line in (tmp_path / "one" / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    assert units and sum(counts.values()) == len(units)
    assert {u["source_title"] for u in units} == {units[0]["source_title"]}
    with pytest.raises(CurateError, match="not a source_id"):
        make_units(pkg, tmp_path / "none", source="no-such-source")


def _fixture(tmp_path, coders: dict):
    root = tmp_path / "reliability"
    (root / "codings").mkdir(parents=True)
    key = {f"u{i:03d}": {"table": "positions", "id": f"po-{1000 + i}"} for i in range(1, 7)}
    (root / "key.json").write_text(json.dumps(key), encoding="utf-8")
    for name, codes in coders.items():
        (root / "codings" / f"{name}.json").write_text(json.dumps(codes), encoding="utf-8")
    (root / "adjudication.md").write_text("### Round 1\n\nu003: the coders read 'does not rule out' as willing; manual §positions says so.\n",
                                          encoding="utf-8")
    return root


VALUES = ["willing", "committed", "ruled_out", "willing", "undecided", "willing"]


def _codes(values, basis="official_statement"):
    return {f"u{i:03d}": {"value": v, "basis": basis} for i, v in enumerate(values, start=1)}


def test_alpha_per_variable_with_and_without_the_dataset(tmp_path):
    coder = list(VALUES)
    coder[2] = "willing"  # both coders say willing where the dataset says ruled_out
    root = _fixture(tmp_path, {"dataset": _codes(VALUES), "ann": _codes(coder), "bob": _codes(coder)})
    from cotw.curate.reliability import load_codings

    alphas, odd = measure(load_codings(root / "codings"), json.loads((root / "key.json").read_text()))
    value = next(a for a in alphas if (a.table, a.variable) == ("positions", "value"))
    assert value.alpha_coders == 1.0 and value.alpha_all < 1.0 and value.units == 6 and value.values == 4
    import krippendorff
    import numpy as np

    cats = {"committed": 0, "ruled_out": 1, "undecided": 2, "willing": 3}
    expected = krippendorff.alpha(reliability_data=np.array([[cats[v] for v in row] for row in (VALUES, coder, coder)], float),
                                  level_of_measurement="nominal")
    assert value.alpha_all == pytest.approx(expected)
    assert odd == [{"unit": "u003", "table": "positions", "id": "po-1003", "variable": "value", "coders": "willing", "dataset": "ruled_out"}]


def test_the_page_is_written_and_check_fails_on_drift(tmp_path, cli):
    coder = list(VALUES)
    coder[2] = "willing"
    root = _fixture(tmp_path, {"dataset": _codes(VALUES), "ann": _codes(coder), "bob": _codes(coder)})
    page = tmp_path / "docs" / "reliability.md"
    assert cli("reliability", "alpha", "--dir", root, "--out", page, "--check").exit_code == 1  # missing
    assert cli("reliability", "alpha", "--dir", root, "--out", page).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert "| positions | value |" in text and "| u003 | positions | po-1003 | value | willing | ruled_out |" in text
    assert "### Round 1" in text  # the hand-written adjudication
    assert cli("reliability", "alpha", "--dir", root, "--out", page, "--check").exit_code == 0
    (root / "codings" / "bob.json").write_text(json.dumps(_codes(VALUES)), encoding="utf-8")
    assert cli("reliability", "alpha", "--dir", root, "--out", page, "--check").exit_code == 1  # stale


def test_a_broken_coding_file_is_a_located_error(tmp_path, cli):
    root = _fixture(tmp_path, {"dataset": _codes(VALUES)})
    (root / "codings" / "ann.json").write_text('{"u001": {"value": 3}}', encoding="utf-8")
    result = cli("reliability", "alpha", "--dir", root, "--out", tmp_path / "r.md")
    assert result.exit_code == 2 and "ann.json" in result.stderr and "u001" in result.stderr
    (root / "codings" / "ann.json").write_text('{"u001": ', encoding="utf-8")
    result = cli("reliability", "alpha", "--dir", root, "--out", tmp_path / "r.md")
    assert result.exit_code == 1 and "ann.json:1:" in result.stderr


@pytest.mark.parametrize("folder,page", [("reliability", "docs/reliability.md"),
                                         ("reliability/round-1", "docs/reliability-round-1.md")])
def test_the_repositorys_reliability_page_is_current_whenever_coders_have_coded(root, folder, page):
    """Whenever a round's codings hold a coder file, its key is there and its page is what
    `cotw reliability alpha` writes (stale or missing fails). Before the first coding there is nothing to measure."""
    codings = root / folder / "codings"
    coders = [f for f in codings.glob("*.json") if f.stem != "dataset"] if codings.is_dir() else []
    if coders or (root / folder / "key.json").exists():
        assert (root / folder / "key.json").is_file(), f"coder files without {folder}/key.json cannot be measured"
        fresh, _ = report(root / folder, root / page, check=True)
        assert fresh, f"{page} is stale or missing: run `cotw reliability alpha --dir {folder} --out {page}`"