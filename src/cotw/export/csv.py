"""CSV: one file per table in canonical form (as in `data/`), and the zipped Frictionless data package
(`datapackage.json` with the schemas inlined, `bytes` and a sha256 `hash` for every resource, plus the CSVs)."""
from __future__ import annotations

import hashlib
import json

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
    written = []
    for name, rel in files(list(ctx.tables)).items():
        ctx.path(rel).write_bytes(ctx.tables[name].csv)
        written.append(rel)
    desc = json.dumps(descriptor(ctx), indent=2, ensure_ascii=False) + "\n"
    entries = [("datapackage.json", desc.encode("utf-8"))]
    entries += [(table_file("data", n, ".csv"), t.csv) for n, t in ctx.tables.items()]
    write_zip(ctx.path(ZIP), entries)
    return written + [ZIP]
