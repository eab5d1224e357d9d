"""Three validators agree on what is valid: the check engine (`cotw check`), the pandera schema a pandas
user gets from `cotw.schema(name)`, and frictionless (`--with-frictionless`).

The bad input is generated from the descriptor, not listed by hand: for every table, every field and
every constraint it declares, one cell is broken in the way that constraint forbids (a value of the
wrong type, outside the vocabulary, empty where required, a duplicate key, a value the pattern refuses,
one character too long, below a minimum, a reference to no row, ...). All breaks of one table go into
one copy of the package, each in its own cell (keys and references each in a row of their own), and
the validators must flag exactly the same cells:

- per cell, the type and constraint failures of the check engine and frictionless's `type-error` and
  `constraint-error`;
- per row, duplicate keys (`primary-key`, `unique`) and dangling foreign keys, in every table (a
  broken key of a referenced table dangles references elsewhere, and both must see it);
- per cell and rule, everything the engine reports and `cotw.schema(name).validate(...)` reports.

Where they legitimately differ, the test says so (see LEGITIMATE): frictionless has no rule for
what a Table Schema cannot say (EDTF dates, group keys, lists of references, links, provenance,
safe text, the cross-table rules), and reports an empty primary key twice (as a missing value and as
a key violation) where cotw reports it once.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

import cotw
from conftest import PACKAGE_PARTS, ROOT
from cotw.io.reader import read_table
from cotw.package import Package

PKG = Package.open(ROOT)
NAMES = cotw.names()
# (file, column) of the lists of references: cotw checks each item; frictionless has no such key
LIST_FIELDS = {(PKG.path(n), f["name"]) for n in NAMES for f in PKG.schema(n)["fields"] if "x-list-of" in f}

# (file, column) of the EDTF dates with a pattern: a cell that breaks the pattern is an invalid date, which cotw
# reports once, as `edtf` in words, where frictionless reports the pattern (issue 18: one message per bad date)
EDTF_PATTERN = {(PKG.path(n), f["name"]) for n in NAMES for f in PKG.schema(n)["fields"]
                if f.get("x-edtf") and "pattern" in f.get("constraints", {})}
# the check engine's rule names for a failure of one cell's type or constraint ...
TYPE_RULES = {"boolean", "number", "integer", "date"}
CONSTRAINT_RULES = {"required", "enum", "pattern", "maxLength", "minLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
# ... and of a row's keys
KEY_RULES = {"primary-key", "unique"}
# frictionless's error types for the same classes
THEIR_CELL = {"type-error", "constraint-error"}
THEIR_KEY = {"primary-key", "unique-error"}

LEGITIMATE = {
    "edtf, group-key, link, section, speaker-kind, speaker-country, country-code, issue-value, own-troops, range, unreferenced":
        "cotw's rules beyond the Table Schema (rules.py); frictionless cannot express them",
    "foreign-key on an x-list-of field": "a list of references in one cell; Table Schema foreign keys name one value",
    "control-character, formula-prefix": "cotw's safe-text rules for the downloads",
    "verbatim, archive-changed": "provenance: frictionless does not read the archived sources",
    "primary-key when the key cell is empty": "frictionless reports a missing key as a key violation too; cotw once, as required",
    "number 'NaN', '1_000', '١٢'": "frictionless reads numbers with Python's Decimal, which takes these; cotw accepts only what "
                                   "cotw.load reads as a number (NaN would load as a missing value)",
}


@dataclass(frozen=True)
class Break:
    """One generated piece of bad input: set `column` of a row of `table` to `value` (or copy cells of another row)."""

    table: str
    column: str
    kind: str  # the class of bad input, named as the constraint it breaks; "valid ...": a value at the edge that all accept
    value: str | None = None  # None: copy the key cells of row `source` (a duplicate key)
    row_level: bool = False  # keys and references: the row gets no other break, so no other error hides it
    source: int = 0


# values of the wrong type, and values at the edge of the right one, that each validator must judge alike
BAD_TYPE = {"boolean": ["yes", "t", "2"], "number": ["twelve", "1,5", "1.2.3", "0x10", "12 %", "--1"], "integer": ["1.5", "1e3", "one"],
            "date": ["2025-02-30", "2025-4-10", "10/04/2025"]}
GOOD_TYPE = {"boolean": ["TRUE", "False", "0", "1"], "number": ["-0.5", "1e3", "12", "+7", "Infinity", ".5"], "integer": ["-3", "+7", "0"],
             "date": ["2024-02-29"]}


def csv_rows(table: str) -> list[dict]:
    with open(ROOT / PKG.path(table), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _key(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def not_matching(pattern: str, limit: int | None) -> str:
    """A short value the pattern refuses (and within the length limit, so it breaks only the pattern)."""
    for candidate in ("Not a match!", "?", "x y", "0", "A"):
        if not re.fullmatch(pattern, candidate) and (limit is None or len(candidate) <= limit):
            return candidate
    raise AssertionError(f"no value breaks the pattern {pattern}")


def dangling(field: dict, keys: set[str]) -> str:
    """A value the field's own constraints accept but that names no row: an existing key, letters and digits replaced."""
    cons = field.get("constraints", {})
    for key in sorted(keys):
        for fill in ("Q9", "Z8", None):
            candidate = re.sub("[0-9]", "9", key) if fill is None else \
                re.sub("[A-Z]", fill[0], re.sub("[a-z]", fill[0].lower(), re.sub("[0-9]", fill[1], key)))  # None: keeps a prefix (ev-)
            if candidate not in keys and re.fullmatch(cons.get("pattern", ".*"), candidate) and len(candidate) <= cons.get("maxLength", 10**9):
                return candidate
    raise AssertionError(f"no dangling value for {field['name']}")


def breaks(table: str) -> list[Break]:
    """Every class of bad input that table's schema in the descriptor forbids."""
    schema = PKG.schema(table)
    rows = csv_rows(table)
    pk = _key(schema.get("primaryKey"))
    out: list[Break] = []
    for f in schema["fields"]:
        col, ftype, cons = f["name"], f.get("type", "string"), f.get("constraints", {})
        limit = cons.get("maxLength")
        for value in BAD_TYPE.get(ftype, ()):
            out.append(Break(table, col, f"type {ftype}", value))
        for value in GOOD_TYPE.get(ftype, ()):
            out.append(Break(table, col, f"valid {ftype}", value))
        if "enum" in cons:
            out.append(Break(table, col, "enum", "not-in-the-vocabulary"))
        if cons.get("required") or col in pk:
            out.append(Break(table, col, "required", ""))
        if "pattern" in cons:
            out.append(Break(table, col, "pattern", not_matching(cons["pattern"], limit)))
        if limit is not None:
            out.append(Break(table, col, "maxLength", "x" * (limit + 1)))
            if "pattern" not in cons:
                out.append(Break(table, col, "valid maxLength", "x" * limit))
        if cons.get("minLength", 0) > 1:
            out.append(Break(table, col, "minLength", "x" * (cons["minLength"] - 1)))
        for key, step in (("minimum", -1), ("exclusiveMinimum", 0), ("maximum", 1), ("exclusiveMaximum", 0)):
            if key in cons:
                out.append(Break(table, col, key, repr(cons[key] + step)))
        if cons.get("unique") or pk == [col]:
            source = next(i for i, r in enumerate(rows) if r[col])
            out.append(Break(table, col, "unique", str(rows[source][col]), row_level=True, source=source))
    if len(pk) > 1:
        out.append(Break(table, "+".join(pk), "primary-key", None, row_level=True))
    for fk in schema.get("foreignKeys", []):
        fields, ref = _key(fk["fields"]), fk["reference"]
        if len(fields) == 1:
            target = ref.get("resource") or table
            keys = {r[_key(ref["fields"])[0]] for r in csv_rows(target)}
            field = next(f for f in schema["fields"] if f["name"] == fields[0])
            out.append(Break(table, fields[0], "foreign-key", dangling(field, keys), row_level=True))
    return out


def rounds(table: str) -> list[dict[tuple[int, str], Break]]:
    """The breaks of a table, packed into as few copies of the package as their cells allow: each break in a
    cell of its own, a row-level break alone in its row, a duplicated key never in the row it copies."""
    n = len(csv_rows(table))
    packed: list[dict[tuple[int, str], Break]] = []
    for b in breaks(table):
        cols = b.column.split("+")
        for edits in packed + [None]:
            if edits is None:
                edits = {}
                packed.append(edits)
            used = {r for r, _ in edits}
            alone = {r for (r, _), other in edits.items() if other.row_level}
            free = [r for r in range(n) if r != b.source and r not in alone
                    and (r not in used if b.row_level else all((r, c) not in edits for c in cols))
                    and not any(e.row_level and e.source == r for e in edits.values())]
            if free:
                edits[(free[0], b.column)] = b
                break
    return packed


def apply(pkg: Path, table: str, edits: dict[tuple[int, str], Break]) -> None:
    path = pkg / PKG.path(table)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    for (r, column), b in edits.items():
        if b.value is None:  # a duplicate composite key: copy every key cell
            for c in column.split("+"):
                rows[r + 1][header.index(c)] = rows[b.source + 1][header.index(c)]
        else:
            rows[r + 1][header.index(column)] = b.value
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def copy(tmp_path: Path) -> Path:
    dest = tmp_path / "pkg"
    dest.mkdir()
    for part in PACKAGE_PARTS:
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy2)(ROOT / part, dest / part)
    return dest


def schemas(pkg: Path) -> dict:
    """`cotw.schema(n, pkg)` of every table n, made as cotw.schema makes each (the descriptor vouched for, every
    table read for the foreign keys and cross-table rules) but with the tables read once for all of them."""
    from cotw.check import derive, pipeline
    from cotw.io.reader import require_table

    package = pipeline.usable(Package.open(pkg))
    context = derive.context_of({n: require_table(package, n) for n in package.names()})
    refs = derive.fk_sets(package, context)
    return {n: derive.build(package, n, refs, context) for n in package.names()}


def test_schemas_are_what_cotw_schema_gives(pkg):
    from conftest import edit_csv

    def shape(sch):
        return ([(c, str(col.dtype), col.nullable, [k.name for k in col.checks]) for c, col in sch.columns.items()],
                [k.name for k in sch.checks], sorted(sch.metadata["cotw"]))

    edit_csv(pkg / "data/positions.csv", 2, "country", "XXX")  # a reference to no row: the built-in sets matter
    every = schemas(pkg)
    for name in NAMES:
        one, made = cotw.schema(name, pkg), every[name]
        assert shape(one) == shape(made), name
        frame = cotw.read(name, pkg)
        outcomes = []
        for sch in (one, made):
            try:
                sch.validate(frame, lazy=True)
                outcomes.append(None)
            except pa.errors.SchemaErrors as exc:
                outcomes.append(exc.failure_cases.to_dict("records"))
        assert outcomes[0] == outcomes[1], name


def pandera_failures(pkg: Path, table: str, schema=None) -> set[tuple[int, str, str]]:
    """(line, column, rule) of every failure of `cotw.schema(table)` (or `schema`, the same made by schemas())
    on the table as read, as a pandas user would validate it."""
    schema = cotw.schema(table, pkg) if schema is None else schema
    frame = cotw.read(table, pkg)
    registry = schema.metadata["cotw"]
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        lines = read_table(Package.open(pkg), table).lines
        out = set()
        for case in exc.failure_cases.itertuples():
            name = f"not_nullable:{case.column}" if case.check == "not_nullable" else str(case.check)
            rule = registry[name]
            if pd.notna(case.index):
                out.add((int(lines[int(case.index)]), rule.column, rule.rule))
        return out
    return set()


def engine_stages(monkeypatch) -> dict:
    """What the check engine's stages return while `cotw.validate` runs: "judged", check_tables's (tables as
    read, the checks of each table the arrow stage fails), and "described", describe's Problems per table."""
    from cotw.check import pipeline

    seen: dict = {"described": {}}
    check_tables, describe = pipeline.check_tables, pipeline.describe

    def judged(package, report):
        seen["judged"] = check_tables(package, report)
        return seen["judged"]

    def described(package, table, made):
        seen["described"][table.name] = describe(package, table, made)
        return seen["described"][table.name]

    monkeypatch.setattr(pipeline, "check_tables", judged)
    monkeypatch.setattr(pipeline, "describe", described)
    return seen


# --- the generator covers what it claims -------------------------------------------------------

def test_every_class_of_bad_input_the_descriptor_declares_is_generated():
    kinds = {b.kind for name in NAMES for b in breaks(name)}
    assert kinds >= {"type boolean", "type number", "enum", "required", "pattern", "maxLength", "unique", "primary-key", "foreign-key"}
    for name in NAMES:
        assert breaks(name), name
        schema = PKG.schema(name)
        expected = sum(len(_key(k["fields"])) == 1 for k in schema.get("foreignKeys", []))
        assert sum(b.kind == "foreign-key" for b in breaks(name)) == expected, name


# --- the three validators, on every table ------------------------------------------------------

CASES = [(name, i) for name in NAMES for i in range(len(rounds(name)))]


@pytest.mark.parametrize("name, round_", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_the_three_validators_flag_the_same_cells(tmp_path, monkeypatch, name, round_):
    edits = rounds(name)[round_]
    pkg = copy(tmp_path)
    apply(pkg, name, edits)
    seen = engine_stages(monkeypatch)
    report = cotw.validate(pkg, with_frictionless=True)
    assert "frictionless" in report.layers, report.notices
    file = PKG.path(name)
    lines = read_table(Package.open(pkg), name).lines
    schema = PKG.schema(name)
    pk = _key(schema.get("primaryKey"))
    ours = [p for p in report.problems if p.layer == "schema"]
    theirs = [p for p in report.problems if p.layer == "frictionless"]

    # every generated break is reported by the engine, in its own cell, as the class it is
    for (r, column), b in edits.items():
        where = (file, int(lines[r]))
        if b.kind.startswith("valid "):
            assert not [p for p in report.problems if (p.file, p.line, p.column) == (*where, column) and p.rule in TYPE_RULES | CONSTRAINT_RULES | THEIR_CELL], b
            continue
        want = {"unique": KEY_RULES, "primary-key": KEY_RULES, "foreign-key": {"foreign-key"}}.get(b.kind, TYPE_RULES | CONSTRAINT_RULES)
        if (file, column) in EDTF_PATTERN and b.kind == "pattern":
            want = {"edtf"}
        assert any((p.file, p.line) == where and p.rule in want and (b.row_level or p.column == column) for p in ours), (b, report.render_text())

    # cells: types and constraints
    mine = {(p.file, p.line, p.column) for p in ours
            if p.rule in TYPE_RULES | CONSTRAINT_RULES or p.rule == "edtf" and (p.file, p.column) in EDTF_PATTERN}
    other = {(p.file, p.line, p.column) for p in theirs if p.rule in THEIR_CELL}
    assert mine == other

    # rows: duplicate keys, and dangling references in every table
    empty_key = {(p.file, p.line) for p in ours if p.rule == "required" and p.file == file and p.column in pk}
    mine = {(p.file, p.line) for p in ours if p.rule in KEY_RULES}
    other = {(p.file, p.line) for p in theirs if p.rule in THEIR_KEY} - empty_key
    assert mine == other
    mine = {(p.file, p.line) for p in ours if p.rule == "foreign-key" and (p.file, p.column) not in LIST_FIELDS}
    other = {(p.file, p.line) for p in theirs if p.rule == "foreign-key"}
    assert mine == other

    # and the pandera schema a pandas user gets says exactly what the engine says of this table
    engine = {(p.line, p.column, p.rule) for p in ours if p.file == file}
    assert pandera_failures(pkg, name) == engine

    # the engine's arrow verdict on every table (all checks pass, so pandera is not asked) is pandera's: as
    # `cotw.validate` above judged and described the tables (seen by engine_stages, not computed again)
    tables, failing = seen["judged"]
    assert name in failing
    assert set(seen["described"]) == set(failing)
    every = schemas(pkg)
    for n, t in tables.items():
        if n in failing:
            assert len(seen["described"][n]) > 0, n
        else:
            assert pandera_failures(pkg, n, every[n]) == set(), n


def test_what_frictionless_cannot_say_is_flagged_by_cotw_alone(pkg):
    """The documented differences, shown: an impossible EDTF date that fits the pattern, a group key that
    names no group, a list of references with a dangling item, a link to no row, a formula in free text."""
    from conftest import edit_csv

    edit_csv(pkg / "data/events.csv", 2, "date", "2025-02-30")
    edit_csv(pkg / "data/positions.csv", 3, "fact_id", "po-9999")
    edit_csv(pkg / "data/sections.csv", 2, "authors", "no-such-person")
    edit_csv(pkg / "data/links.csv", 2, "to_id", "st-9999")
    edit_csv(pkg / "data/people.csv", 2, "notes", "=HYPERLINK(\"x\")")
    report = cotw.validate(pkg, with_frictionless=True)
    ours = {(p.file, p.line, p.rule) for p in report.problems if p.layer == "schema"}
    assert ours >= {("data/events.csv", 2, "edtf"), ("data/positions.csv", 3, "group-key"), ("data/sections.csv", 2, "foreign-key"),
                    ("data/links.csv", 2, "link"), ("data/people.csv", 2, "formula-prefix")}, report.render_text()
    assert [p for p in report.problems if p.layer == "frictionless"] == []
    for name, line, rule in [("events", 2, "edtf"), ("positions", 3, "group-key"), ("sections", 2, "foreign-key")]:
        assert any(l == line and r == rule for l, _, r in pandera_failures(pkg, name)), name


@pytest.mark.parametrize("name", NAMES)
def test_same_columns(name, root):
    import frictionless

    resource = frictionless.Package(str(root / "datapackage.json")).get_resource(name)
    assert list(cotw.schema(name).columns) == resource.schema.field_names


@pytest.mark.parametrize("value", ["NaN", "1_000", "\u0661\u0662"])
def test_numbers_frictionless_takes_and_cotw_refuses(pkg, value):
    """The one documented disagreement on types: cotw refuses a number that cotw.load could not read as one."""
    from conftest import edit_csv

    edit_csv(pkg / "data/claims.csv", 2, "value_min", value)
    report = cotw.validate(pkg, with_frictionless=True)
    assert [(p.layer, p.rule, p.line) for p in report.problems if p.layer in ("schema", "frictionless")] == [("schema", "number", 2)]
    assert ("data/claims.csv", 2) in {(p.file, p.line) for p in report.problems if p.rule == "number"}


@pytest.mark.parametrize("cell", ["1", "1.5", "-2", "+3", " 4", "5 ", "1e3", "1E-2", ".5", "5.", "inf", "-inf", "Infinity",
                                  "INF", "nan", "NaN", "1_000", "1,000", "0x10", "\u0661\u0662", "\uff11\uff12", "abc",
                                  "5.0", "1e400", "--1", "1.2.3", "  ", "\t6\n", "e5", ".", "+.5e-3", "1e", "in f"])
def test_the_check_reads_a_number_exactly_as_cotw_load_does(cell):
    """cotw.load reads numbers with pandas.to_numeric; the check (which runs without pandas) agrees cell by cell."""
    import math

    import pandas as pd

    from cotw.check.blocks import number

    loaded = pd.to_numeric(pd.Series([cell], dtype=object), errors="coerce").iloc[0]
    checked = number(cell)
    assert (checked is None) == pd.isna(loaded)
    assert checked is None or checked == loaded or (math.isinf(checked) and checked == loaded)
