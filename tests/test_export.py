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

# The words of the archived source texts of the tiny package: every evidence and quote cell below is
# one of these lines (of its row's source), so the package passes the provenance checks.
ONE = {  # tiny-one, a news report
    "fra": "France is ready to lead a reassurance force once a ceasefire holds, the President said.",
    "gbr": "Britain will put boots on the ground and planes in the air.",
    "pol": "Poland does not plan to send <u>Polish soldiers</u> to **Ukraine**.",  # the source's markup, kept verbatim
    "pol_later": "Poland may change its mind after the election, an adviser said.",
    "backstop": "Without an American backstop, Warsaw will not take part.",
    "mandate": "The coalition would like a clear mandate, diplomats said.",
    "eu": "The European Union will keep funding Ukraine's defence.",
    "macron": "President Emmanuel Macron spoke after the summit.",
    "quote1": "We are ready to \"reassure\", not to fight.",
    "quote2": "Count: =1+1 is not how we count soldiers",
    "quote3": "Note @everyone: no decision yet",
    "summit": "Leaders met in Paris on 11 March 2025 for a summit.",
    "talks": "Talks began in February, a diplomat said.",
    "planning": "Planners met for three days around the summit.",
    "claim1": "Up to 15 countries, officials said.",
    "claim2": "Only six countries, AFP reported.",
}
TWO = {  # tiny-two, a report with an authored section
    "section": "Europe: Cautious, Not Closed By Anna Nowak and Piotr Zieliński",
    "nowak": "Anna Nowak is a senior fellow in Łódź.",
    "forecast": "Poland will likely keep its troops at home, whatever the ceasefire terms.",
    "gbr": "Britain has pledged troops for the force.",
    "quote1": "Macron repeated: We are ready to \"reassure\", not to fight.",
    "summit": "Leaders met in Paris on 11 March 2025 for a summit.",
}
TEXTS = {"tiny-one": "Tiny archive.\n" + "\n".join(ONE.values()) + "\n",
         "tiny-two": "Tiny report.\n" + "\n".join(TWO.values()) + "\n"}
TEXT = TEXTS["tiny-one"]


def tiny_rows() -> dict[str, list[dict]]:
    """Every table of the 0.2 model, a few rows each, with the awkward values an export must keep:
    quotes, commas, line breaks, the text "NA", "None" and "null", formula-like and HTML text,
    non-ASCII; EDTF dates of several shapes (a day, a month, a span, on or before, on or after,
    none); a fact reported twice (a shared group key) and an utterance printed by two sources; a
    contradiction stored both ways; a section with two authors."""
    one, two = ONE, TWO
    sha = {s: hashlib.sha256(t.encode("utf-8")).hexdigest() for s, t in TEXTS.items()}
    o, t = "tiny-one", "tiny-two"
    return {
        "sources": [
            dict(source_id=o, title="A tiny, \"quoted\" source, with commas", publisher="Tiny Press", authors="",
                 published="2025-03-15", published_basis="Printed under the headline.", url="https://example.org/tiny",
                 kind="news", language="en", archive="seeds/tiny-one.txt", sha256=sha[o], notes="NA"),
            dict(source_id=t, title="Tiny report — Łódź edition", publisher="Tiny Institute", authors="Anna Nowak; Piotr Zieliński",
                 published="2025-05", published_basis="'May 2025' on the cover.", url="", kind="report", language="en",
                 archive="seeds/tiny-two.txt", sha256=sha[t], notes="None"),
        ],
        "sections": [
            dict(section_id="tiny-two-europe", source_id=t, title="Europe: Cautious, Not Closed",
                 authors="anna-nowak;piotr-zielinski", evidence=two["section"], notes=""),
        ],
        "countries": [
            dict(code="FRA", name="France", kind="state", iso_alpha2="FR", eu_member="true", notes="Text, not =SUM(A1:A2)"),
            dict(code="GBR", name="United Kingdom", kind="state", iso_alpha2="GB", eu_member="false",
                 notes="Call +44: boots\non the ground"),
            dict(code="POL", name="Poland", kind="state", iso_alpha2="PL", eu_member="true", notes="No troops -; Polska, Łódź"),
            dict(code="EU", name="European Union", kind="organisation", iso_alpha2="", eu_member="", notes="EU <b>funds</b> & more"),
            dict(code="COALITION", name="Coalition of the willing", kind="coalition", iso_alpha2="", eu_member="", notes=""),
        ],
        "people": [
            dict(person_id="emmanuel-macron", name="Emmanuel Macron", printed_as="Macron", notes=""),
            dict(person_id="anna-nowak", name="Anna Nowak", printed_as="", notes=""),
            dict(person_id="piotr-zielinski", name="Piotr Zieliński", printed_as="Piotr Zielinski; P. Zieliński", notes="null"),
        ],
        "roles": [
            dict(role_id="rl-0001", person_id="emmanuel-macron", role="President", country="FRA", source_id=o,
                 evidence=one["macron"], notes=""),
            dict(role_id="rl-0002", person_id="anna-nowak", role="senior fellow", country="", source_id=t,
                 evidence=two["nowak"], notes=""),
        ],
        "statements": [
            dict(statement_id="st-0002", utterance_id="st-0002", source_id=o, country="FRA", speaker_id="emmanuel-macron",
                 speaker_kind="person", speaker_label="Emmanuel Macron", said="2025-03-11", said_basis="The summit day.",
                 quote=one["quote1"], form="sentence", topics="troops;deterrence", notes=""),
            dict(statement_id="st-0001", utterance_id="st-0001", source_id=o, country="GBR", speaker_id="",
                 speaker_kind="unnamed", speaker_label="a British official", said="2025-03", said_basis="'in March'",
                 quote=one["quote2"], form="fragment", topics="troops", notes="None"),
            dict(statement_id="st-0003", utterance_id="st-0003", source_id=o, country="", speaker_id="",
                 speaker_kind="collective", speaker_label="the leaders", said="", said_basis="No date printed.",
                 quote=one["quote3"], form="sentence", topics="coalition", notes=""),
            dict(statement_id="st-0004", utterance_id="st-0002", source_id=t, country="FRA", speaker_id="emmanuel-macron",
                 speaker_kind="person", speaker_label="Macron", said="../2025-03-15",
                 said_basis="'repeated'; no earlier than the summit, on or before tiny-one printed it.",
                 quote=one["quote1"], form="sentence", topics="troops;deterrence", notes="The same words as st-0002."),
        ],
        "positions": [
            dict(position_id="po-0001", fact_id="po-0001", country="FRA", issue="own_troops", value="committed",
                 date="2025-03-11", date_basis="The summit day.", basis="official_statement", speaker_id="emmanuel-macron",
                 section_id="", source_id=o, evidence=one["fra"], notes=""),
            dict(position_id="po-0002", fact_id="po-0002", country="FRA", issue="participation", value="leads",
                 date="2025-03-11", date_basis="The summit day.", basis="official_statement", speaker_id="", section_id="",
                 source_id=o, evidence=one["fra"], notes=""),  # the President's words, like po-0001 and cd-0001 (same-words)
            dict(position_id="po-0003", fact_id="po-0003", country="GBR", issue="own_troops", value="committed",
                 date="2025-03", date_basis="'in March'", basis="official_statement", speaker_id="", section_id="",
                 source_id=o, evidence=one["gbr"], notes="Boots, \"planes\", and more"),
            dict(position_id="po-0004", fact_id="po-0004", country="POL", issue="own_troops", value="ruled_out",
                 date="2025-02", date_basis="'in February'", basis="reported_position", speaker_id="", section_id="",
                 source_id=o, evidence=one["pol"], notes=""),
            dict(position_id="po-0005", fact_id="po-0005", country="POL", issue="own_troops", value="undecided",
                 date="2025-03-10/2025-03-12", date_basis="During the planning days.", basis="reported_position",
                 speaker_id="", section_id="", source_id=o, evidence=one["pol_later"], notes=""),
            dict(position_id="po-0006", fact_id="po-0006", country="POL", issue="own_troops", value="ruled_out",
                 date="", date_basis="A forecast; the report prints no date for it.", basis="analyst_forecast", speaker_id="",
                 section_id="tiny-two-europe", source_id=t, evidence=two["forecast"], notes=""),
            dict(position_id="po-0007", fact_id="po-0003", country="GBR", issue="own_troops", value="committed",
                 date="../2025-05-31", date_basis="Has pledged: on or before the report.", basis="analyst_assessment",
                 speaker_id="", section_id="tiny-two-europe", source_id=t, evidence=two["gbr"], notes=""),
        ],
        "conditions": [
            dict(condition_id="cd-0001", fact_id="cd-0001", country="FRA", condition="ceasefire_first", stance="requires",
                 applies_to="own_troops", date="2025-03-11", date_basis="The summit day.", basis="official_statement",
                 speaker_id="emmanuel-macron", section_id="", source_id=o, evidence=one["fra"], notes=""),
            dict(condition_id="cd-0002", fact_id="cd-0002", country="POL", condition="us_backstop", stance="requires",
                 applies_to="participation", date="", date_basis="No date printed.", basis="reported_position", speaker_id="",
                 section_id="", source_id=o, evidence=one["backstop"], notes="null"),
            dict(condition_id="cd-0003", fact_id="cd-0003", country="COALITION", condition="clear_mandate", stance="prefers",
                 applies_to="coalition", date="2025-03-11/..", date_basis="After the summit.", basis="reported_position",
                 speaker_id="", section_id="", source_id=o, evidence=one["mandate"], notes=""),
        ],
        "contributions": [
            dict(contribution_id="ct-0001", fact_id="ct-0001", country="GBR", kind="air", scope="coalition", commitment="offered",
                 description="Planes in the air.", date="2025-03", date_basis="'in March'", basis="official_statement",
                 speaker_id="", section_id="", source_id=o, evidence=one["gbr"], notes=""),
            dict(contribution_id="ct-0002", fact_id="ct-0002", country="EU", kind="funding", scope="bilateral",
                 commitment="provided", description="EU <b>funds</b> & more", date="", date_basis="No date printed.",
                 basis="reported_position", speaker_id="", section_id="", source_id=o, evidence=one["eu"], notes="NA"),
        ],
        "events": [
            dict(event_id="ev-0001", fact_id="ev-0001", name="Paris summit", kind="summit", date="2025-03-11",
                 date_basis="'on 11 March 2025'", place="Paris", host="FRA", participants="France; Britain", source_id=o,
                 evidence=one["summit"], notes=""),
            dict(event_id="ev-0002", fact_id="ev-0002", name="Spring talks", kind="talks", date="2025-02",
                 date_basis="'in February'", place="", host="", participants="", source_id=o, evidence=one["talks"], notes=""),
            dict(event_id="ev-0003", fact_id="ev-0003", name="Planning days", kind="military", date="2025-03-10/2025-03-12",
                 date_basis="'three days around the summit'", place="", host="", participants="", source_id=o,
                 evidence=one["planning"], notes=""),
            dict(event_id="ev-0004", fact_id="ev-0001", name="Paris summit (as the report tells it)", kind="summit",
                 date="2025-03-11", date_basis="'on 11 March 2025'", place="Paris", host="", participants="", source_id=t,
                 evidence=two["summit"], notes=""),
        ],
        "claims": [
            dict(claim_id="cl-0001", fact_id="cl-0001", question="countries-ready", subject="Countries ready to send troops",
                 value="up to 15", value_min="", value_max="15", unit="countries", date="", date_basis="No date printed.",
                 attributed_to="officials", basis="reported_position", section_id="", source_id=o, evidence=one["claim1"], notes=""),
            dict(claim_id="cl-0002", fact_id="cl-0002", question="countries-ready", subject="Countries ready to send troops",
                 value="only six", value_min="6", value_max="6.5", unit="countries", date="../2025-03-15",
                 date_basis="Reported by the day of publication.", attributed_to="AFP", basis="reported_position", section_id="",
                 source_id=o, evidence=one["claim2"], notes=""),
        ],
        "links": [
            dict(from_id="cl-0001", relation="contradicts", to_id="cl-0002", note="Up to 15, against only six."),
            dict(from_id="cl-0002", relation="contradicts", to_id="cl-0001", note="Only six, against up to 15."),
            dict(from_id="po-0001", relation="rests_on", to_id="st-0002", note="Macron's words."),
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
    for source, text in TEXTS.items():
        (dest / "seeds" / f"{source}.txt").write_bytes(text.encode("utf-8"))
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


MARKUP = r"<u>|</u>|\*\*"  # the source markup that verbatim cells keep (`<u>...</u>`, `**...**`)


def expected(path: Path, name: str, curated_only: bool = False, reading: bool = True):
    """cotw.load() in the order of every export: sorted by primary key, and with `reading` each verbatim field
    followed by its reading form `<field>_plain` (the words without the source's markup), as the typed
    exports give it (`curated_only`: without the date bounds cotw.load derives and without the reading
    forms, which the CSV files, as curated, do not hold)."""
    import pandas as pd

    frame, schema = _loaded(path, name)
    key = schema.get("primaryKey") or []
    columns = [list(frame[k]) for k in key]  # each key column's values, as frame[k].iloc[i] gives them
    order = sorted(range(len(frame)), key=lambda i: tuple(str(c[i]) for c in columns))
    frame = frame.iloc[order].reset_index(drop=True)
    if curated_only:
        return frame[[f["name"] for f in schema["fields"]]]
    if not reading:
        return frame
    parts = {}
    verbatim = {f["name"] for f in schema["fields"] if f.get("x-verbatim-in")}
    for col in frame.columns:
        parts[col] = frame[col]
        if col in verbatim:
            parts[f"{col}_plain"] = frame[col].str.replace(MARKUP, "", regex=True)
    return pd.DataFrame(parts)


def _fingerprint(*paths: Path) -> str:
    """A digest of the bytes of `paths` (files, or every file below a folder): a cache key that changes
    with any edit, however quick (a file's mtime may not)."""
    digest = hashlib.sha256()
    for path in paths:
        for p in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if p.is_file():
                digest.update(p.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


_LOADED: dict = {}


def _loaded(path: Path, name: str):
    """(cotw.load(name, path), its Table Schema), a copy of them: read once per content of the package (expected()
    asks for each table once per format)."""
    import copy

    key = (name, _fingerprint(*(path / part for part in ("datapackage.json", "data", "schema", "seeds"))))
    if key not in _LOADED:
        _LOADED[key] = (cotw.load(name, path), cotw.package.Package.open(path).schema(name))
    frame, schema = _LOADED[key]
    return frame.copy(deep=True), copy.deepcopy(schema)


_SHEETS: dict = {}


def sheet_rows(workbook: Path, sheet: str) -> list[tuple]:
    """The cell values of one sheet of a workbook, row by row: the workbook is parsed once per content (reading
    every sheet of the real data's workbook back took openpyxl seconds per sheet)."""
    import openpyxl

    key = _fingerprint(workbook)
    if key not in _SHEETS:
        wb = openpyxl.load_workbook(workbook)
        _SHEETS.clear()  # one workbook at a time: the cache never grows
        _SHEETS[key] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}
    return list(_SHEETS[key][sheet])


def coerce(frame, want):
    """Give a read-back frame the dtypes of `want` (cotw.load()), without changing any value that matters."""
    import pandas as pd

    out = pd.DataFrame(index=range(len(frame)))
    for col, dtype in want.dtypes.items():
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
        rows = sheet_rows(out / "excel" / "cotw.xlsx", name)
        return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    if fmt == "json":
        recs = json.loads((out / "json" / f"{name}.json").read_text(encoding="utf-8"))
    else:
        recs = [json.loads(line) for line in (out / "json" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
    return pd.DataFrame.from_records(recs, columns=list(recs[0]) if recs else None)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return make_package(tmp_path_factory.mktemp("export") / "tiny")


@pytest.fixture(scope="module")
def exported(tiny) -> Path:
    from cotw.export import export

    export(tiny, tiny.parent / "out")
    return tiny.parent / "out"


def assert_same(got, path: Path, name: str, fmt: str) -> None:
    import pandas as pd

    # the zipped package read back with cotw.load gives cotw.load's columns; the other typed formats add the reading forms
    want = expected(path, name, curated_only=fmt == "csv", reading=fmt != "zip")
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(coerce(got, want), want)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_every_format_reads_back_as_load(exported, tiny, tmp_path, name, fmt):
    assert_same(read_back(exported, fmt, name, tmp_path), tiny, name, fmt)


def test_the_typed_formats_carry_the_date_bounds_cotw_load_derives(exported, tiny):
    """Every EDTF date column is followed by its bounds, so "2025-03" and "../2025-03-15" sort and filter as dates."""
    recs = {r["position_id"]: r for r in json.loads((exported / "json" / "positions.json").read_text(encoding="utf-8"))}
    assert list(recs["po-0005"])[5:8] == ["date", "date_earliest", "date_latest"]
    assert [(recs[p]["date"], recs[p]["date_earliest"], recs[p]["date_latest"]) for p in ("po-0003", "po-0005", "po-0006", "po-0007")] == [
        ("2025-03", "2025-03-01", "2025-03-31"), ("2025-03-10/2025-03-12", "2025-03-10", "2025-03-12"), (None, None, None),
        ("../2025-05-31", None, "2025-05-31")]
    assert b"date_earliest" not in (exported / "csv" / "positions.csv").read_bytes()  # the CSV stays as curated


@pytest.mark.parametrize("fmt", ("parquet", "sqlite", "excel", "json", "jsonl"))
def test_the_typed_formats_give_the_reading_form_beside_each_verbatim_column(exported, tiny, tmp_path, fmt):
    """The evidence keeps the source's markup as curated; `evidence_plain`, right after it, reads without it."""
    got = read_back(exported, fmt, "positions", tmp_path).set_index("position_id")
    cols = list(got.columns)
    assert cols[cols.index("evidence") + 1] == "evidence_plain"
    assert got.loc["po-0004", "evidence"] == ONE["pol"] and "<u>Polish soldiers</u> to **Ukraine**" in ONE["pol"]
    assert got.loc["po-0004", "evidence_plain"] == "Poland does not plan to send Polish soldiers to Ukraine."
    assert got.loc["po-0001", "evidence_plain"] == got.loc["po-0001", "evidence"] == ONE["fra"]  # no markup: the same words
    statements = read_back(exported, fmt, "statements", tmp_path)
    assert "quote_plain" in statements.columns and "notes_plain" not in statements.columns  # verbatim fields only


def test_every_cell_of_the_workbook_is_styled_as_its_kind(exported):
    """The header bold; every value top-aligned; dates shown as dates; text wrapped when it is long or has a
    line break (every codebook text wraps). (The writer styles the first cell of each kind and copies its style.)"""
    import datetime as dt

    import openpyxl

    from cotw.export.excel import MAX_WIDTH
    from cotw.export.frames import export_fields, kind

    pkg = cotw.package.Package.open(exported.parent / "tiny")
    dates = {n: {f["name"] for f in export_fields(pkg.schema(n)) if kind(f) == "date"} for n in NAMES}
    assert dates["positions"] >= {"date_earliest", "date_latest"}
    wb = openpyxl.load_workbook(exported / "excel" / "cotw.xlsx")
    for ws in wb.worksheets[1:]:  # the about sheet has its own layout
        assert all(c.font.b for c in ws[1]) and ws[1][0].value
        header = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if c.value is None:
                    continue
                assert c.alignment.vertical == "top" and not c.font.b, (ws.title, c.coordinate)
                if header[c.column - 1] in dates.get(ws.title, ()):  # a date read back as a date, not as a day number
                    assert isinstance(c.value, dt.datetime) and c.number_format == "yyyy-mm-dd", (ws.title, c.coordinate)
                elif isinstance(c.value, dt.datetime):
                    assert c.number_format == "yyyy-mm-dd", (ws.title, c.coordinate)
                elif isinstance(c.value, str):
                    long = max(len(line) for line in c.value.split("\n")) + 2 > MAX_WIDTH or "\n" in c.value
                    assert bool(c.alignment.wrap_text) == (long or ws.title == "codebook"), (ws.title, c.coordinate)
                else:
                    assert c.number_format == "General" and not c.alignment.wrap_text, (ws.title, c.coordinate)


def test_the_workbook_underlines_in_the_reading_form_what_the_source_underlines(exported):
    """Read cell by cell, `evidence_plain` shows `<u>Polish soldiers</u>` as underlined words (its value is still
    the plain words, as every other format has them); a cell without underline stays a plain string."""
    import openpyxl
    from openpyxl.cell.rich_text import CellRichText

    ws = openpyxl.load_workbook(exported / "excel" / "cotw.xlsx", rich_text=True)["positions"]
    header = [c.value for c in ws[1]]
    cells = {row[0].value: row[header.index("evidence_plain")].value for row in ws.iter_rows(min_row=2)}
    rich = cells["po-0004"]
    assert isinstance(rich, CellRichText) and str(rich) == "Poland does not plan to send Polish soldiers to Ukraine."
    assert [str(b.text) for b in rich if not isinstance(b, str) and b.font.u == "single"] == ["Polish soldiers"]
    assert cells["po-0001"] == ONE["fra"] and isinstance(cells["po-0001"], str)


def test_the_csv_and_the_zip_keep_the_markup_as_curated(exported):
    csv_text = (exported / "csv" / "positions.csv").read_text(encoding="utf-8")
    assert ONE["pol"] in csv_text and "evidence_plain" not in csv_text


def test_the_reading_form_is_described_as_derived_wherever_columns_are_described(exported):
    import pyarrow.parquet as pq

    field = pq.read_table(exported / "parquet" / "statements.parquet").schema.field("quote_plain")
    assert field.metadata[b"description"].startswith(b"Derived by cotw from `quote` (not curated)")
    meta = json.loads((exported / "sqlite" / "metadata.json").read_text())
    assert meta["databases"]["cotw"]["tables"]["positions"]["columns"]["evidence_plain"].startswith("Derived by cotw from `evidence`")


def test_json_writes_a_whole_number_as_an_integer(exported):
    """`6`, as the CSV says, not `6.0`; a fraction stays a fraction."""
    text = (exported / "json" / "claims.json").read_text(encoding="utf-8")
    recs = {r["claim_id"]: r for r in json.loads(text)}
    assert (recs["cl-0002"]["value_min"], recs["cl-0002"]["value_max"], recs["cl-0001"]["value_max"]) == (6, 6.5, 15)
    assert type(recs["cl-0002"]["value_min"]) is int and type(recs["cl-0001"]["value_max"]) is int
    assert '"value_min": 6,' in text and "6.0" not in text and "15.0" not in text
    lines = (exported / "json" / "claims.jsonl").read_text(encoding="utf-8")
    assert '"value_min": 6,' in lines and '"value_max": 15,' in lines


def test_json_keeps_a_number_too_large_for_exact_integers_as_it_is():
    from cotw.export.json import _value

    assert (_value(6.0), _value(-3.0), _value(2.5), _value(2.0**53), _value(1e300)) == (6, -3, 2.5, 2**53, 1e300)
    assert type(_value(1e300)) is float


def test_the_real_data_round_trips_when_it_is_valid(pkg, tmp_path):
    from cotw.export import export

    report = cotw.validate(pkg)
    if not report.ok:
        pytest.skip(f"the curated data does not pass `cotw check` yet ({len(report.problems)} problems)")
    out = tmp_path / "real"
    export(pkg, out)
    for name in cotw.names(pkg):
        for fmt in FORMATS:
            assert_same(read_back(out, fmt, name, tmp_path), pkg, name, fmt)
    for fmt in SUMMARY_FORMATS:
        assert_summary_same(summary_back(out, fmt), cotw.summary(pkg))


# ---------------------------------------------------------------- the derived summary

SUMMARY_FORMATS = ("csv", "parquet", "json", "jsonl", "sqlite", "excel")


def summary_back(out: Path, fmt: str):
    """The derived summary as a download gives it back, as a DataFrame."""
    import sqlite3

    import pandas as pd

    if fmt == "csv":
        return pd.read_csv(out / "csv" / "derived" / "summary.csv", dtype=str, keep_default_na=False, na_values=[""])
    if fmt == "parquet":
        return pd.read_parquet(out / "parquet" / "derived" / "summary.parquet")
    if fmt == "sqlite":
        with sqlite3.connect(out / "sqlite" / "cotw.db") as con:
            return pd.read_sql_query("SELECT * FROM derived_summary ORDER BY rowid", con)
    if fmt == "excel":
        rows = sheet_rows(out / "excel" / "cotw.xlsx", "derived_summary")
        return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    text = (out / "json" / "derived" / f"summary.{fmt}").read_text(encoding="utf-8")
    return pd.DataFrame.from_records(json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()])


def _typed(value, kind: str):
    """One cell as a plain Python value of the summary schema's type (text from CSV, 0/1 from SQLite, ...)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return {"true": True, "false": False}[value] if isinstance(value, str) else bool(value)
    return str(value)


def assert_summary_same(got, want) -> None:
    from cotw.derived import SCHEMA

    kinds = {f["name"]: f["type"] for f in SCHEMA["fields"]}
    assert list(got.columns) == list(want.columns) == list(kinds)
    rows = lambda frame: [tuple(_typed(v, kinds[c]) for c, v in zip(frame.columns, r)) for r in frame.itertuples(index=False)]
    assert rows(got) == rows(want)


@pytest.mark.parametrize("fmt", SUMMARY_FORMATS)
def test_the_derived_summary_is_exported_in_every_format_as_cotw_summary_gives_it(exported, tiny, fmt):
    want = cotw.summary(tiny)
    assert len(want) == 4 and want["changed"].any()  # the tiny package has something to summarise
    assert_summary_same(summary_back(exported, fmt), want)


def test_the_summary_is_marked_derived_and_is_no_resource_of_the_data_package(exported):
    import zipfile

    import openpyxl
    import pyarrow.parquet as pq

    with zipfile.ZipFile(exported / "csv" / "cotw-datapackage.zip") as zf:
        assert [r["name"] for r in json.loads(zf.read("datapackage.json"))["resources"]] == NAMES
        assert not any("summary" in n for n in zf.namelist())
    schema = json.loads((exported / "csv" / "derived" / "summary.schema.json").read_text(encoding="utf-8"))
    assert schema["description"].startswith("Derived by code, not curated") and schema["primaryKey"] == ["country", "issue"]
    from frictionless import Resource, Schema

    report = Resource(path="summary.csv", basepath=str(exported / "csv" / "derived"), schema=Schema.from_descriptor(schema)).validate()
    assert report.valid, report.flatten(["type", "note"])  # the CSV and its schema agree
    meta = pq.read_schema(exported / "parquet" / "derived" / "summary.parquet").metadata
    assert meta[b"cotw.derived"] == b"cotw.summary()" and meta[b"description"].startswith(b"Derived by code")
    tables = json.loads((exported / "sqlite" / "metadata.json").read_text(encoding="utf-8"))["databases"]["cotw"]["tables"]
    assert tables["derived_summary"]["description"].startswith("Derived by code") and "disagree" in tables["derived_summary"]["facets"]
    about = {r[0]: r[1] for r in openpyxl.load_workbook(exported / "excel" / "cotw.xlsx")["about"].iter_rows(values_only=True)}
    assert about["derived_summary"].startswith("Derived by code")


def test_the_summary_is_regenerated_from_the_positions_on_every_export(tiny, tmp_path, cli):
    from conftest import edit_csv

    pkg = tmp_path / "pkg"
    shutil.copytree(tiny, pkg)
    out = tmp_path / "out"
    assert cli("export", pkg, "--out", out, "--only", "csv").exit_code == 0
    before = (out / "csv" / "derived" / "summary.csv").read_text(encoding="utf-8")
    assert "GBR,own_troops,committed" in before
    edit_csv(pkg / "data" / "positions.csv", 8, "value", "willing")  # po-0007: GBR's report in tiny-two, now willing
    edit_csv(pkg / "data" / "positions.csv", 8, "fact_id", "po-0007")  # another value is another fact (fact-values)
    assert cli("export", pkg, "--out", out, "--only", "csv").exit_code == 0
    after = summary_back(out, "csv")
    assert_summary_same(after, cotw.summary(pkg))
    gbr = after.set_index(["country", "issue"]).loc[("GBR", "own_troops")]
    # committed implies willing: the two reports do not disagree, and the headline is the stronger value
    assert (gbr["values"], gbr["latest_value"], gbr["disagree"], gbr["headline"]) == ("committed;willing", "willing", "false", "committed")
    edit_csv(pkg / "data" / "positions.csv", 8, "value", "ruled_out")  # incompatible with committed: they disagree
    assert cli("export", pkg, "--out", out, "--only", "csv").exit_code == 0
    gbr = summary_back(out, "csv").set_index(["country", "issue"]).loc[("GBR", "own_troops")]
    assert (gbr["disagree"], gbr["headline_by"]) == ("true", "disagree")


def test_an_export_derives_the_summary_once_and_its_pages_show_the_downloads_summary(tiny, tmp_path, monkeypatch):
    """The pages used to derive the summary again from positions loaded again (1.8 s of a 10 s export of 1,500
    countries): they show the summary the downloads carry, derived once per export."""
    import html
    import re

    import cotw.derived
    from cotw.export import export

    calls = []
    derive = cotw.derived.summarise
    monkeypatch.setattr(cotw.derived, "summarise", lambda *a, **k: calls.append(1) or derive(*a, **k))
    out = tmp_path / "out"
    export(tiny, out, formats=["csv"], validate=False)
    assert len(calls) == 1
    page = (out / "pages" / "country-GBR.html").read_text(encoding="utf-8")
    table = page[page.index('<h2 id="summary">'):]
    table = table[:table.index("</table>")]
    heads = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    shown = [dict(zip(heads, (html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row))))
             for row in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in row]
    carried = summary_back(out, "csv")
    carried = carried[carried["country"] == "GBR"]
    assert len(shown) == len(carried) > 0
    for got, want in zip(shown, carried.to_dict("records")):
        for col, value in got.items():
            value = {"yes": "true", "no": "false"}.get(value, value) if col in ("changed", "disagree") else value
            assert value == ("" if want[col] is None or want[col] != want[col] else str(want[col])), (col, got, want)


def test_a_package_without_positions_is_exported_without_a_summary(tiny, tmp_path):
    from cotw.export import export

    pkg = tmp_path / "pkg"
    shutil.copytree(tiny, pkg)
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if res["name"] == "positions":
            res["name"] = "observations"  # a package of another shape: nothing named positions to summarise
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    result = export(pkg, tmp_path / "out", validate=False)
    assert not [f for f in result.files if "summary" in f]


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
    edit_csv(broken / "data" / "positions.csv", 2, "value", "maybe")
    result = cli("export", broken, "--out", out)
    assert result.exit_code == 1
    assert "data/positions.csv:2: value 'maybe'" in result.stderr and "refusing to export" in result.stderr
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
    assert result.exit_code == 0 and result.stderr.splitlines() == [f"cotw export: {tiny} (version {cotw.__version__})"]  # no bar
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

    positions = pq.read_table(exported / "parquet" / "positions.parquet").schema
    assert positions.field("date").type == pa.string()  # EDTF, as curated
    assert positions.field("date_earliest").type == positions.field("date_latest").type == pa.date32()
    assert positions.field("date_earliest").metadata[b"description"].startswith(b"Derived by cotw from `date`")
    assert pa.types.is_dictionary(positions.field("value").type)
    assert positions.field("evidence").metadata[b"description"]
    countries = pq.read_table(exported / "parquet" / "countries.parquet").schema
    assert countries.field("eu_member").type == pa.bool_()
    assert pq.read_table(exported / "parquet" / "claims.parquet").schema.field("value_min").type == pa.float64()
    summary = pq.read_table(exported / "parquet" / "derived" / "summary.parquet").schema
    assert (summary.field("reports").type, summary.field("disagree").type) == (pa.int64(), pa.bool_())


def test_sqlite_declares_keys_and_indexes_and_foreign_keys_check_clean(exported):
    import sqlite3

    from cotw.export.frames import export_fields
    from cotw.package import Package

    pkg = Package.open(exported.parent / "tiny")
    con = sqlite3.connect(exported / "sqlite" / "cotw.db")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    for name in NAMES:
        sch = pkg.schema(name)
        cols = {r[1]: r for r in con.execute(f'PRAGMA table_info("{name}")')}
        assert list(cols) == [f["name"] for f in export_fields(sch)]  # the fields, and the bounds of each EDTF date
        assert [c for c, r in cols.items() if r[5]] == sch["primaryKey"]
        declared = {(r[3], r[2], r[4]) for r in con.execute(f'PRAGMA foreign_key_list("{name}")')}
        wanted = {(k["fields"][0], k["reference"]["resource"] or name, k["reference"]["fields"][0]) for k in sch.get("foreignKeys", [])}
        assert declared == wanted
        indexes = [[r[2] for r in con.execute(f'PRAGMA index_info("{i[1]}")')] for i in con.execute(f'PRAGMA index_list("{name}")')]
        assert sch["primaryKey"] in indexes  # links has a key of three columns
        assert all([k["fields"][0]] in indexes or k["fields"] == sch["primaryKey"] for k in sch.get("foreignKeys", []))
    con.close()
    meta = json.loads((exported / "sqlite" / "metadata.json").read_text())
    assert meta["title"] and meta["license"] == "CC-BY-4.0" and meta["source"]
    tables = meta["databases"]["cotw"]["tables"]
    assert [t for t in tables if not tables[t].get("hidden")] == NAMES + ["derived_summary"]  # hidden: the full-text indexes
    for name in NAMES:
        assert tables[name]["description"] and all(tables[name]["columns"].values())
        assert list(tables[name]["columns"]) == [f["name"] for f in export_fields(pkg.schema(name))]


def test_excel_keeps_text_as_text_with_frozen_headers_and_a_codebook(exported):
    import zipfile

    import openpyxl

    wb = openpyxl.load_workbook(exported / "excel" / "cotw.xlsx")
    assert wb.sheetnames == ["about"] + NAMES + ["derived_summary", "codebook"]
    for ws in wb:
        assert ws.freeze_panes == ("A2" if ws.title != "about" else None)
    # cells that begin like a formula fail `cotw check` (formula-prefix); that the workbook would still
    # keep them as text is tested in test_export_hostile.py
    with zipfile.ZipFile(exported / "excel" / "cotw.xlsx") as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    countries = wb["countries"]
    assert countries["A2"].value == "COALITION" and countries.column_dimensions["A"].width > 0
    import datetime as dt

    from cotw.derived import SCHEMA
    from cotw.export.frames import export_fields

    header = [c.value for c in wb["positions"][1]]
    dates = [c.value for c in wb["positions"][chr(ord("A") + header.index("date_earliest"))][1:] if c.value is not None]
    assert dates and all(isinstance(d, dt.datetime) for d in dates)  # the derived bounds are dates, the EDTF text stays text
    for row in wb["codebook"].iter_rows(min_row=2):  # prose read down a column: every text wraps within its column
        for c in row:
            assert c.value is None or c.alignment.wrap_text, f"codebook {c.coordinate} does not wrap: {c.value!r}"
    assert all(wb["codebook"].column_dimensions[col].width <= 62 for col in "ABCDEFG")
    codebook = list(wb["codebook"].iter_rows(values_only=True))
    fields = [(r[0], r[1]) for r in codebook[1:] if r[2]]
    pkg = cotw.package.Package.open(exported.parent / "tiny")
    assert fields == [(n, f["name"]) for n in NAMES for f in export_fields(pkg.schema(n))] + [
        ("derived_summary", f["name"]) for f in SCHEMA["fields"]]
