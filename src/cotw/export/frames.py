"""The validated tables as every exporter sees them: typed, sorted by primary key, columns in schema
order, and as plain Python columns (str, datetime.date, bool, float, int or None).

Everything a format needs to know about a field (its kind, vocabulary, key) is read here from the
Table Schema, so no exporter restates the schema.

The typed formats (Parquet, SQLite, Excel, JSON) carry the columns of `cotw.load()`: every field of
the schema, and after each EDTF date field (`x-edtf`) the two date columns `cotw.load` derives from
it, `<field>_earliest` and `<field>_latest` (see `derived_fields`), so that "2025-04" or
"../2025-04-10" can be sorted and filtered as dates in any of them; and after each verbatim field
(`x-verbatim-in`: evidence, quotations) its reading form `<field>_plain`, the words without the
source's markup (`<u>`, `</u>`, `**`; markup.py), for the formats people read cell by cell. The
reading form is added here, not by `cotw.load`: the library gives the curated words, as provenance
matches them. The CSV files and the zipped data package stay exactly the curated tables.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..package import Package


def kind(f: dict) -> str:
    """What an exporter has to know about a field: enum, date, datetime, boolean, number, integer or string."""
    if f.get("constraints", {}).get("enum") is not None:
        return "enum"
    t = f.get("type", "string")
    return t if t in ("date", "datetime", "boolean", "number", "integer") else "string"


def _names(value) -> list[str]:
    """A field list as the Table Schema allows it (one name or a list of names); anything else is empty."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def primary_key(schema: dict) -> list[str]:
    return _names(schema.get("primaryKey"))


def foreign_keys(schema: dict, name: str) -> list[tuple[list[str], str, list[str]]]:
    """(fields, referenced resource, referenced fields) for each foreign key; an empty resource means this table.

    A malformed key (fields that are not names, or as many fields as referenced ones) declares
    nothing here: `cotw check` reports it, and the exporters must not fail on it (SQLite would)."""
    out = []
    keys = schema.get("foreignKeys")
    for k in keys if isinstance(keys, list) else []:
        ref = k.get("reference") if isinstance(k, dict) else None
        if not isinstance(ref, dict):
            continue
        fields, rfields, resource = _names(k.get("fields")), _names(ref.get("fields")), ref.get("resource") or name
        if fields and len(fields) == len(rfields) and isinstance(resource, str):
            out.append((fields, resource, rfields))
    return out


def vocabulary(f: dict) -> list[tuple[str, str]]:
    """(value, label) of a field's categories, in either Table Schema form (["a", ...] or
    [{"value": "a", "label": ...}, ...]); entries of any other shape are left out, not fatal."""
    cats = f.get("categories") or f.get("x-vocabulary") or []
    out = []
    for cat in cats if isinstance(cats, list) else []:
        if isinstance(cat, dict) and "value" in cat:
            out.append((str(cat["value"]), str(cat.get("label", ""))))
        elif isinstance(cat, (str, int, float)) and not isinstance(cat, bool):
            out.append((str(cat), ""))
    return out


def _plain(value, k: str):
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if k == "date":
        return value.date() if hasattr(value, "date") else dt.date.fromisoformat(str(value))
    if k == "datetime":
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if k == "boolean":
        return bool(value)
    if k == "number":
        return float(value)
    if k == "integer":
        return int(value)
    return str(value)


def derived_fields(f: dict) -> list[dict]:
    """The columns derived from a field, described as derived: the date bounds `cotw.load` adds after an
    EDTF field, the reading form after a verbatim field (markup.py), none for other fields."""
    from .markup import SUFFIX

    if isinstance(f.get("x-verbatim-in"), str):
        return [{"name": f"{f['name']}{SUFFIX}", "type": "string", "x-derived-from": f["name"],
                 "description": f"Derived by cotw from `{f['name']}` (not curated): its words as they read, without the "
                                "source's markup (`<u>`, `</u>` and `**` removed); `" + f["name"] + "` keeps them verbatim, "
                                "as they are matched against the archived source."}]
    if not f.get("x-edtf"):
        return []
    return [{"name": f"{f['name']}_{end}", "type": "date", "x-derived-from": f["name"],
             "description": f"Derived by cotw from `{f['name']}` (not curated): the {which} day its EDTF value allows; "
                            f"empty where it is empty or open at that end."}
            for end, which in (("earliest", "first"), ("latest", "last"))]


def export_fields(schema: dict) -> list[dict]:
    """The schema's fields, each EDTF date field followed by its derived bounds (as cotw.load gives them) and each
    verbatim field by its reading form."""
    names = {f["name"] for f in schema["fields"]}
    return [x for f in schema["fields"] for x in [f] + [d for d in derived_fields(f) if d["name"] not in names]]


@dataclass
class Table:
    """One table ready to export."""

    name: str
    resource: dict
    schema: dict
    frame: object  # the typed pandas DataFrame of cotw.load(), sorted by primary key
    csv: bytes  # the canonical CSV bytes (`cotw fmt` form), rows in the same order
    columns: dict[str, list] = field(default_factory=dict)  # plain Python values, in the order of `fields`

    @property
    def fields(self) -> list[dict]:
        """The columns of the typed formats: the schema's fields and the derived date bounds (export_fields)."""
        return export_fields(self.schema)

    @property
    def key(self) -> list[str]:
        return primary_key(self.schema)

    @property
    def rows(self) -> int:
        return len(self.frame)

    def records(self):
        """Each row as a tuple of plain values, in schema order."""
        return list(zip(*(self.columns[f["name"]] for f in self.fields))) if self.fields else []


def prepare(pkg: Package) -> dict[str, Table]:
    """Every table of a validated package, in descriptor order."""
    from ..io.canonical import canonical
    from ..io.loader import load_table

    out = {}
    for name in pkg.names():
        res, sch = pkg.resource(name), pkg.schema(name)
        fields = [f["name"] for f in sch["fields"]]
        key = primary_key(sch)
        frame = with_reading_form(load_table(pkg, name), sch)[[f["name"] for f in export_fields(sch)]]
        texts = list(frame[key].astype(object).where(frame[key].notna(), "").itertuples(index=False, name=None)) if key else None
        order = sorted(range(len(frame)), key=lambda i: tuple(str(v) for v in texts[i])) if key else list(range(len(frame)))
        frame = frame.iloc[order].reset_index(drop=True)
        data = canonical(pkg.read_bytes(res["path"]), fields, key)
        table = Table(name, res, sch, frame, data)
        table.columns = columns(frame, table.fields)
        out[name] = table
    return out


def with_reading_form(frame, schema: dict):
    """`frame` (as cotw.load gives it) with the reading-form column of each verbatim field (`derived_fields`)."""
    from .markup import SUFFIX, TOKEN

    for f in schema["fields"]:
        if isinstance(f.get("x-verbatim-in"), str) and f["name"] in frame.columns:
            frame[f"{f['name']}{SUFFIX}"] = frame[f["name"]].str.replace(TOKEN, "", regex=True)
    return frame


def columns(frame, fields: list[dict]) -> dict[str, list]:
    """Each field's column of `frame` as plain Python values."""
    return {f["name"]: [_plain(v, k) for v in frame[f["name"]].tolist()] for f in fields for k in (kind(f),)}


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
