"""SQLite: one database with one table per resource, and a Datasette `metadata.json` beside it.

The DDL is derived from the Table Schema: column types, NOT NULL for required fields, UNIQUE,
CHECK constraints for controlled vocabularies and booleans, the primary key, foreign keys, and an
index on every foreign key (the primary key has SQLite's own). Dates are ISO text, booleans 0/1.
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
        con.execute("COMMIT")
        bad = con.execute("PRAGMA foreign_key_check").fetchall()
        if bad:
            raise ForeignKeyError(f"{len(bad)} rows fail PRAGMA foreign_key_check, e.g. {bad[0]}")
        con.execute("VACUUM")
    finally:
        con.close()


def metadata(ctx) -> dict:
    """Datasette metadata: title, licence, source, and every table's and column's description."""
    d = ctx.pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    tables = {}
    for name, table in ctx.tables.items():
        tables[name] = {"description": table.resource.get("description", ""),
                        "columns": {f["name"]: f.get("description", "") for f in table.fields}}
    out = {"title": d.get("title", d.get("name", "cotw")), "description": d.get("description", ""),
           "license": lic.get("name", ""), "license_url": lic.get("path", ""),
           "source": f"cotw {ctx.version} (datapackage.json)",
           "databases": {"cotw": {"description": d.get("description", ""), "tables": tables}}}
    return out


def write(ctx) -> list[str]:
    build(ctx.path(DATABASE), ctx.tables)
    ctx.path(METADATA).write_text(json.dumps(metadata(ctx), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return [DATABASE, METADATA]
