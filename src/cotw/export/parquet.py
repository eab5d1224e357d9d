"""Parquet: one typed file per table, and the derived summary in `derived/`. Dates are date32 (the
bounds derived from each EDTF date, whose text stays text), controlled vocabularies dictionary
columns (with the schema's full vocabulary, in its order), booleans booleans, numbers float64; each
field carries its description as metadata."""
from __future__ import annotations

from .frames import kind
from .paths import table_file

FOLDER = "parquet"


def files(names: list[str]) -> dict[str, str]:
    return {n: table_file(FOLDER, n, ".parquet") for n in names}


def arrow_table(table, version: str, derived: str | None = None):
    """The table as a typed Arrow table; `derived` says how a table that is not curated was made (file metadata)."""
    import pyarrow as pa

    arrays, fields = [], []
    for f in table.fields:
        values, k = table.columns[f["name"]], kind(f)
        if k == "enum":
            cats = [str(c) for c in f["constraints"]["enum"]]
            pos = {c: i for i, c in enumerate(cats)}
            arr = pa.DictionaryArray.from_arrays(pa.array([None if v is None else pos[v] for v in values], pa.int32()),
                                                 pa.array(cats, pa.string()))
        else:
            typ = {"date": pa.date32(), "datetime": pa.timestamp("s"), "boolean": pa.bool_(), "number": pa.float64(),
                   "integer": pa.int64()}.get(k, pa.string())
            arr = pa.array(values, typ)
        meta = {"description": f["description"]} if f.get("description") else None
        required = bool(f.get("constraints", {}).get("required"))
        arrays.append(arr)
        fields.append(pa.field(f["name"], arr.type, nullable=not required, metadata=meta))
    meta = {"cotw.table": table.name, "cotw.version": version, "description": table.resource.get("description", "")}
    if derived:
        meta["cotw.derived"] = derived
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def write(ctx) -> list[str]:
    import pyarrow.parquet as pq

    from . import summary

    written = []
    for name, rel in files(list(ctx.tables)).items():
        pq.write_table(arrow_table(ctx.tables[name], ctx.version), ctx.path(rel), compression="zstd")
        written.append(rel)
    if ctx.summary is not None:
        (rel,) = summary.files(FOLDER)
        pq.write_table(arrow_table(ctx.summary, ctx.version, "cotw.summary()"), ctx.path(rel), compression="zstd")
        written.append(rel)
    return written
