"""CSV: one file per table in canonical form (as in `data/`), and the zipped Frictionless data package
(`datapackage.json` with the schemas inlined, `bytes` and a sha256 `hash` for every resource, the CSVs,
and the archived source texts under `seeds/`, so that the zip alone proves every quote: `cotw check
cotw-datapackage.zip`).

The sha256 of each archived text is recorded once, in the sources table's `sha256` column (which
`cotw check` verifies), and that table's own sha256 is in the descriptor: one chain from the
descriptor to every archived byte, with no second copy of the hashes to disagree."""
from __future__ import annotations

import hashlib
import json

from ..io.safeio import MAX_TEXT
from .archive import write_zip
from .paths import table_file

FOLDER = "csv"
ZIP = "csv/cotw-datapackage.zip"


def files(names: list[str]) -> dict[str, str]:
    return {n: table_file(FOLDER, n, ".csv") for n in names}


def descriptor(ctx) -> dict:
    """The package descriptor of the zip: the original, with version, inline schemas, sizes and hashes."""
    d = json.loads(json.dumps(ctx.pkg.descriptor))
    d["version"] = ctx.version
    resources = []
    for res in d["resources"]:
        table = ctx.tables[res["name"]]
        res = dict(res, path=table_file("data", res["name"], ".csv"), schema=table.schema)
        res["bytes"] = len(table.csv)
        res["hash"] = "sha256:" + hashlib.sha256(table.csv).hexdigest()
        resources.append(res)
    d["resources"] = resources
    return d


def write(ctx) -> list[str]:
    from . import summary

    written = []
    for name, rel in files(list(ctx.tables)).items():
        ctx.path(rel).write_bytes(ctx.tables[name].csv)
        written.append(rel)
    if ctx.summary is not None:  # derived, so beside the tables and not in the data package
        data, schema = summary.files(FOLDER)
        ctx.path(data).write_bytes(ctx.summary.csv)
        ctx.path(schema).write_bytes(summary.schema_bytes())
        written += [data, schema]
    desc = json.dumps(descriptor(ctx), indent=2, ensure_ascii=False) + "\n"
    entries = [("datapackage.json", desc.encode("utf-8"))]
    entries += [(table_file("data", n, ".csv"), t.csv) for n, t in ctx.tables.items()]
    entries += [(rel, ctx.pkg.read_bytes(rel, MAX_TEXT)) for rel in archives(ctx.tables)]
    write_zip(ctx.path(ZIP), entries)
    return written + [ZIP]


def archives(tables: dict) -> list[str]:
    """The archived source texts the sources table records, as paths relative to the package, sorted."""
    sources = tables.get("sources")
    return sorted({a for a in sources.columns.get("archive", []) if a}) if sources else []
