"""`cotw export`: every format read back gives the rows and values of `cotw.load()`, two exports are
byte-identical, invalid data is refused, and an export replaces its target only when complete."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

import cotw

ROOT = Path(__file__).resolve().parents[1]
NAMES = cotw.names(ROOT)

# The words of the archived source text of the tiny package: every evidence and quote cell below is
# one of these lines, so the package passes the provenance checks.
EVIDENCE = {
    "fra": "France is ready to lead a reassurance force, the President said.",
    "gbr": "Britain will put boots on the ground and planes in the air.",
    "pol": "Poland does not plan to send Polish soldiers to Ukraine.",
    "eu": "The European Union will keep funding Ukraine's defence.",
    "members": "France and Poland are members of the EU and NATO; Britain is in NATO only.",
    "macron": "President Emmanuel Macron spoke after the summit.",
    "quote1": "We are ready to \"reassure\", not to fight.",
    "quote2": "Count: =1+1 is not how we count soldiers",
    "quote3": "Note @everyone: no decision yet",
    "summit": "Leaders met in Paris on 11 March 2025 for a summit.",
    "claim1": "Up to 15 countries, officials said.",
    "claim2": "Only six countries, AFP reported.",
}
TEXT = "Tiny archive.\n" + "\n".join(EVIDENCE.values()) + "\n"


def _rows(**tables):
    return tables


def tiny_rows() -> dict[str, list[dict]]:
    e = EVIDENCE
    sha = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    return {
        "sources": [
            dict(source_id="tiny-one", title="A tiny, \"quoted\" source, with commas", publisher="Tiny Press", authors="",
                 published="2025-03-15", published_precision="day", published_basis="Printed under the headline.",
                 url="https://example.org/tiny", kind="news", language="en", archive="seeds/tiny-one.txt", sha256=sha,
                 notes="NA"),
        ],
        "countries": [
            dict(code="FRA", name="France", kind="state", eu_member="true", nato_member="true", membership_source_id="tiny-one",
                 membership_evidence=e["members"], coalition_role="co_lead", troop_stance="leading", stance_as_of="2025-03-11",
                 stance_as_of_precision="day", summary="Text, not =SUM(A1:A2)", source_id="tiny-one",
                 evidence=e["fra"], counter_source_id="", counter_evidence=""),
            dict(code="GBR", name="United Kingdom", kind="state", eu_member="false", nato_member="true", membership_source_id="tiny-one",
                 membership_evidence=e["members"], coalition_role="co_lead", troop_stance="pledged", stance_as_of="2025-03-01",
                 stance_as_of_precision="month", summary="Call +44: boots\non the ground", source_id="tiny-one", evidence=e["gbr"],
                 counter_source_id="", counter_evidence=""),
            dict(code="POL", name="Poland", kind="state", eu_member="", nato_member="", membership_source_id="",
                 membership_evidence="", coalition_role="member", troop_stance="ruled_out", stance_as_of="",
                 stance_as_of_precision="unknown", summary="No troops -; Polska, Łódź", source_id="tiny-one", evidence=e["pol"],
                 counter_source_id="", counter_evidence=""),
            dict(code="EU", name="European Union", kind="organization", eu_member="", nato_member="", membership_source_id="",
                 membership_evidence="", coalition_role="institution", troop_stance="not_applicable", stance_as_of="",
                 stance_as_of_precision="unknown", summary="EU <b>funds</b> & more", source_id="tiny-one", evidence=e["eu"],
                 counter_source_id="", counter_evidence=""),
        ],
        "people": [
            dict(person_id="emmanuel-macron", name="Emmanuel Macron", printed_as="Macron", role="President of France",
                 country="FRA", source_id="tiny-one", evidence=e["macron"]),
        ],
        "statements": [
            dict(statement_id="st-0002", source_id="tiny-one", country="FRA", speaker_id="emmanuel-macron", speaker_kind="person",
                 speaker_label="Emmanuel Macron", said="2025-03-11", said_precision="day", said_basis="The summit day.",
                 quote=e["quote1"], form="sentence", topics="troops;deterrence", same_as="", notes=""),
            dict(statement_id="st-0001", source_id="tiny-one", country="GBR", speaker_id="", speaker_kind="unnamed",
                 speaker_label="a British official", said="2025-03-01", said_precision="month", said_basis="'in March'",
                 quote=e["quote2"], form="fragment", topics="troops", same_as="", notes="None"),
            dict(statement_id="st-0003", source_id="tiny-one", country="", speaker_id="", speaker_kind="collective",
                 speaker_label="the leaders", said="", said_precision="unknown", said_basis="No date printed.",
                 quote=e["quote3"], form="sentence", topics="coalition", same_as="st-0002", notes=""),
        ],
        "conditions": [
            dict(condition_id="cd-0001", country="FRA", condition="ceasefire_first", applies_to="troops",
                 basis="official_statement", source_id="tiny-one", evidence=e["fra"], notes=""),
            dict(condition_id="cd-0002", country="POL", condition="us_backstop", applies_to="any_participation",
                 basis="reported_position", source_id="tiny-one", evidence=e["pol"], notes="null"),
        ],
        "contributions": [
            dict(contribution_id="ct-0001", country="FRA", kind="troops", status="pledged", basis="official_statement",
                 description="Troops for a reassurance force.", source_id="tiny-one", evidence=e["fra"], notes=""),
            dict(contribution_id="ct-0002", country="GBR", kind="air", status="offered", basis="official_statement",
                 description="Planes in the air.", source_id="tiny-one", evidence=e["gbr"], notes=""),
            dict(contribution_id="ct-0003", country="GBR", kind="troops", status="considered", basis="official_statement",
                 description="Boots on the ground.", source_id="tiny-one", evidence=e["gbr"], notes=""),
            dict(contribution_id="ct-0004", country="POL", kind="troops", status="ruled_out", basis="official_statement",
                 description="No Polish soldiers.", source_id="tiny-one", evidence=e["pol"], notes=""),
            dict(contribution_id="ct-0005", country="EU", kind="funding", status="ongoing", basis="official_statement",
                 description="Funding defence.", source_id="tiny-one", evidence=e["eu"], notes=""),
        ],
        "events": [
            dict(event_id="ev-0001", name="Paris summit", kind="summit", date="2025-03-11", date_precision="day",
                 date_basis="'on 11 March 2025'", place="Paris", participants="FRA;GBR", source_id="tiny-one",
                 evidence=e["summit"], same_as="", notes=""),
            dict(event_id="ev-0002", name="Spring talks", kind="talks", date="2025-02-01", date_precision="month",
                 date_basis="'in February'", place="", participants="", source_id="tiny-one", evidence=e["summit"],
                 same_as="", notes=""),
            dict(event_id="ev-0003", name="Undated call", kind="call", date="", date_precision="unknown",
                 date_basis="No date printed.", place="", participants="", source_id="tiny-one", evidence=e["macron"],
                 same_as="ev-0001", notes=""),
        ],
        "claims": [
            dict(claim_id="cl-0001", subject="Countries ready to send troops", value="up to 15", value_min="", value_max="15",
                 unit="countries", attributed_to="officials", source_id="tiny-one", evidence=e["claim1"], contradicts="cl-0002", notes=""),
            dict(claim_id="cl-0002", subject="Countries ready to send troops", value="only six", value_min="6", value_max="6.5",
                 unit="countries", attributed_to="AFP", source_id="tiny-one", evidence=e["claim2"], contradicts="cl-0001", notes=""),
        ],
    }


def make_package(dest: Path, rows: dict[str, list[dict]] | None = None) -> Path:
    """A tiny valid package built from the real descriptor and schemas (no curated data needed)."""
    from cotw.io.canonical import canonical
    from cotw.package import Package

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "schema", dest / "schema", dirs_exist_ok=True)
    (dest / "seeds").mkdir(exist_ok=True)
    (dest / "seeds" / "tiny-one.txt").write_bytes(TEXT.encode("utf-8"))
    (dest / "data").mkdir(exist_ok=True)
    pkg = Package.open(dest)
    rows = tiny_rows() if rows is None else rows
    for name in pkg.names():
        fields = [f["name"] for f in pkg.schema(name)["fields"]]
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(fields)
        for r in rows.get(name, []):
            w.writerow([r.get(f, "") for f in fields])
        key = pkg.schema(name).get("primaryKey") or []
        (pkg.root / pkg.path(name)).write_bytes(canonical(buf.getvalue().encode("utf-8"), fields, list(key)))
    return dest


# ---------------------------------------------------------------- reading every format back

FORMATS = ("csv", "zip", "parquet", "sqlite", "excel", "json", "jsonl")


def expected(path: Path, name: str):
    """cotw.load() in the order of every export: sorted by primary key."""
    frame = cotw.load(name, path)
    key = (cotw.package.Package.open(path).schema(name).get("primaryKey") or [])
    order = sorted(range(len(frame)), key=lambda i: tuple(str(frame[k].iloc[i]) for k in key))
    return frame.iloc[order].reset_index(drop=True)


def coerce(frame, path: Path, name: str):
    """Give a read-back frame the dtypes of cotw.load(), without changing any value that matters."""
    import pandas as pd

    from cotw.io.loader import dtypes
    from cotw.package import Package

    types = dtypes(Package.open(path), name)
    out = pd.DataFrame(index=range(len(frame)))
    for col, dtype in types.items():
        s = frame[col].reset_index(drop=True).astype(object)
        s = s.where(s.notna(), None)
        if dtype == "datetime64[ns]":
            out[col] = pd.to_datetime(s.map(lambda v: None if v is None else str(v)[:10]), format="%Y-%m-%d").astype(dtype)
        elif dtype == "boolean":
            out[col] = s.map(lambda v: None if v is None else {"true": True, "false": False}.get(v, v) if isinstance(v, str) else bool(v)).astype("boolean")
        elif dtype in ("Float64", "Int64"):
            out[col] = pd.to_numeric(s).astype(dtype)
        elif isinstance(dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).astype(dtype)
        else:
            out[col] = s.astype("str")
    return out


def read_back(out: Path, fmt: str, name: str, tmp: Path):
    import sqlite3
    import zipfile

    import openpyxl
    import pandas as pd

    if fmt == "csv":
        return pd.read_csv(out / "csv" / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
    if fmt == "zip":
        target = tmp / "unzipped"
        if not target.exists():
            zipfile.ZipFile(out / "csv" / "cotw-datapackage.zip").extractall(target)
        return cotw.load(name, target)
    if fmt == "parquet":
        return pd.read_parquet(out / "parquet" / f"{name}.parquet")
    if fmt == "sqlite":
        with sqlite3.connect(out / "sqlite" / "cotw.db") as con:
            return pd.read_sql_query(f'SELECT * FROM "{name}" ORDER BY rowid', con)
    if fmt == "excel":
        ws = openpyxl.load_workbook(out / "excel" / "cotw.xlsx")[name]
        rows = list(ws.iter_rows(values_only=True))
        return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    if fmt == "json":
        recs = json.loads((out / "json" / f"{name}.json").read_text(encoding="utf-8"))
    else:
        recs = [json.loads(line) for line in (out / "json" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    fields = [f["name"] for f in cotw.package.Package.open(out.parent / "tiny").schema(name)["fields"]] if not recs else list(recs[0])
    return pd.DataFrame.from_records(recs, columns=fields)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return make_package(tmp_path_factory.mktemp("export") / "tiny")


@pytest.fixture(scope="module")
def exported(tiny) -> Path:
    from cotw.export import export

    export(tiny, tiny.parent / "out")
    return tiny.parent / "out"


def assert_same(got, path: Path, name: str) -> None:
    import pandas as pd

    want = expected(path, name)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(coerce(got, path, name), want)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_every_format_reads_back_as_load(exported, tiny, tmp_path, name, fmt):
    assert_same(read_back(exported, fmt, name, tmp_path), tiny, name)


def test_the_real_data_round_trips_when_it_is_valid(pkg, tmp_path):
    from cotw.export import export

    report = cotw.validate(pkg)
    if not report.ok:
        pytest.skip(f"the curated data does not pass `cotw check` yet ({len(report.problems)} problems)")
    out = tmp_path / "real"
    export(pkg, out)
    for name in cotw.names(pkg):
        for fmt in FORMATS:
            assert_same(read_back(out, fmt, name, tmp_path), pkg, name)


def test_csv_files_are_the_canonical_tables(exported, tiny):
    for name in NAMES:
        assert (exported / "csv" / f"{name}.csv").read_bytes() == (tiny / "data" / f"{name}.csv").read_bytes()


# ---------------------------------------------------------------- determinism and atomic writes


def _tree(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_two_exports_are_byte_identical(tiny, tmp_path, cli):
    assert cli("export", tiny, "--out", tmp_path / "a").exit_code == 0
    assert cli("export", tiny, "--out", tmp_path / "b").exit_code == 0
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert sorted(a) == sorted(b) and len(a) > 30
    assert [f for f in a if a[f] != b[f]] == []


def test_a_previous_export_is_replaced_and_its_manifest_lists_every_file(tiny, tmp_path, cli):
    out = tmp_path / "dist"
    assert cli("export", tiny, "--out", out, "--only", "json").exit_code == 0
    assert not (out / "parquet").exists()
    assert cli("export", tiny, "--out", out, "--only", "csv,parquet").exit_code == 0
    assert (out / "parquet").is_dir() and not (out / "json").exists()
    manifest = json.loads((out / ".cotw-export.json").read_text())
    on_disk = {p for p in _tree(out) if p != ".cotw-export.json"}
    assert set(manifest["files"]) == on_disk
    assert manifest["formats"] == ["csv", "parquet"] and manifest["version"] == cotw.__version__
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # no staging or old directories left behind


def test_invalid_data_is_refused_and_the_previous_export_untouched(tiny, tmp_path, cli):
    from conftest import edit_csv

    out = tmp_path / "dist"
    assert cli("export", tiny, "--out", out, "--only", "csv").exit_code == 0
    before = _tree(out)
    broken = make_package(tmp_path / "broken")
    edit_csv(broken / "data" / "countries.csv", 2, "troop_stance", "maybe")
    result = cli("export", broken, "--out", out)
    assert result.exit_code == 1
    assert "troop_stance" in result.stderr and "refusing to export" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(out) == before
    assert cli("export", broken, "--out", tmp_path / "new").exit_code == 1
    assert not (tmp_path / "new").exists()


def test_a_failed_export_leaves_the_previous_one_in_place(tiny, tmp_path, monkeypatch):
    from cotw import export as exp
    from cotw.export import excel

    out = tmp_path / "dist"
    exp.export(tiny, out, ["json"])
    before = _tree(out)

    def boom(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel, "write", boom)
    with pytest.raises(RuntimeError):
        exp.export(tiny, out)
    assert _tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_a_directory_that_is_not_an_export_is_refused_even_with_force(tiny, tmp_path, cli):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    for extra in ((), ("--force",)):
        result = cli("export", tiny, "--out", out, "--only", "json", *extra)
        assert result.exit_code == 1 and "never deletes files it did not write" in result.stderr
        assert [p.name for p in out.iterdir()] == ["thesis.docx"] and (out / "thesis.docx").read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_the_package_itself_is_never_replaced_even_with_force(tiny, tmp_path, cli):
    for target in (tiny, tiny.parent):
        result = cli("export", tiny, "--out", target, "--force")
        assert result.exit_code == 1 and "holds the package" in result.stderr
    assert (tiny / "datapackage.json").is_file()


def test_usage_errors_exit_2(tiny, tmp_path, cli):
    assert cli("export", tiny, "--out", tmp_path / "x", "--only", "pdf").exit_code == 2
    assert cli("export", tmp_path / "nowhere", "--out", tmp_path / "x").exit_code == 2
    assert cli("export", tiny).exit_code == 2  # --out is required


def test_no_progress_display_when_not_a_terminal(tiny, tmp_path, cli):
    result = cli("export", tiny, "--out", tmp_path / "x", "--only", "csv")
    assert result.exit_code == 0 and result.stderr.splitlines() == [f"cotw export: {tiny} (no version declared)"]  # no bar
    assert "wrote" in result.stdout
    quiet = cli("export", tiny, "--out", tmp_path / "y", "--only", "csv", "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_progress_reports_every_step(tiny, tmp_path):
    from cotw.export import export

    seen = []
    export(tiny, tmp_path / "x", ["csv", "json"], progress=lambda label, i, n: seen.append((label, i, n)))
    assert [i for _, i, _ in seen] == list(range(1, len(seen) + 1)) and seen[-1][2] == len(seen)
    assert "writing csv" in [label for label, _, _ in seen]


# ---------------------------------------------------------------- what each format promises


def test_the_zipped_package_passes_frictionless_with_bytes_and_sha256(exported, tmp_path):
    import zipfile

    from frictionless import Package as FPackage

    with zipfile.ZipFile(exported / "csv" / "cotw-datapackage.zip") as zf:
        infos = zf.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        seeds = sorted({r["archive"] for r in csv.DictReader(io.StringIO((exported / "csv" / "sources.csv").read_text(encoding="utf-8")))})
        assert [i.filename for i in infos] == ["datapackage.json"] + [f"data/{n}.csv" for n in NAMES] + seeds
        zf.extractall(tmp_path)
    desc = json.loads((tmp_path / "datapackage.json").read_text())
    for res in desc["resources"]:
        data = (tmp_path / res["path"]).read_bytes()
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    assert desc["version"] == cotw.__version__
    report = FPackage(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["type", "note"])


def test_parquet_columns_are_typed(exported):
    import pyarrow as pa
    import pyarrow.parquet as pq

    countries = pq.read_table(exported / "parquet" / "countries.parquet").schema
    assert countries.field("stance_as_of").type == pa.date32()
    assert pa.types.is_dictionary(countries.field("troop_stance").type)
    assert countries.field("eu_member").type == pa.bool_()
    assert pq.read_table(exported / "parquet" / "claims.parquet").schema.field("value_min").type == pa.float64()
    assert countries.field("summary").metadata[b"description"]


def test_sqlite_declares_keys_and_indexes_and_foreign_keys_check_clean(exported):
    import sqlite3

    from cotw.package import Package

    pkg = Package.open(exported.parent / "tiny")
    con = sqlite3.connect(exported / "sqlite" / "cotw.db")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    for name in NAMES:
        sch = pkg.schema(name)
        cols = {r[1]: r for r in con.execute(f'PRAGMA table_info("{name}")')}
        assert list(cols) == [f["name"] for f in sch["fields"]]
        assert [c for c, r in cols.items() if r[5]] == sch["primaryKey"]
        declared = {(r[3], r[2], r[4]) for r in con.execute(f'PRAGMA foreign_key_list("{name}")')}
        wanted = {(k["fields"][0], k["reference"]["resource"] or name, k["reference"]["fields"][0]) for k in sch.get("foreignKeys", [])}
        assert declared == wanted
        indexed = {con.execute(f'PRAGMA index_info("{i[1]}")').fetchone()[2] for i in con.execute(f'PRAGMA index_list("{name}")')}
        assert {k["fields"][0] for k in sch.get("foreignKeys", [])} | set(sch["primaryKey"]) <= indexed
    con.close()
    meta = json.loads((exported / "sqlite" / "metadata.json").read_text())
    assert meta["title"] and meta["license"] == "CC-BY-4.0" and meta["source"]
    tables = meta["databases"]["cotw"]["tables"]
    assert [t for t in tables if not tables[t].get("hidden")] == NAMES  # hidden: the full-text indexes
    for name in NAMES:
        assert tables[name]["description"] and all(tables[name]["columns"].values())
        assert list(tables[name]["columns"]) == [f["name"] for f in pkg.schema(name)["fields"]]


def test_excel_keeps_text_as_text_with_frozen_headers_and_a_codebook(exported):
    import zipfile

    import openpyxl

    wb = openpyxl.load_workbook(exported / "excel" / "cotw.xlsx")
    assert wb.sheetnames == ["about"] + NAMES + ["codebook"]
    for ws in wb:
        assert ws.freeze_panes == ("A2" if ws.title != "about" else None)
    # cells that begin like a formula fail `cotw check` (formula-prefix); that the workbook would still
    # keep them as text is tested in test_export_hostile.py
    with zipfile.ZipFile(exported / "excel" / "cotw.xlsx") as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    countries = wb["countries"]
    assert countries["A2"].value == "EU" and countries.column_dimensions["A"].width > 0
    import datetime as dt

    dates = [c.value for c in countries["J"][1:] if c.value is not None]
    assert dates and all(isinstance(d, dt.datetime) for d in dates)
    codebook = list(wb["codebook"].iter_rows(values_only=True))
    fields = [(r[0], r[1]) for r in codebook[1:] if r[2]]
    assert len(fields) == sum(len(cotw.package.Package.open(exported.parent / "tiny").schema(n)["fields"]) for n in NAMES)
