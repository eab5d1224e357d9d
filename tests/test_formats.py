"""What users of each download format meet: typed Parquet columns with the recipe the README gives, an
Excel workbook that wraps long text and opens on an `about` sheet, a SQLite database whose Datasette
search box, facets and canned queries work, and a citation that follows from CITATION.cff."""
from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import cotw
from cotw.package import Package

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    """An export of the shipped data (the files a user downloads)."""
    from cotw.export import export

    out = tmp_path_factory.mktemp("formats") / "downloads"
    export(ROOT, out)
    return out


# ---------------------------------------------------------------- SQLite: full-text search, facets, canned queries


def verbatim_fields(pkg: Package) -> dict[str, list[str]]:
    """Per table, the fields the schema marks as words quoted from a source."""
    out = {}
    for name in pkg.names():
        cols = [f["name"] for f in pkg.schema(name)["fields"] if f.get("x-verbatim-in")]
        if cols:
            out[name] = cols
    return out


def test_every_quote_and_evidence_column_is_full_text_searchable(real):
    pkg = Package.open(ROOT)
    wanted = verbatim_fields(pkg)
    assert "statements" in wanted and "quote" in wanted["statements"]
    con = sqlite3.connect(real / "sqlite" / "cotw.db")
    meta = json.loads((real / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["tables"]
    for name, cols in wanted.items():
        fts = meta[name]["fts_table"]
        assert meta[name]["fts_pk"] == "rowid" and meta[fts]["hidden"] is True
        assert [r[1] for r in con.execute(f'PRAGMA table_info("{fts}")')] == cols
        # every word of the first row's first column finds that row, through the FTS index
        row = con.execute(f'SELECT rowid, "{cols[0]}" FROM "{name}" WHERE "{cols[0]}" IS NOT NULL ORDER BY rowid LIMIT 1').fetchone()
        word = max(re.findall(r"\w+", row[1]), key=len)
        hits = {r[0] for r in con.execute(f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH ?', [f'"{word}"'])}
        assert row[0] in hits
    hit = con.execute("SELECT s.quote FROM statements_fts f JOIN statements s ON s.rowid = f.rowid "
                      "WHERE statements_fts MATCH 'ceasefire' ORDER BY s.rowid").fetchall()
    like = con.execute("SELECT quote FROM statements WHERE quote LIKE '%ceasefire%' ORDER BY rowid").fetchall()
    assert hit == like and hit
    con.close()


def test_the_full_text_index_folds_diacritics(tmp_path):
    from test_export import make_package

    from cotw.export import export

    pkg = make_package(tmp_path / "p")  # people.evidence: "President Emmanuel Macron spoke after the summit."
    export(pkg, tmp_path / "o", ["sqlite"])
    con = sqlite3.connect(tmp_path / "o" / "sqlite" / "cotw.db")
    assert con.execute("SELECT count(*) FROM people_fts WHERE people_fts MATCH 'Emmánuel'").fetchone() == (1,)


def test_facets_are_the_controlled_vocabularies(real):
    pkg = Package.open(ROOT)
    tables = json.loads((real / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["tables"]
    for name in pkg.names():
        enums = [f["name"] for f in pkg.schema(name)["fields"] if "enum" in f.get("constraints", {})]
        assert tables[name].get("facets", []) == enums
    assert "troop_stance" in tables["countries"]["facets"]


def canned(real: Path) -> dict:
    return json.loads((real / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["queries"]


def test_canned_queries_answer_from_the_data(real):
    queries = canned(real)
    assert list(queries) == ["countries_by_troop_stance", "conditions_by_country", "who_said_what"]
    con = sqlite3.connect(real / "sqlite" / "cotw.db")
    countries = cotw.load("countries", ROOT)
    stance = con.execute(queries["countries_by_troop_stance"]["sql"]).fetchall()
    assert {s: n for s, n, _ in stance} == countries["troop_stance"].astype(str).value_counts().to_dict()
    assert dict((s, codes) for s, _, codes in stance)["leading"] == ", ".join(sorted(countries.loc[countries.troop_stance == "leading", "code"]))
    fra = con.execute(queries["conditions_by_country"]["sql"], {"country": "fra"}).fetchall()
    conditions = cotw.load("conditions", ROOT)
    assert sorted(r[-1] for r in fra) == sorted(conditions.loc[conditions.country == "FRA", "condition_id"])
    assert len(con.execute(queries["conditions_by_country"]["sql"], {"country": ""}).fetchall()) == len(conditions)
    said = con.execute(queries["who_said_what"]["sql"], {"speaker": "Healey"}).fetchall()
    statements = cotw.load("statements", ROOT)
    assert set(statements.loc[statements.speaker_id == "john-healey", "statement_id"]) <= {r[-1] for r in said}
    assert all("Healey" in r[2] for r in said)  # his own words, and collective ones that name him
    con.close()


def test_a_canned_query_is_left_out_when_its_tables_are_missing():
    from types import SimpleNamespace

    from cotw.export.sqlite import queries

    table = SimpleNamespace(fields=[{"name": "code"}, {"name": "troop_stance"}])
    assert list(queries({"countries": table})) == ["countries_by_troop_stance"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, **params):
    url = f"http://127.0.0.1:{port}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=20) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def datasette(real):
    """A real `datasette` serving the export on 127.0.0.1 (skipped where datasette is not installed)."""
    pytest.importorskip("datasette", reason="datasette is in the test extra: pip install -e '.[test]'")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "--immutable", str(real / "sqlite" / "cotw.db"),
                             "-m", str(real / "sqlite" / "metadata.json"), "-h", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(port, "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {proc.stderr.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.3)
        yield port
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()


def test_datasette_search_box_finds_quotes(datasette, real):
    rows = _get(datasette, "/cotw/statements.json", _search="ceasefire", _shape="array")
    con = sqlite3.connect(real / "sqlite" / "cotw.db")
    like = [r[0] for r in con.execute("SELECT statement_id FROM statements WHERE quote LIKE '%ceasefire%'")]
    assert sorted(r["statement_id"] for r in rows) == sorted(like) and like
    page = urllib.request.urlopen(f"http://127.0.0.1:{datasette}/cotw/statements", timeout=20).read().decode()
    assert 'name="_search"' in page  # the search box is shown
    evidence = _get(datasette, "/cotw/conditions.json", _search="ceasefire", _shape="array")
    assert evidence and all("ceasefire" in r["evidence"].lower() for r in evidence)


def test_datasette_shows_the_suggested_facets(datasette):
    data = _get(datasette, "/cotw/countries.json", _size=1)
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # datasette 1.0 nests them
    assert "troop_stance" in facets
    counts = {v["value"]: v["count"] for v in facets["troop_stance"]["results"]}
    assert counts == cotw.load("countries", ROOT)["troop_stance"].astype(str).value_counts().to_dict()


def test_datasette_runs_the_canned_queries(datasette, real):
    con = sqlite3.connect(real / "sqlite" / "cotw.db")
    for name, q in canned(real).items():
        params = {p: "" for p in re.findall(r":(\w+)", q["sql"])}
        rows = _get(datasette, f"/cotw/{name}.json", _shape="array", **params)
        assert [tuple(r.values()) for r in rows] == con.execute(q["sql"], params).fetchall(), name
    macron = _get(datasette, "/cotw/who_said_what.json", _shape="array", speaker="Macron")
    assert macron and {r["speaker"] for r in macron} == {"Emmanuel Macron"}
