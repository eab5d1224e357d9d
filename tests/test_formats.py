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

    pkg = make_package(tmp_path / "p")  # roles.evidence: "President Emmanuel Macron spoke after the summit."
    export(pkg, tmp_path / "o", ["sqlite"])
    con = sqlite3.connect(tmp_path / "o" / "sqlite" / "cotw.db")
    assert con.execute("SELECT count(*) FROM roles_fts WHERE roles_fts MATCH 'Emmánuel'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM sections_fts WHERE sections_fts MATCH 'Zielinski'").fetchone() == (1,)  # Zieliński


def test_facets_are_the_controlled_vocabularies_and_the_country(real):
    pkg = Package.open(ROOT)
    tables = json.loads((real / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["tables"]
    for name in pkg.names():
        schema = pkg.schema(name)
        country = {k["fields"][0] for k in schema.get("foreignKeys", []) if k["reference"]["resource"] == "countries"}
        wanted = [f["name"] for f in schema["fields"] if "enum" in f.get("constraints", {}) or f["name"] in country]
        assert tables[name].get("facets", []) == wanted
    assert tables["positions"]["facets"] == ["country", "issue", "value", "basis"]
    assert tables["conditions"]["facets"] == ["country", "condition", "stance", "applies_to", "basis"]
    assert tables["derived_summary"]["facets"] == ["issue", "latest_value", "latest_by", "changed", "disagree"]
    assert tables["countries"]["label_column"] == "name" and tables["sources"]["label_column"] == "title"


def canned(real: Path) -> dict:
    return json.loads((real / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["queries"]


def none(value):
    """A missing value (NaN, NA, None) as None, as SQLite gives it."""
    return None if value is None or value != value else value


def run(con, sql: str, **params) -> list[dict]:
    cur = con.execute(sql, params)
    return [dict(zip([d[0] for d in cur.description], row)) for row in cur.fetchall()]


def test_canned_queries_answer_from_the_data(real):
    queries = canned(real)
    assert list(queries) == ["own_troops_by_country", "conditions_by_country", "who_said_what"]
    con = sqlite3.connect(real / "sqlite" / "cotw.db")

    # own troops: one row per country with own-troops observations, its latest report as cotw.summary() places it
    summary = cotw.summary(ROOT)
    own = summary[summary.issue == "own_troops"].set_index("country")
    positions = cotw.load("positions", ROOT).set_index("position_id")
    rows = run(con, queries["own_troops_by_country"]["sql"], country="")
    assert [r["country"] for r in rows] == sorted(own.index) and len(rows) > 10
    for r in rows:
        want = own.loc[r["country"]]
        assert (r["position_id"], r["value"], r["latest_by"], r["forecast"]) == tuple(
            none(want[c]) for c in ("latest_position_id", "latest_value", "latest_by", "forecast"))
        assert (r["reports"], r["disagree"], r["changed"]) == (want["reports"], int(want["disagree"]), int(want["changed"]))
        if r["position_id"]:
            p = positions.loc[r["position_id"]]
            assert p["issue"] == "own_troops" and p["basis"] != "analyst_forecast"
            assert (r["date"], r["basis"], r["source_id"], r["evidence"]) == (none(p["date"]), p["basis"], p["source_id"], p["evidence"])
    assert {r["value"] for r in rows} >= {"committed", "ruled_out"}
    assert [r["country"] for r in run(con, queries["own_troops_by_country"]["sql"], country="tur")] == ["TUR"]

    # conditions: every condition of the country asked for, with how firmly it is held
    conditions = cotw.load("conditions", ROOT)
    fra = run(con, queries["conditions_by_country"]["sql"], country="fra")
    assert sorted(r["condition_id"] for r in fra) == sorted(conditions.loc[conditions.country == "FRA", "condition_id"]) and fra
    every = run(con, queries["conditions_by_country"]["sql"], country="")
    assert len(every) == len(conditions)
    assert {r["stance"] for r in every} == set(conditions["stance"].astype(str))
    assert all(r["evidence"] and r["source_id"] and r["basis"] for r in every)

    # who said what: his quotations, each with its date as curated, earliest first
    statements = cotw.load("statements", ROOT).set_index("statement_id")
    said = run(con, queries["who_said_what"]["sql"], speaker="Healey")
    assert set(statements.index[statements.speaker_id == "john-healey"]) <= {r["statement_id"] for r in said} and said
    assert all("Healey" in r["speaker"] for r in said)  # his own words, and collective ones that name him
    assert [r["said"] for r in said] == [v if v == v else None for v in statements.loc[[r["statement_id"] for r in said], "said"]]
    everyone = run(con, queries["who_said_what"]["sql"], speaker="")
    assert len(everyone) == len(statements)
    starts = [statements.loc[r["statement_id"], ["said_earliest", "said_latest"]].min() for r in everyone]
    dated = [s for s in starts if s == s]
    assert dated == sorted(dated) and len(dated) < len(starts)  # dated first, in order; then the undated
    con.close()


def test_a_canned_query_is_left_out_when_its_tables_are_missing():
    from types import SimpleNamespace

    from cotw.export.sqlite import QUERIES, queries

    def table(*cols):
        fields = [{"name": c} for c in cols]
        return SimpleNamespace(fields=fields, schema={"fields": fields})

    needs = {name: tables for name, _, _, tables, _ in QUERIES}
    tables = {t: table(*cols) for t, cols in needs["conditions_by_country"].items()}
    assert list(queries(tables)) == ["conditions_by_country"]
    tables.update({t: table(*cols) for t, cols in needs["own_troops_by_country"].items() if t != "derived_summary"})
    assert list(queries(tables)) == ["conditions_by_country"]  # no summary: no own-troops query
    summary = table(*needs["own_troops_by_country"]["derived_summary"])
    assert list(queries(tables, summary)) == ["own_troops_by_country", "conditions_by_country"]
    del tables["countries"]
    assert list(queries(tables, summary)) == []


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
    data = _get(datasette, "/cotw/positions.json", _size=1)
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # datasette 1.0 nests them
    assert {"country", "issue", "value", "basis"} <= set(facets)
    counts = {v["value"]: v["count"] for v in facets["value"]["results"]}
    assert counts == cotw.load("positions", ROOT)["value"].astype(str).value_counts().to_dict()
    summary = _get(datasette, "/cotw/derived_summary.json", _size=1)["facet_results"]
    summary = summary.get("results", summary)
    assert {v["value"]: v["count"] for v in summary["issue"]["results"]} == cotw.summary(ROOT)["issue"].value_counts().to_dict()


def test_datasette_runs_the_canned_queries(datasette, real):
    con = sqlite3.connect(real / "sqlite" / "cotw.db")
    for name, q in canned(real).items():
        params = {p: "" for p in re.findall(r":(\w+)", q["sql"])}
        rows = _get(datasette, f"/cotw/{name}.json", _shape="array", **params)
        assert [tuple(r.values()) for r in rows] == con.execute(q["sql"], params).fetchall(), name
    macron = _get(datasette, "/cotw/who_said_what.json", _shape="array", speaker="Macron")
    assert macron and {r["speaker"] for r in macron} == {"Emmanuel Macron"}
    fra = _get(datasette, "/cotw/own_troops_by_country.json", _shape="array", country="FRA")
    assert [r["country"] for r in fra] == ["FRA"] and fra[0]["evidence"]


# ---------------------------------------------------------------- Parquet: the README's recipe for typed columns


def readme_block(language: str, containing: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if containing in b]
    return block


def test_the_readmes_parquet_recipe_gives_dates_and_nullable_booleans(real, monkeypatch):
    import datetime as dt

    import pandas as pd
    import pyarrow as pa

    code = readme_block("python", "read_parquet")
    assert 'dtype_backend="pyarrow"' in code
    monkeypatch.chdir(real.parent)  # the recipe reads downloads/parquet/..., as the README's main job writes it
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    positions, countries = scope["positions"], scope["countries"]
    for col in ("date_earliest", "date_latest"):
        assert positions[col].dtype == pd.ArrowDtype(pa.date32())
        assert all(isinstance(v, dt.date) for v in positions[col].dropna()) and positions[col].notna().any()
    loaded = cotw.load("positions", ROOT).set_index("position_id")
    assert list(positions["date_earliest"].astype("datetime64[ns]")) == list(loaded.loc[positions["position_id"], "date_earliest"])
    assert countries["eu_member"].dtype == pd.ArrowDtype(pa.bool_())
    assert countries["eu_member"].isna().any() and set(countries["eu_member"].dropna()) <= {True, False}
    loaded = cotw.load("countries", ROOT).set_index("code")
    typed = countries.set_index("code")
    pd.testing.assert_series_equal(typed["eu_member"].astype("boolean"), loaded.loc[typed.index, "eu_member"], check_index=False)
    # the defaults the README warns about
    assert pd.read_parquet(real / "parquet" / "positions.parquet")["date_earliest"].dtype == object


# ---------------------------------------------------------------- Excel: about sheet, wrapped text


def test_the_workbook_opens_on_an_about_sheet_with_title_version_licence_citation_and_sources(real):
    import openpyxl

    from cotw.export.citation import citation

    wb = openpyxl.load_workbook(real / "excel" / "cotw.xlsx")
    assert wb.sheetnames[0] == "about" and wb.sheetnames[1:] == cotw.names(ROOT) + ["derived_summary", "codebook"]
    rows = list(wb["about"].iter_rows(values_only=True))
    fields = {r[0]: r[1] for r in rows if r[0] and r[1]}
    d = Package.open(ROOT).descriptor
    assert fields["title"] == d["title"] and fields["version"] == cotw.__version__
    assert "CC-BY-4.0" in fields["licence"] and d["licenses"][0]["path"] in fields["licence"]
    assert fields["how to cite"] == citation(Package.open(ROOT), cotw.__version__)
    header = next(i for i, r in enumerate(rows) if r[0] == "source_id")
    listed = [r[0] for r in rows[header + 1:] if r[0]]
    assert listed == sorted(cotw.load("sources", ROOT)["source_id"])
    assert {"title", "published", "published_basis", "archive"} <= set(rows[header])  # the EDTF date, and where it comes from
    assert fields["derived_summary"].startswith("Derived by code, not curated")


def test_long_text_wraps_in_capped_columns_and_every_cell_is_top_aligned(real):
    import openpyxl
    from openpyxl.utils import get_column_letter

    from cotw.export.excel import MAX_WIDTH

    wb = openpyxl.load_workbook(real / "excel" / "cotw.xlsx")
    ws = wb["statements"]
    header = [c.value for c in ws[1]]
    quote = header.index("quote") + 1
    widths = {ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(header) + 1)}
    assert max(widths) <= MAX_WIDTH
    long = [c for c in ws[get_column_letter(quote)][1:] if c.value and len(c.value) > MAX_WIDTH]
    assert long and all(c.alignment.wrap_text for c in long)
    short = ws.cell(row=2, column=header.index("statement_id") + 1)
    assert not short.alignment.wrap_text and ws.column_dimensions["A"].width < MAX_WIDTH
    for sheet in wb:
        for row in sheet.iter_rows(min_row=2):
            assert all(c.alignment.vertical == "top" for c in row if c.value is not None), sheet.title


# ---------------------------------------------------------------- CITATION.cff and the page's "How to cite"


def cff() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_and_data_package_versions_are_pyprojects():
    import json
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert cff()["version"] == version
    # the data package says its own version, so a download names the data it holds wherever it goes
    assert json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"] == version


def test_citation_states_a_release_date_and_repository_only_when_they_exist():
    import tomllib

    meta = cff()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.search(rf"^## \[{re.escape(meta['version'])}\] - (\d{{4}}-\d{{2}}-\d{{2}})", changelog, flags=re.M)
    if released:
        assert str(meta.get("date-released")) == released.group(1)
    else:  # not released yet: no date is claimed
        assert "date-released" not in meta
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"].get("urls", {})
    assert meta.get("repository-code") == (urls.get("Repository") or urls.get("Source"))


def test_the_page_cites_from_citation_cff(tmp_path):
    from test_export import make_package

    from cotw.export import export

    pkg = make_package(tmp_path / "p")
    text = re.sub(r"^date-released:.*\n", "", (ROOT / "CITATION.cff").read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r'^version: .*$', 'version: "9.9.9"\ndate-released: 2031-02-03\nrepository-code: "https://example.org/cotw"', text,
                  count=1, flags=re.M)  # whatever the version is now
    (pkg / "CITATION.cff").write_text(text, encoding="utf-8")
    export(pkg, tmp_path / "o", ["excel"])
    page = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    cite = re.search(r"<h2>How to cite</h2>\s*<pre>(.*?)</pre>", page, flags=re.S).group(1)
    assert cite == ("cotw developers. cotw: the provenance-verified dataset of the European Coalition of the Willing "
                    "for Ukraine (2025). Version 9.9.9. Released 2031-02-03. https://example.org/cotw. Licence CC-BY-4.0.")
    import openpyxl

    about = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "o" / "excel" / "cotw.xlsx")["about"].iter_rows(values_only=True)}
    assert about["how to cite"] == cite


@pytest.mark.parametrize("content", [None, "{ not: yaml: [", "- a list\n", "x" * 100_000])
def test_without_a_readable_citation_cff_the_descriptor_is_cited(tmp_path, content):
    from test_export import make_package

    from cotw.export.citation import citation

    pkg = make_package(tmp_path / "p")
    if content is not None:
        (pkg / "CITATION.cff").write_text(content, encoding="utf-8")
    d = Package.open(pkg).descriptor
    assert citation(Package.open(pkg), "1.2.3") == f"cotw developers. {d['title']}. Version 1.2.3. Licence CC-BY-4.0."


def test_a_symlinked_citation_cff_is_not_read(tmp_path):
    from test_export import make_package

    from cotw.export.citation import citation

    pkg = make_package(tmp_path / "p")
    outside = tmp_path / "secret.cff"
    outside.write_text('title: "SECRET"\n', encoding="utf-8")
    (pkg / "CITATION.cff").symlink_to(outside)
    assert "SECRET" not in citation(Package.open(pkg), "1.2.3")
