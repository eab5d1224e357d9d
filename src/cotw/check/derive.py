"""Pandera schemas derived from the Table Schemas in datapackage.json (the single source of truth).

pandera's own `from_frictionless_schema` loses dates, formats, foreign keys and v2 properties, so
cotw converts them itself. Every check is vectorised and accepts both forms of a table: the text as
read from CSV (`cotw.read`) and the typed frame of `cotw.load`. Each check's name is a key into
`schema.metadata["cotw"]`, which says which column and rule it stands for, so failures can be
reported in plain words with their CSV line.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

from . import rules
from .blocks import CheckSpec, Rule, arrow, did_you_mean, fullmatch, isin, ok, q, text
from ..package import Package

_DATE_RX = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"


def fk_sets(pkg: Package, frames: dict[str, pd.DataFrame]) -> dict[tuple[str, str], pd.Index]:
    """The referenced key values of every foreign key, from the given frames."""
    sets: dict[tuple[str, str], pd.Index] = {}
    for name in pkg.names():
        for fk in pkg.schema(name).get("foreignKeys", []):
            ref = fk.get("reference", {})
            target = ref.get("resource") or name
            fields = ref.get("fields")
            fields = fields if isinstance(fields, list) else [fields]
            if len(fields) != 1:
                continue
            frame = frames.get(target)
            if frame is not None and fields[0] in frame.columns:
                sets[(target, fields[0])] = _keys(text(frame[fields[0]]))
            # else: the referenced table could not be read; its keys are unknown, so the foreign
            # key is not checked (the table's own problems are reported instead)
    return sets


def _keys(s: pd.Series):
    """Distinct key values as a pyarrow array, for one vectorised membership test per column."""
    import pyarrow as pa

    values = pd.unique(s.dropna())
    if isinstance(values, pd.arrays.ArrowStringArray):
        return pa.array(values)
    return pa.array([str(v) for v in values], type=pa.large_string())


def build(pkg: Package, name: str, refs: dict[tuple[str, str], pd.Index] | None = None,
          context: dict[str, pd.DataFrame] | None = None, frame: pd.DataFrame | None = None) -> pa.DataFrameSchema:
    """The pandera schema of table `name`. `refs` are the referenced key sets (see fk_sets); without
    them foreign keys are not checked. `context` holds other tables for the cross-table rules.
    `frame`, when given, is the one frame the schema will validate: the safe-text rules are then
    attached only to the columns in which a quick scan finds a suspect cell (each pandera check
    costs about 0.1 ms, and most text columns have nothing to report)."""
    tschema = pkg.schema(name)
    texts = [f["name"] for f in tschema["fields"] if f.get("type", "string") == "string"]
    suspect = None if frame is None else _suspect_columns(frame, texts)
    registry: dict[str, Rule] = {}
    columns: dict[str, pa.Column] = {}
    pk = tschema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    fks = {}
    for fk in tschema.get("foreignKeys", []):
        fields = fk.get("fields")
        fields = fields if isinstance(fields, list) else [fields]
        if len(fields) == 1:
            fks[fields[0]] = fk.get("reference", {})
    for f in tschema["fields"]:
        col = f["name"]
        cons = f.get("constraints", {})
        checks = [_check(registry, c) for c in _field_checks(pkg, name, f, cons, fks.get(col), refs)
                  if suspect is None or col in suspect or not c.key.startswith(_TEXT_RULES)]
        if col in pk and len(pk) == 1 or cons.get("unique"):
            checks.append(_check(registry, _unique(col, "primary key" if col in pk else "unique field")))
        nullable = not (cons.get("required") or col in pk)
        columns[col] = pa.Column(None, nullable=nullable, checks=checks, required=True,
                                 description=f.get("description"), title=f.get("title"))
        registry[f"not_nullable:{col}"] = Rule("required", col, lambda v, r, col=col: (f"{col} is required but the cell is empty", None))
    frame_checks = []
    if len(pk) > 1:
        frame_checks.append(_check(registry, _composite_unique(pk)))
    for fk in tschema.get("foreignKeys", []):
        fields = fk.get("fields")
        if isinstance(fields, list) and len(fields) > 1 and refs is not None:
            spec = _composite_fk(pkg, name, fields, fk.get("reference", {}), context or {})
            if spec is not None:
                frame_checks.append(_check(registry, spec))
    for rule in rules.for_table(pkg, name, context or {}):
        frame_checks.append(_check(registry, rule))
    return pa.DataFrameSchema(columns, checks=frame_checks, name=name, strict=False, coerce=False,
                              metadata={"cotw": registry}, unique_column_names=True)


# --- field checks ---------------------------------------------------------------------------

def _check(registry: dict[str, Rule], spec) -> pa.Check:
    registry[spec.key] = spec.rule
    return pa.Check(spec.fn, name=spec.key, element_wise=False, ignore_na=False)


def _field_checks(pkg: Package, table: str, f: dict, cons: dict, fk: dict | None, refs) -> list[CheckSpec]:
    col = f["name"]
    ftype = f.get("type", "string")
    out: list[CheckSpec] = []
    if ftype == "date":
        def is_date(s):
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                return pd.Series(True, index=s.index)
            t = text(s)
            shaped = fullmatch(t, DATE_RE, _DATE_RX)
            parsed = pd.to_datetime(t.where(shaped), format="%Y-%m-%d", errors="coerce")
            return ok(parsed.notna(), t)
        out.append(CheckSpec(f"date:{col}", is_date, Rule("date", col, lambda v, r: _date_message(col, v))))
    elif ftype == "boolean":
        allowed = set(f.get("trueValues", TRUE_VALUES)) | set(f.get("falseValues", FALSE_VALUES))
        out.append(CheckSpec(f"boolean:{col}", lambda s: ok(isin(text(s), allowed), s),
                             Rule("boolean", col, lambda v, r: (f"{col} {q(v)} is not a boolean", "write true or false"))))
    elif ftype in ("number", "integer"):
        def is_num(s):
            if pd.api.types.is_numeric_dtype(s.dtype):
                return pd.Series(True, index=s.index)
            n = pd.to_numeric(s.astype(object).where(s.notna()), errors="coerce")
            parsed = n.notna()
            if ftype == "integer":
                parsed &= (n % 1 == 0)
            return ok(parsed, s)
        out.append(CheckSpec(f"{ftype}:{col}", is_num, Rule(ftype, col, lambda v, r: (f"{col} {q(v)} is not a{'n' if ftype == 'integer' else ''} {ftype}", None))))
    if "enum" in cons:
        values = list(cons["enum"])
        out.append(CheckSpec(f"enum:{col}", lambda s: ok(isin(text(s), values), s),
                             Rule("enum", col, lambda v, r: (f"{col} {q(v)} is not one of: {', '.join(map(str, values))}", did_you_mean(v, values)))))
    if "pattern" in cons:
        pattern = cons["pattern"]
        rx = re.compile(pattern)
        def matches(s, rx=rx, pattern=pattern):
            return ok(fullmatch(s, pattern, rx), s)
        def describe(v, r):
            hint = "remove the leading or trailing whitespace" if isinstance(v, str) and v != v.strip() and rx.fullmatch(v.strip()) else None
            return f"{col} {q(v)} does not match the pattern {pattern}", hint
        out.append(CheckSpec(f"pattern:{col}", matches, Rule("pattern", col, describe)))
    for key, op, word in (("maxLength", "le", "at most"), ("minLength", "ge", "at least")):
        if key in cons:
            limit = int(cons[key])
            def length(s, op=op, limit=limit):
                return ok(getattr(text(s).str.len(), op)(limit), s)
            out.append(CheckSpec(f"{key}:{col}", length, Rule(key, col, lambda v, r, word=word, limit=limit: (
                f"{col} is {len(str(v))} characters long; it must be {word} {limit}", None))))
    for key, op, word in (("minimum", "ge", "at least"), ("maximum", "le", "at most"), ("exclusiveMinimum", "gt", "greater than"), ("exclusiveMaximum", "lt", "less than")):
        if key in cons:
            bound = cons[key]
            def in_range(s, op=op, bound=bound):
                n = pd.to_numeric(s.astype(object).where(s.notna()), errors="coerce")
                return ok(getattr(n, op)(bound) | n.isna(), s)
            out.append(CheckSpec(f"{key}:{col}", in_range, Rule(key, col, lambda v, r, word=word, bound=bound: (f"{col} {q(v)} must be {word} {bound}", None))))
    if ftype == "string":
        out += _text_checks(col, f, cons)
    target = (fk or {}).get("resource") or table
    rfield = (fk or {}).get("fields")
    rfield = rfield[0] if isinstance(rfield, list) else rfield
    if fk is not None and refs is not None and (target, rfield) in refs:
        keys = refs[(target, rfield)]
        target_file = pkg.resource(target).get("path", target) if target in pkg.resources else target
        def in_ref(s, keys=keys):
            return ok(isin(text(s), keys), s)
        def describe(v, r, keys=keys, target_file=target_file, rfield=rfield):
            return f"{col} {q(v)} is not a {rfield} in {target_file}", did_you_mean(v, keys)
        out.append(CheckSpec(f"foreign-key:{col}", in_ref, Rule("foreign-key", col, describe)))
    return out


# Characters that make a spreadsheet treat a CSV cell as a formula (OWASP "CSV injection"), and the
# control characters that XML (so XLSX) cannot store. One pattern per regex dialect: pyarrow's RE2
# writes code points as \x{...}, Python's re as \u....
_FORMULA_RE2 = r"^[=+\-@\t\r]"  # the same in Python's re
_FORMULA_RX = re.compile(_FORMULA_RE2)
_CONTROL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{FFFE}\x{FFFF}]"
_CONTROL_RX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


_TEXT_RULES = ("control-character:", "formula-prefix:")
_SUSPECT_RE2 = f"{_FORMULA_RE2}|{_CONTROL_RE2}"
_SUSPECT_RX = re.compile(f"{_FORMULA_RE2}|{_CONTROL_RX.pattern}")


def _suspect_columns(frame: pd.DataFrame, columns: list[str]) -> set[str]:
    """The `columns` of `frame` with a cell that the safe-text rules may object to (a superset of their failures).

    An arrow-backed column is first looked at as bytes (`_may_hold_suspect`: numpy, about ten times
    faster than RE2 on clean text); only a column in which that finds a candidate is scanned by RE2."""
    import pyarrow.compute as pc

    out = set()
    for col in columns:
        s = frame.get(col)
        if s is None or not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        a = arrow(s)
        if a is not None:
            if _may_hold_suspect(a) and pc.any(pc.match_substring_regex(a, _SUSPECT_RE2)).as_py():
                out.add(col)
        elif not _free_of(s, _SUSPECT_RE2, _SUSPECT_RX).all():
            out.add(col)
    return out


_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in "=+-@\t\r"]] = True  # _FORMULA_RE2's characters, all ASCII: one byte each in UTF-8


def _may_hold_suspect(a) -> bool:
    """False only when no cell of the arrow text `a` begins with a formula character or holds a byte
    below 0x20, DEL, or U+FFFE/U+FFFF (EF BF BE/BF in UTF-8): then _SUSPECT_RE2 matches no cell.
    Null cells are looked at too (harmless: the answer is a superset)."""
    import pyarrow as pa

    for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a]):
        if len(chunk) == 0:
            continue
        if not (pa.types.is_large_string(chunk.type) or pa.types.is_string(chunk.type)):
            return True
        _, offsets, values = chunk.buffers()
        if values is None:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offs = np.frombuffer(offsets, dtype=width)[chunk.offset: chunk.offset + len(chunk) + 1].astype(np.int64)
        data = np.frombuffer(values, dtype=np.uint8)[offs[0]:offs[-1]]
        starts = offs[:-1][offs[:-1] < offs[1:]] - offs[0]
        if _FORMULA_BYTES[data[starts]].any():
            return True
        step = 1 << 22
        for i in range(0, len(data), step):
            part = data[i:i + step + 2]  # two bytes of overlap: a three-byte sequence may span the cut
            if (part < 0x20).any() or (part == 0x7F).any():
                return True
            lead = np.flatnonzero(part[:-2] == 0xEF)
            if len(lead) and ((part[lead + 1] == 0xBF) & (part[lead + 2] >= 0xBE)).any():
                return True
    return False


def _free_of(s: pd.Series, re2: str, rx: re.Pattern) -> pd.Series:
    """True for the cells in which the pattern does not occur (unanchored). On arrow-backed text it
    is one RE2 pass, and the usual answer (no cell matches) costs no conversion at all."""
    a = arrow(s)
    if a is not None:
        import pyarrow.compute as pc

        hit = pc.match_substring_regex(a, re2)
        if not pc.any(hit).as_py():
            return pd.Series(True, index=s.index)
        return pd.Series(~pc.fill_null(hit, False).to_numpy(zero_copy_only=False), index=s.index)
    t = text(s)
    return ~t.astype(object).where(t.notna(), "").astype(str).str.contains(rx, regex=True)


def _text_checks(col: str, f: dict, cons: dict) -> list[CheckSpec]:
    """Rules every text field obeys so that the downloads stay safe and lossless: no control
    characters but tab and line breaks (XML, so the Excel workbook, cannot hold them), and free text
    does not begin like a spreadsheet formula (the CSV downloads are opened in spreadsheets as they
    are: no cell is altered on export). Fields whose values a pattern or vocabulary governs, or that
    have a format, are the schema's business and exempt from the second rule."""
    def control(v, r):
        found = _CONTROL_RX.search(str(v))
        return (f"{col} {q(v)} holds the control character {found.group() if found else ''!r}",
                "remove it: text may hold tabs and line breaks, but no other control character, which "
                "spreadsheets and XML cannot store")
    out = [CheckSpec(f"control-character:{col}", lambda s: _free_of(s, _CONTROL_RE2, _CONTROL_RX),
                     Rule("control-character", col, control))]
    if "enum" in cons or "pattern" in cons or f.get("format", "default") != "default":
        return out
    out.append(CheckSpec(f"formula-prefix:{col}", lambda s: _free_of(s, _FORMULA_RE2, _FORMULA_RX),
                         Rule("formula-prefix", col, lambda v, r: (
                             f"{col} {q(v)} begins with {str(v)[:1]!r}, which makes a spreadsheet run the cell as a formula",
                             "begin the text with a word: no curated text needs a leading =, +, -, @, tab or "
                             "carriage return, and the CSV downloads carry every cell unaltered"))))
    return out


def _unique(col: str, what: str) -> CheckSpec:
    def unique(s):
        t = text(s)
        return ~t.duplicated(keep="first") | t.isna()
    return CheckSpec(f"unique:{col}", unique, Rule("primary-key" if what == "primary key" else "unique", col,
                     lambda v, r: (f"{col} {q(v)} is a duplicate: the {what} must be unique", None)))


def _composite_unique(pk: list[str]) -> CheckSpec:
    def unique(df):
        if not all(c in df.columns for c in pk):
            return pd.Series(True, index=df.index)  # a missing key column is the structure layer's to report
        return ~df[pk].duplicated(keep="first")
    return CheckSpec(f"primary-key:{'+'.join(pk)}", unique, Rule("primary-key", pk[0], lambda v, r: (f"the primary key ({', '.join(pk)}) is a duplicate", None)))


def _composite_fk(pkg: Package, table: str, cols: list[str], ref: dict, frames: dict[str, pd.DataFrame]) -> CheckSpec | None:
    """A foreign key of several fields: rows whose key fields are all filled must name a row of the target.
    None when the target could not be read completely (its own problems are reported instead)."""
    target = ref.get("resource") or table
    rcols = ref.get("fields")
    frame = frames.get(target)
    if frame is None or not isinstance(rcols, list) or not all(c in frame.columns for c in rcols):
        return None
    keys = pd.MultiIndex.from_frame(pd.DataFrame({i: text(frame[c]) for i, c in enumerate(rcols)}).dropna())
    target_file = pkg.resource(target).get("path", target)

    def check(df):
        if not all(c in df.columns for c in cols):
            return pd.Series(True, index=df.index)
        sub = pd.DataFrame({i: text(df[c]) for i, c in enumerate(cols)}, index=df.index)
        filled = sub.notna().all(axis=1)
        found = pd.MultiIndex.from_frame(sub.astype(object).where(filled, "")).isin(keys)
        return pd.Series(found, index=df.index) | ~filled

    def describe(v, row):
        values = ", ".join(q(row.get(c)) if row is not None else "?" for c in cols)
        return f"({', '.join(cols)}) ({values}) is not a ({', '.join(rcols)}) in {target_file}", None

    return CheckSpec(f"foreign-key:{'+'.join(cols)}", check, Rule("foreign-key", cols[0], describe, needs_row=True))


def _date_message(col, v):
    m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", str(v))
    hint = "write dates as YYYY-MM-DD"
    if m:
        hint = f"write dates as YYYY-MM-DD, e.g. '{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}' if the day comes first"
    return f"{col} {q(v)} is not a valid date (YYYY-MM-DD)", hint
