"""JSON: one document per table (an array of records, keys in schema order) and one JSON Lines file
per table. Dates are ISO strings, missing cells null, booleans and numbers native; a number that is a
whole number is written as one (`6`, not `6.0`: the CSV says `6`), up to 2**53, past which a float
no longer holds every integer and stays as it is."""
from __future__ import annotations

import datetime as dt
import json

from .paths import table_file

FOLDER = "json"


def files(names: list[str]) -> dict[str, dict[str, str]]:
    return {n: {"json": table_file(FOLDER, n, ".json"), "jsonl": table_file(FOLDER, n, ".jsonl")} for n in names}


EXACT = 2**53  # every integer up to this is a float exactly


def _value(v):
    if isinstance(v, float) and v.is_integer() and abs(v) <= EXACT:
        return int(v)
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


def records(table) -> list[dict]:
    names = [f["name"] for f in table.fields]
    return [{k: _value(v) for k, v in zip(names, row)} for row in table.records()]


def _write(ctx, table, json_path: str, jsonl_path: str) -> list[str]:
    recs = records(table)
    doc = json.dumps(recs, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    lines = "".join(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n" for r in recs)
    ctx.path(json_path).write_text(doc, encoding="utf-8", newline="\n")
    ctx.path(jsonl_path).write_text(lines, encoding="utf-8", newline="\n")
    return [json_path, jsonl_path]


def write(ctx) -> list[str]:
    from . import summary

    written = []
    for name, paths in files(list(ctx.tables)).items():
        written += _write(ctx, ctx.tables[name], paths["json"], paths["jsonl"])
    if ctx.summary is not None:
        written += _write(ctx, ctx.summary, *summary.files(FOLDER))
    return written
