"""JSON: one document per table (an array of records, keys in schema order) and one JSON Lines file
per table. Dates are ISO strings, missing cells null, booleans and numbers native."""
from __future__ import annotations

import datetime as dt
import json

from .paths import table_file

FOLDER = "json"


def files(names: list[str]) -> dict[str, dict[str, str]]:
    return {n: {"json": table_file(FOLDER, n, ".json"), "jsonl": table_file(FOLDER, n, ".jsonl")} for n in names}


def _value(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def records(table) -> list[dict]:
    names = [f["name"] for f in table.fields]
    return [{k: _value(v) for k, v in zip(names, row)} for row in table.records()]


def write(ctx) -> list[str]:
    written = []
    for name, paths in files(list(ctx.tables)).items():
        recs = records(ctx.tables[name])
        doc = json.dumps(recs, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        lines = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in recs)
        ctx.path(paths["json"]).write_text(doc, encoding="utf-8", newline="\n")
        ctx.path(paths["jsonl"]).write_text(lines, encoding="utf-8", newline="\n")
        written += [paths["json"], paths["jsonl"]]
    return written
