"""SQLite: one database with one table per resource, and a Datasette `metadata.json` beside it.

The DDL is derived from the Table Schema: column types, NOT NULL for required fields, UNIQUE,
CHECK constraints for controlled vocabularies and booleans, the primary key, foreign keys, and an
index on every foreign key (the primary key has SQLite's own). Dates are ISO text, booleans 0/1.

Full-text search: every table with verbatim text (the fields that carry `x-verbatim-in`: quotes and
evidence) gets an FTS5 index `<table>_fts` over those columns (external content, diacritics folded,
so `Spruds` finds `Sprūds`), which Datasette's search box uses through `fts_table` in metadata.json.
The metadata also suggests the controlled-vocabulary columns as facets and offers a few canned
queries, each only when the tables and columns it names exist.

The database is built in a temporary file from the same statements every time and then VACUUMed,
so its bytes depend only on the data (and the SQLite library's version).
"""
from __future__ import annotations

import datetime as dt
import json

from .frames import foreign_keys, kind, primary_key

FOLDER = "sqlite"
DATABASE = f"{FOLDER}/cotw.db"
METADATA = f"{FOLDER}/metadata.json"

_TYPES = {"boolean": "INTEGER", "number": "REAL", "integer": "INTEGER"}


FTS_SUFFIX = "_fts"

# Canned queries for Datasette: (name, title, description, {table: columns it needs}, SQL). Named
# parameters left empty mean "all".
QUERIES = [
    ("countries_by_troop_stance", "Countries by troop stance",
     "How many countries and organisations take each stance on sending troops, and which.",
     {"countries": ["code", "troop_stance"]},
     "SELECT troop_stance, count(*) AS countries, group_concat(code, ', ') AS codes\n"
     "FROM (SELECT troop_stance, code FROM countries ORDER BY code)\n"
     "GROUP BY troop_stance\nORDER BY countries DESC, troop_stance"),
    ("conditions_by_country", "Conditions by country",
     "The conditions each country sets, with the words of the source; filter by country code (e.g. FRA).",
     {"conditions": ["condition_id", "country", "condition", "applies_to", "basis", "source_id", "evidence"],
      "countries": ["code", "name"]},
     "SELECT c.country, n.name AS country_name, c.condition, c.applies_to, c.basis, c.evidence, c.source_id, c.condition_id\n"
     "FROM conditions AS c JOIN countries AS n ON n.code = c.country\n"
     "WHERE :country = '' OR c.country = upper(:country)\n"
     "ORDER BY c.country, c.condition_id"),
    ("who_said_what", "Who said what",
     "Every quotation with its speaker, country and date; filter by part of the speaker's name.",
     {"statements": ["statement_id", "source_id", "country", "speaker_id", "speaker_label", "said", "quote"],
      "people": ["person_id", "name"]},
     "SELECT s.said, s.country, coalesce(p.name, s.speaker_label) AS speaker, s.quote, s.source_id, s.statement_id\n"
     "FROM statements AS s LEFT JOIN people AS p ON p.person_id = s.speaker_id\n"
     "WHERE :speaker = '' OR coalesce(p.name, s.speaker_label) LIKE '%' || :speaker || '%'\n"
     "ORDER BY s.said IS NULL, s.said, s.statement_id"),
]


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


def build(path, tables: dict) -> None:
    import sqlite3

    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = OFF")  # self-references (same_as) may point forwards; checked below
        con.execute("BEGIN")
        taken = {name.casefold() for name in tables}
        for name, table in tables.items():
            for stmt in ddl(name, table.schema, taken):
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


def queries(tables: dict) -> dict[str, dict]:
    """The canned queries whose tables and columns all exist in this package."""
    have = {name: {f["name"] for f in t.fields} for name, t in tables.items()}
    return {name: {"title": title, "description": about, "sql": sql}
            for name, title, about, needs, sql in QUERIES
            if all(t in have and set(cols) <= have[t] for t, cols in needs.items())}


def metadata(ctx) -> dict:
    """Datasette metadata: title, licence, source, every table's and column's description, the full-text
    index behind each table's search box, suggested facets (the controlled vocabularies), and canned queries."""
    d = ctx.pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    fts = fts_tables(ctx.tables)
    tables = {}
    for name, table in ctx.tables.items():
        meta = {"description": table.resource.get("description", ""),
                "columns": {f["name"]: f.get("description", "") for f in table.fields}}
        facets = [f["name"] for f in table.fields if kind(f) == "enum"]
        if facets:
            meta["facets"] = facets
        label = next((c for c in ("name", "title") if c in meta["columns"]), None)
        if label:
            meta["label_column"] = label
        if name in fts:
            meta["fts_table"], meta["fts_pk"] = fts[name][0], "rowid"
        tables[name] = meta
    for name, (table, cols) in fts.items():
        tables[table] = {"hidden": True, "description": f"Full-text index of {name}: {', '.join(cols)}"}
    out = {"title": d.get("title", d.get("name", "cotw")), "description": d.get("description", ""),
           "license": lic.get("name", ""), "license_url": lic.get("path", ""),
           "source": f"cotw {ctx.version} (datapackage.json)",
           "databases": {"cotw": {"description": d.get("description", ""), "tables": tables, "queries": queries(ctx.tables)}}}
    return out


def write(ctx) -> list[str]:
    build(ctx.path(DATABASE), ctx.tables)
    ctx.path(METADATA).write_text(json.dumps(metadata(ctx), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return [DATABASE, METADATA]
