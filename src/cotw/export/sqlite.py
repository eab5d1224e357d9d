"""SQLite: one database with one table per resource, and a Datasette `metadata.json` beside it.

The DDL is derived from the Table Schema: column types, NOT NULL for required fields, UNIQUE,
CHECK constraints for controlled vocabularies and booleans, the primary key, foreign keys, and an
index on every foreign key (the primary key has SQLite's own). Dates are ISO text, booleans 0/1; each
EDTF date is followed by the date bounds `cotw.load` derives from it (frames.export_fields), so SQL can
order and filter by date. The derived per-country summary (summary.py) is the table `derived_summary`,
described as derived in metadata.json.

Full-text search: every table with verbatim text (the fields that carry `x-verbatim-in`: quotes and
evidence) gets an FTS5 index `<table>_fts` over those columns (external content, diacritics folded,
so `Spruds` finds `Sprūds`), which Datasette's search box uses through `fts_table` in metadata.json.
The metadata also suggests the controlled-vocabulary columns and the columns that name a country as
facets, and offers a few canned queries, each only when the tables and columns it names exist.

The database is built in a temporary file from the same statements every time and then VACUUMed,
so its bytes depend only on the data (and the SQLite library's version).
"""
from __future__ import annotations

import datetime as dt
import json

from ..weblink import web_url
from .frames import foreign_keys, kind, primary_key

FOLDER = "sqlite"
DATABASE = f"{FOLDER}/cotw.db"
METADATA = f"{FOLDER}/metadata.json"

_TYPES = {"boolean": "INTEGER", "number": "REAL", "integer": "INTEGER"}


FTS_SUFFIX = "_fts"

# Canned queries for Datasette: (name, title, description, {table: columns it needs}, SQL). Named
# parameters left empty mean "all". `derived_summary` is the derived summary (summary.py), `{summary}`
# in the SQL its name in this database. Dates are ordered by the derived bounds (`*_earliest`,
# `*_latest`): EDTF text such as "../2025-04-10" does not sort as a date.
QUERIES = [
    ("own_troops_by_country", "Own troops: each country's latest position",
     "Each country's latest position on sending its own troops to a coalition force, as the derived summary "
     "(cotw.summary()) places it, with the report's date (EDTF), basis, source and words; latest_by says whether the "
     "texts place it last, disagree whether sources disagree, forecast the latest analyst forecast. Filter by country code.",
     {"derived_summary": ["country", "issue", "latest_value", "latest_by", "latest_position_id", "values", "reports", "sources",
                          "changed", "disagree", "forecast"],
      "positions": ["position_id", "date", "basis", "source_id", "evidence"], "countries": ["code", "name"]},
     "SELECT s.country, n.name AS country_name, s.latest_value AS value, p.date, p.basis, p.source_id, p.evidence,\n"
     "  s.latest_by, s.\"values\", s.reports, s.sources, s.changed, s.disagree, s.forecast, p.position_id\n"
     "FROM {summary} AS s JOIN countries AS n ON n.code = s.country\n"
     "LEFT JOIN positions AS p ON p.position_id = s.latest_position_id\n"
     "WHERE s.issue = 'own_troops' AND (:country = '' OR s.country = upper(:country))\n"
     "ORDER BY s.country"),
    ("conditions_by_country", "Conditions by country",
     "The conditions each country sets (and those it says it does not require: stance not_required), how firmly, "
     "for what, when, who says so and the words of the source; filter by country code (e.g. FRA). Rows that share a "
     "fact_id report the same condition.",
     {"conditions": ["condition_id", "fact_id", "country", "condition", "stance", "applies_to", "date", "basis", "source_id",
                     "evidence"],
      "countries": ["code", "name"]},
     "SELECT c.country, n.name AS country_name, c.condition, c.stance, c.applies_to, c.date, c.basis, c.evidence,\n"
     "  c.source_id, c.fact_id, c.condition_id\n"
     "FROM conditions AS c JOIN countries AS n ON n.code = c.country\n"
     "WHERE :country = '' OR c.country = upper(:country)\n"
     "ORDER BY c.country, c.condition, c.condition_id"),
    ("who_said_what", "Who said what",
     "Every quotation with its speaker, country and date (EDTF), earliest first; rows that share an utterance_id are "
     "reports of the same words. Filter by part of the speaker's name.",
     {"statements": ["statement_id", "utterance_id", "source_id", "country", "speaker_id", "speaker_label", "said",
                     "said_earliest", "said_latest", "quote"],
      "people": ["person_id", "name"]},
     "SELECT s.said, s.country, coalesce(p.name, s.speaker_label) AS speaker, s.quote, s.source_id, s.utterance_id,\n"
     "  s.statement_id\n"
     "FROM statements AS s LEFT JOIN people AS p ON p.person_id = s.speaker_id\n"
     "WHERE :speaker = '' OR coalesce(p.name, s.speaker_label) LIKE '%' || :speaker || '%'\n"
     "ORDER BY coalesce(s.said_earliest, s.said_latest) IS NULL, coalesce(s.said_earliest, s.said_latest), s.statement_id"),
]
SUMMARY = "derived_summary"  # the derived summary's name in QUERIES
FACET_REFERENCES = ("countries",)  # besides the vocabularies, a column naming a row of these is a suggested facet
SUMMARY_FACETS = ("issue", "latest_value", "latest_by", "changed", "disagree")


class ForeignKeyError(RuntimeError):
    """PRAGMA foreign_key_check found rows without their referenced row (validation should have caught it)."""


def _no_nul(text: str, what: str) -> str:
    if "\x00" in text:  # sqlite3 cannot pass a NUL inside a statement
        from .paths import UnsafeName

        raise UnsafeName(f"the {what} {text!r} holds a NUL character, which SQL cannot quote; nothing was exported")
    return text


def quote(name: str) -> str:
    return '"' + _no_nul(str(name), "name").replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + _no_nul(str(value), "vocabulary value").replace("'", "''") + "'"


def ddl(name: str, schema: dict, taken: set[str] | None = None) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for one resource. `taken` holds the (case-folded) names
    already used by tables and indexes, which share one namespace in SQLite; an index whose natural
    name is taken gets a numbered one, so no table name can make the DDL fail."""
    taken = set() if taken is None else taken
    cols = []
    for f in schema["fields"]:
        k, c = kind(f), f.get("constraints", {})
        col = f"{quote(f['name'])} {_TYPES.get(k, 'TEXT')}"
        if c.get("required"):
            col += " NOT NULL"
        if c.get("unique") and primary_key(schema) != [f["name"]]:
            col += " UNIQUE"
        if k == "enum":
            col += f" CHECK ({quote(f['name'])} IN ({', '.join(literal(v) for v in c['enum'])}))"
        elif k == "boolean":
            col += f" CHECK ({quote(f['name'])} IN (0, 1))"
        cols.append(col)
    pk = primary_key(schema)
    if pk:
        cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in pk)})")
    fks = foreign_keys(schema, name)
    for fields, ref, rfields in fks:
        cols.append(f"FOREIGN KEY ({', '.join(quote(x) for x in fields)}) REFERENCES {quote(ref)} ({', '.join(quote(x) for x in rfields)})")
    out = [f"CREATE TABLE {quote(name)} (\n  " + ",\n  ".join(cols) + "\n)"]
    for fields, _ref, _rfields in fks:
        if fields == pk:
            continue
        index = base = f"{name}_{'_'.join(fields)}"
        n = 1
        while index.casefold() in taken:
            n += 1
            index = f"{base}_{n}"
        taken.add(index.casefold())
        out.append(f"CREATE INDEX {quote(index)} ON {quote(name)} ({', '.join(quote(x) for x in fields)})")
    return out


def verbatim_columns(schema: dict) -> list[str]:
    """The text columns that hold words quoted from a source (quotes, evidence): those with `x-verbatim-in`."""
    return [f["name"] for f in schema["fields"] if f.get("x-verbatim-in") and kind(f) == "string"]


def fts_tables(tables: dict) -> dict[str, tuple[str, list[str]]]:
    """{table: (its FTS5 table, the columns indexed)} for every table with verbatim text."""
    out = {}
    for name, table in tables.items():
        cols = verbatim_columns(table.schema)
        if cols and name + FTS_SUFFIX not in tables:  # never shadow a real table of that name
            out[name] = (name + FTS_SUFFIX, cols)
    return out


def fts_ddl(name: str, fts: str, cols: list[str]) -> list[str]:
    """An external-content FTS5 index over `cols` of `name`, keyed by rowid, filled from the table."""
    return [f"CREATE VIRTUAL TABLE {quote(fts)} USING fts5({', '.join(quote(c) for c in cols)}, "
            f"content={literal(name)}, content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
            f"INSERT INTO {quote(fts)} ({quote(fts)}) VALUES ('rebuild')"]


def _value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def summary_name(tables: dict) -> str:
    """The derived summary's table name: `derived_summary`, numbered if a table or full-text index has that name."""
    taken = {n.casefold() for n in tables} | {fts.casefold() for fts, _ in fts_tables(tables).values()}
    name, n = SUMMARY, 1
    while name.casefold() in taken:
        n += 1
        name = f"{SUMMARY}_{n}"
    return name


def build(path, tables: dict, summary=None) -> None:
    """The database of `tables` (frames.Table by name) and, when given, the derived summary's table."""
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = OFF")  # rows may name rows of tables created after theirs; checked below
        con.execute("BEGIN")
        taken = {name.casefold() for name in tables}
        every = dict(tables)
        if summary is not None:
            taken.add(summary_name(tables).casefold())
            every[summary_name(tables)] = summary
        for name, table in every.items():
            for stmt in ddl(name, dict(table.schema, fields=table.fields), taken):  # with the derived date bounds
                con.execute(stmt)
            cols = [f["name"] for f in table.fields]
            sql = f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in cols)}) VALUES ({', '.join('?' for _ in cols)})"
            con.executemany(sql, [tuple(_value(v) for v in row) for row in table.records()])
        for name, (fts, cols) in fts_tables(tables).items():
            for stmt in fts_ddl(name, fts, cols):
                con.execute(stmt)
        con.execute("COMMIT")
        bad = con.execute("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise ForeignKeyError(f"{len(bad)} rows fail PRAGMA foreign_key_check, e.g. {bad[0]}")
        con.execute("VACUUM")
        for fts, _cols in fts_tables(tables).values():
            # the index points at rowids: prove VACUUM kept them (raises "database disk image is malformed" if not)
            con.execute(f"INSERT INTO {quote(fts)} ({quote(fts)}, rank) VALUES ('integrity-check', 1)")
    finally:
        con.close()


def queries(tables: dict, summary=None) -> dict[str, dict]:
    """The canned queries whose tables and columns all exist in this export (`summary`: the derived summary's table)."""
    have = {name: {f["name"] for f in t.fields} for name, t in tables.items()}
    have.pop(SUMMARY, None)  # a curated table of that name is not the summary
    if summary is not None:
        have[SUMMARY] = {f["name"] for f in summary.fields}
    table = quote(summary_name(tables)) if summary is not None else None
    return {name: {"title": title, "description": about, "sql": sql.replace("{summary}", table) if table else sql}
            for name, title, about, needs, sql in QUERIES
            if all(t in have and set(cols) <= have[t] for t, cols in needs.items())}


def facets(name: str, table) -> list[str]:
    """Suggested facets: the controlled vocabularies, and the columns that name a country (FACET_REFERENCES)."""
    refs = {fields[0] for fields, ref, _ in foreign_keys(table.schema, name) if len(fields) == 1 and ref in FACET_REFERENCES}
    return [f["name"] for f in table.fields if kind(f) == "enum" or f["name"] in refs]


def metadata(ctx) -> dict:
    """Datasette metadata: title, licence, source, every table's and column's description, the full-text
    index behind each table's search box, suggested facets, the derived summary, and canned queries."""
    d = ctx.pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    fts = fts_tables(ctx.tables)
    tables = {}
    for name, table in ctx.tables.items():
        meta = {"description": table.resource.get("description", ""),
                "columns": {f["name"]: f.get("description", "") for f in table.fields}}
        if facets(name, table):
            meta["facets"] = facets(name, table)
        label = next((c for c in ("name", "title") if c in meta["columns"]), None)
        if label:
            meta["label_column"] = label
        if name in fts:
            meta["fts_table"], meta["fts_pk"] = fts[name][0], "rowid"
        tables[name] = meta
    for name, (table, cols) in fts.items():
        tables[table] = {"hidden": True, "description": f"Full-text index of {name}: {', '.join(cols)}"}
    if ctx.summary is not None:
        tables[summary_name(ctx.tables)] = {"description": ctx.summary.resource["description"],
                                            "columns": {f["name"]: f.get("description", "") for f in ctx.summary.fields},
                                            "facets": [c for c in SUMMARY_FACETS if c in ctx.summary.columns]}
    out = {"title": d.get("title", d.get("name", "cotw")), "description": d.get("description", ""),
           "license": lic.get("name", ""),
           "source": f"cotw {ctx.version} (datapackage.json)",
           "databases": {"cotw": {"description": d.get("description", ""), "tables": tables,
                                         "queries": queries(ctx.tables, ctx.summary)}}}
    if web_url(lic.get("path")):  # Datasette shows it as a link: only an http(s) URL, never javascript: or data:
        out["license_url"] = lic["path"]
    return out


def write(ctx) -> list[str]:
    build(ctx.path(DATABASE), ctx.tables, ctx.summary)
    ctx.path(METADATA).write_text(json.dumps(metadata(ctx), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return [DATABASE, METADATA]
