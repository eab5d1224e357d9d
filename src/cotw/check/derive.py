"""The checks of every table, derived from the Table Schemas in datapackage.json (the single source of
truth), and the pandera schemas made of them.

pandera's own `from_frictionless_schema` loses dates, formats, foreign keys and v2 properties, so
cotw converts them itself. `checks` gives a table's checks (types, constraints, keys, safe text, and the
rules of cotw.check.rules), each an arrow function (see blocks); `Checks.failing` runs them on a table
as read, without pandas, and cotw.check.failures words what fails. `build` wraps the same functions as a
pandera schema, which `cotw.schema()` hands to users, who can validate the text of `cotw.read` and the
typed frame of `cotw.load` alike (tests/test_agreement.py holds it to the engine's problems). Each
check's name is a key into `schema.metadata["cotw"]`, which says which column and rule it stands for,
so failures can be reported in plain words with their CSV line.
"""
from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import protect, rules
from .blocks import TEXT, CheckSpec, Cols, Rule, all_pass, at_most_bytes, codes, did_you_mean, filled, first_of_each, from_numpy, fullmatch, isin, number, ok, per_value, q
from ..package import Package
from ..report import names_list, shorten

_DATE_RX = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the shape of a Table Schema date, before the calendar decides
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]


def context_of(tables: dict) -> dict[str, Cols]:
    """The tables as read (cotw.io.reader.Table) as the rules and foreign keys take them."""
    return {name: Cols.of_arrow(t.arrow) for name, t in tables.items() if t.arrow is not None}


def fk_sets(pkg: Package, context: dict[str, Cols]) -> dict[tuple[str, str], pa.Array]:
    """The referenced key values of every foreign key (distinct, as arrow text), from the given tables."""
    sets: dict[tuple[str, str], pa.Array] = {}
    for name in pkg.names():
        for fk in pkg.schema(name).get("foreignKeys", []):
            ref = fk.get("reference", {})
            target = ref.get("resource") or name
            fields = ref.get("fields")
            fields = fields if isinstance(fields, list) else [fields]
            if len(fields) != 1:
                continue
            cols = context.get(target)
            if cols is not None and fields[0] in cols and (target, fields[0]) not in sets:
                sets[(target, fields[0])] = pc.unique(cols[fields[0]]).drop_null()
            # else: the referenced table could not be read; its keys are unknown, so the foreign
            # key is not checked (the table's own problems are reported instead)
    return sets


@dataclass
class Checks:
    """Every check of one table before it runs: per column (with whether it may be empty) and of whole rows."""

    name: str
    columns: dict[str, list[CheckSpec]] = field(default_factory=dict)
    nullable: dict[str, bool] = field(default_factory=dict)
    frame: list[CheckSpec] = field(default_factory=list)
    fields: dict[str, dict] = field(default_factory=dict)

    @property
    def registry(self) -> dict[str, Rule]:
        """Check name -> what it stands for (pandera failure cases name the check)."""
        out = {s.key: s.rule for specs in self.columns.values() for s in specs}
        out.update({s.key: s.rule for s in self.frame})
        for col in self.columns:
            out[f"not_nullable:{col}"] = Rule("required", col, lambda v, r, col=col: (f"{col} is required but the cell is empty", None))
        return out

    def failing(self, cols: Cols) -> Checks | None:
        """Only what fails on `cols`, or None when every row passes every check: the checks with a failing
        row or that raise (said as internal errors), and the columns that hold them or an empty cell they may
        not hold. cotw.check.failures then runs these alone to word each failure."""
        out = Checks(self.name)
        for col, specs in self.columns.items():
            if col not in cols:
                continue  # a missing column: the structure layer says it
            a = cols[col]
            bad = [s for s in specs if not _passes(s, a)]
            if bad or not self.nullable[col] and a.null_count:
                out.columns[col], out.nullable[col], out.fields[col] = bad, self.nullable[col], self.fields[col]
        out.frame = [s for s in self.frame if not _passes(s, cols)]
        return out if out.columns or out.frame else None


def _passes(spec: CheckSpec, data) -> bool:
    """Whether every row passes `spec` (a null is a failure); a check that raises fails."""
    try:
        return all_pass(spec.fn(data))
    except Exception:  # noqa: BLE001
        return False


def checks(pkg: Package, name: str, refs: dict | None = None, context: dict[str, Cols] | None = None,
           cols: Cols | None = None) -> Checks:
    """The checks of table `name`. `refs` are the referenced key sets (see fk_sets); without them
    foreign keys are not checked. `context` holds the tables for the cross-table rules. `cols`, when
    given, is the one table the checks will judge: the safe-text rules are then attached only to the
    columns in which a quick scan finds a suspect cell (most text columns have nothing to report)."""
    tschema = pkg.schema(name)
    suspect = None if cols is None else _suspect_columns(cols, [f["name"] for f in tschema["fields"]])
    out = Checks(name)
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
        specs = [c for c in _field_checks(pkg, name, f, cons, fks.get(col), refs)
                 if suspect is None or col in suspect or not c.key.startswith(_TEXT_RULES)]
        if col in pk and len(pk) == 1 or cons.get("unique"):
            specs.append(_unique(col, "primary key" if col in pk else "unique field"))
        out.columns[col] = specs
        out.nullable[col] = not (cons.get("required") or col in pk)
        out.fields[col] = f
    if len(pk) > 1:
        out.frame.append(_composite_unique(pk))
    for fk in tschema.get("foreignKeys", []):
        fields = fk.get("fields")
        if isinstance(fields, list) and len(fields) > 1 and refs is not None:
            spec = _composite_fk(pkg, name, fields, fk.get("reference", {}), context or {})
            if spec is not None:
                out.frame.append(spec)
    out.frame.extend(rules.for_table(pkg, name, context or {}))
    return out


def build(pkg: Package, name: str, refs: dict | None = None, context: dict[str, Cols] | None = None,
          cols: Cols | None = None, made: Checks | None = None):
    """The pandera schema of table `name` (see `checks` for the arguments; `made`: checks already made).
    Each check is the arrow check itself, on the pandas column turned into arrow text, so a user's typed
    frame (`cotw.load`) and the text of `cotw.read` are judged alike. Each check's name is a key into
    `schema.metadata["cotw"]`, which says which column and rule it stands for."""
    import pandera.pandas as pdr

    from .blocks import passes, strings

    made = made or checks(pkg, name, refs, context, cols)

    def column_check(spec: CheckSpec):
        return pdr.Check(lambda s, fn=spec.fn: passes(fn(strings(s)), s.index), name=spec.key, element_wise=False, ignore_na=False)

    def frame_check(spec: CheckSpec):
        return pdr.Check(lambda df, fn=spec.fn: passes(fn(Cols.of_frame(df)), df.index), name=spec.key, element_wise=False, ignore_na=False)

    columns = {col: pdr.Column(None, nullable=made.nullable[col], checks=[column_check(s) for s in specs], required=True,
                               description=made.fields[col].get("description"), title=made.fields[col].get("title"))
               for col, specs in made.columns.items()}
    return pdr.DataFrameSchema(columns, checks=[frame_check(s) for s in made.frame], name=name, strict=False, coerce=False,
                               metadata={"cotw": made.registry}, unique_column_names=True)


# --- field checks ---------------------------------------------------------------------------

def _is_date(v: str) -> bool:
    if not _DATE_RX.fullmatch(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _field_checks(pkg: Package, table: str, f: dict, cons: dict, fk: dict | None, refs) -> list[CheckSpec]:
    col = f["name"]
    ftype = f.get("type", "string")
    out: list[CheckSpec] = []
    if ftype == "date":
        out.append(CheckSpec(f"date:{col}", lambda a: ok(per_value(a, _is_date), a), Rule("date", col, lambda v, r: _date_message(col, v))))
    elif ftype == "boolean":
        allowed = sorted(set(f.get("trueValues", TRUE_VALUES)) | set(f.get("falseValues", FALSE_VALUES)))
        out.append(CheckSpec(f"boolean:{col}", lambda a: ok(isin(a, allowed), a),
                             Rule("boolean", col, lambda v, r: (f"{col} {q(v)} is not a boolean", "write true or false"))))
    elif ftype in ("number", "integer"):
        def is_num(v):
            n = number(v)
            return n is not None and (ftype == "number" or n % 1 == 0)
        out.append(CheckSpec(f"{ftype}:{col}", lambda a: ok(per_value(a, is_num), a),
                             Rule(ftype, col, lambda v, r: (f"{col} {q(v)} is not a{'n' if ftype == 'integer' else ''} {ftype}", None))))
    if "enum" in cons:
        values = list(cons["enum"])
        out.append(CheckSpec(f"enum:{col}", lambda a: ok(isin(a, values), a),
                             Rule("enum", col, lambda v, r: (f"{col} {q(v)} is not one of: {names_list(map(str, values))}", did_you_mean(v, values)))))
    if "pattern" in cons:
        pattern = cons["pattern"]
        def matches(a, pattern=pattern, edtf=bool(f.get("x-edtf"))):
            hit = fullmatch(a, pattern)
            if edtf:  # an invalid EDTF date is the edtf rule's to say, in words: one problem per bad date, no regex
                from ..dates import check as why

                bad = [v for v in pc.unique(a).drop_null().to_pylist() if why(v)]
                hit = pc.or_(hit, isin(a, bad)) if bad else hit
            return ok(hit, a)
        def describe(v, r):
            from .protect import matches as re2_matches

            hint = "remove the leading or trailing whitespace" if isinstance(v, str) and v != v.strip() and re2_matches(pattern, v.strip()) else None
            return f"{col} {q(v)} does not match the pattern {shorten(pattern)}", hint
        out.append(CheckSpec(f"pattern:{col}", matches, Rule("pattern", col, describe)))
    for key, op, word in (("maxLength", "less_equal", "at most"), ("minLength", "greater_equal", "at least")):
        if key in cons:
            limit = int(cons[key])
            def length(a, op=op, limit=limit):
                if op == "less_equal":  # maxLength: the cell-length bound's own test
                    return _within(a, limit)
                # ok(mask, a) in one kernel call: the length and its comparison are null exactly where the cell
                # is missing, and a missing cell passes (required-ness is a check of its own)
                return filled(getattr(pc, op)(pc.utf8_length(a), limit), True)
            out.append(CheckSpec(f"{key}:{col}", length, Rule(key, col, lambda v, r, word=word, limit=limit: (
                f"{col} is {len(str(v))} characters long; it must be {word} {limit}", None))))
    for key, op, word in (("minimum", "ge", "at least"), ("maximum", "le", "at most"), ("exclusiveMinimum", "gt", "greater than"), ("exclusiveMaximum", "lt", "less than")):
        if key in cons:
            bound = cons[key]
            def in_range(a, op=op, bound=bound):
                def fine(v):
                    n = number(v)
                    return n is None or getattr(operator, op)(n, bound)  # not a number: the type check says it
                return ok(per_value(a, fine), a)
            out.append(CheckSpec(f"{key}:{col}", in_range, Rule(key, col, lambda v, r, word=word, bound=bound: (f"{col} {q(v)} must be {word} {bound}", None))))
    out += text_checks(col, f)  # every field, whatever its type, pattern, vocabulary or format
    target = (fk or {}).get("resource") or table
    rfield = (fk or {}).get("fields")
    rfield = rfield[0] if isinstance(rfield, list) else rfield
    if fk is not None and refs is not None and (target, rfield) in refs:
        keys = refs[(target, rfield)]
        target_file = pkg.resource(target).get("path", target) if target in pkg.resources else target
        def in_ref(a, keys=keys):
            return ok(isin(a, keys), a)
        ready: dict = {}  # the keys as did_you_mean looks at them, prepared on the first failing cell
        def describe(v, r, keys=keys, target_file=target_file, rfield=rfield, ready=ready):
            return f"{col} {q(v)} is not a {rfield} in {target_file}", did_you_mean(v, keys, ready)
        out.append(CheckSpec(f"foreign-key:{col}", in_ref, Rule("foreign-key", col, describe)))
    return out


# the safe-text rules hold on every field whatever its schema says: see check.protect
_FORMULA_RE2, _CONTROL_RE2, _TEXT_RULES = protect.FORMULA_RE2, protect.CONTROL_RE2, protect.TEXT_RULES
_SUSPECT_RE2 = f"{_FORMULA_RE2}|{_CONTROL_RE2}"
_SUSPECT_RX = re.compile(f"{_FORMULA_RE2}|{protect.CONTROL_RX.pattern}")  # the same in Python's re (tests compare)


def _suspect_columns(cols: Cols, columns: list[str]) -> set[str]:
    """The `columns` of `cols` with a cell that the safe-text rules may object to (a superset of their failures).

    Each column is first looked at as bytes (`_may_hold_suspect`: numpy, about ten times faster than
    RE2 on clean text); only a column in which that finds a candidate is scanned by RE2."""
    out = set()
    for col in columns:
        a = cols.get(col)
        if a is not None and _may_hold_suspect(a) and pc.any(pc.match_substring_regex(a, _SUSPECT_RE2)).as_py():
            out.add(col)
    return out


_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in "=+-@\t\r"]] = True  # _FORMULA_RE2's characters, all ASCII: one byte each in UTF-8


def _may_hold_suspect(a) -> bool:
    """False only when no cell of the arrow text `a` begins with a formula character or holds a byte
    below 0x20, DEL, or U+FFFE/U+FFFF (EF BF BE/BF in UTF-8): then _SUSPECT_RE2 matches no cell.
    Null cells are looked at too (harmless: the answer is a superset)."""
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


def _within(a, most: int):
    """Cells of at most `most` characters (and missing ones)."""
    short = at_most_bytes(a, most)
    return short if short is not None else pc.invert(filled(pc.greater(pc.utf8_length(a), most), False))


def _unique(col: str, what: str) -> CheckSpec:
    def unique(a):
        return ok(from_numpy(first_of_each(codes(a))), a)
    return CheckSpec(f"unique:{col}", unique, Rule("primary-key" if what == "primary key" else "unique", col,
                     lambda v, r: (f"{col} {q(v)} is a duplicate: the {what} must be unique", None)))


def _composite_unique(pk: list[str]) -> CheckSpec:
    def unique(cols: Cols):
        if not cols.has(*pk):
            return cols.true()  # a missing key column is the structure layer's to report
        return from_numpy(first_of_each(codes(*(cols[c] for c in pk))))
    return CheckSpec(f"primary-key:{'+'.join(pk)}", unique, Rule("primary-key", pk[0], lambda v, r: (f"the primary key ({', '.join(pk)}) is a duplicate", None)))


def _composite_fk(pkg: Package, table: str, cols: list[str], ref: dict, context: dict[str, Cols]) -> CheckSpec | None:
    """A foreign key of several fields: rows whose key fields are all filled must name a row of the target.
    None when the target could not be read completely (its own problems are reported instead)."""
    target = ref.get("resource") or table
    rcols = ref.get("fields")
    other = context.get(target)
    if other is None or not isinstance(rcols, list) or not all(c in other for c in rcols):
        return None
    target_file = pkg.resource(target).get("path", target)

    def check(df: Cols):
        if not df.has(*cols):
            return df.true()
        n = df.num_rows
        # the row's cells and the target's, encoded together: equal codes are equal tuples
        both = codes(*(pa.chunked_array(df[c].chunks + other[r].chunks, TEXT) for c, r in zip(cols, rcols)))
        mine, theirs = both[:n], both[n:]
        filled = np.ones(n, dtype=bool)
        for c in cols:
            filled &= df[c].is_valid().to_numpy()
        targets = np.ones(len(theirs), dtype=bool)
        for r in rcols:
            targets &= other[r].is_valid().to_numpy()
        return from_numpy(np.isin(mine, theirs[targets]) | ~filled)

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


def text_checks(col: str, field: dict) -> list:
    """The safe-text rules of a field, on every field whatever its type, pattern, vocabulary or format: the
    protections that are code, not schema (check/protect.py says which and why)."""
    from .protect import CONTROL_RE2, CONTROL_RX, FORMULA_RE2, MAX_CELL, formula_exempt, free_of

    def control(v, r):
        found = CONTROL_RX.search(str(v))
        return (f"{col} {q(v)} holds the control character {found.group() if found else ''!r}",
                "remove it: text may hold tabs and line breaks, but no other control character, which "
                "spreadsheets and XML cannot store")

    out = [CheckSpec(f"control-character:{col}", lambda a: free_of(a, CONTROL_RE2), Rule("control-character", col, control))]
    bound = field.get("constraints", {}).get("maxLength") if isinstance(field.get("constraints"), dict) else None
    if not (isinstance(bound, int) and not isinstance(bound, bool) and bound <= MAX_CELL):  # else the schema's own maxLength says it
        out.append(CheckSpec(f"cell-length:{col}", lambda a: _within(a, MAX_CELL),
                             Rule("cell-length", col, lambda v, r: (
                                 f"{col} is {len(str(v)):,} characters long; a cell may hold at most {MAX_CELL:,}, the most a spreadsheet "
                                 "cell holds, so the Excel download could not carry it", "shorten the text: quote only the words that support the row"))))
    if formula_exempt(field):
        return out
    out.append(CheckSpec(f"formula-prefix:{col}", lambda a: free_of(a, FORMULA_RE2),
                         Rule("formula-prefix", col, lambda v, r: (
                             f"{col} {q(v)} begins with {str(v)[:1]!r}, which makes a spreadsheet run the cell as a formula",
                             "begin the text with a word: no curated text needs a leading =, +, -, @, tab or "
                             "carriage return, and the CSV downloads carry every cell unaltered"))))
    return out
