"""`cotw check` as a library call: run every layer, collect every problem, return one Report.

Layers: (1) the descriptor against the Data Package v2 profile and its own consistency;
(2) every table, read as written (structure) and checked with the derived pandera schemas
(types, constraints, keys, cross-column rules); (3) provenance; (4) optionally frictionless,
as an independent second opinion. Nothing outside the package is read; nothing is fetched.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..package import DESCRIPTOR, Package, PackageError, not_a_package, unsafe_path_reason
from ..report import MAX_KEPT, Problem, Problems, Report, names_list, shorten

V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LAYERS = ("descriptor", "schema", "provenance")
MISSHAPEN = {"delimiter", "header", "extra-column", "missing-column", "duplicate-column", "long-row"}  # rows do not fit the schema
_RAISED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(Error|Exception)\(")
PARTIAL_READ = {"encoding", "empty-file", "delimiter", "header", "duplicate-column", "unbalanced-quote", "csv-syntax",
                "short-row", "long-row", "missing-file", "unreadable-file", "unsafe-path"}


def validate(path: str | Path | None = None, with_frictionless: bool = False) -> Report:
    """Validate the package at `path` (a directory or its datapackage.json; None: the installed data)."""
    report = Report(root=str(path) if path is not None else "installed data")
    report.layers = list(LAYERS) + (["frictionless"] if with_frictionless else [])
    wrong = not_a_package(path)
    if wrong:
        report.add(Problem("usage", "not-a-package", wrong, str(path)))
        return report
    try:
        pkg = Package.open(path)
    except PackageError as exc:
        report.add(Problem("descriptor", "descriptor", exc.message, exc.file, exc.line))
        return report
    report.root = str(pkg.root)
    fatal = descriptor_problems(pkg, report)
    if fatal:
        return report
    tables = check_tables(pkg, report)
    check_provenance(pkg, tables, report)
    if with_frictionless:
        misshapen = sorted({t.file for t in tables.values() if any(p.rule in MISSHAPEN for p in t.problems)})
        if misshapen:
            # frictionless slows down more than linearly with the cells that do not fit the header
            # (3,000 extra columns: 73 s), and could only repeat what the structure layer said
            report.layers.remove("frictionless")
            report.notices.append(f"frictionless was not run: the columns of {names_list(misshapen)} do not fit the schema "
                                  f"(fix the structure problems above first)")
        else:
            from .second_opinion import frictionless_problems

            report.extend(frictionless_problems(pkg))
    if report.ok:
        from ..io.canonical import non_canonical

        unknown = [n for n, t in tables.items() if t.canonical is None]
        files = [t.file for t in tables.values() if t.canonical is False] + non_canonical(pkg, unknown)
        if files:
            report.notices.append(f"valid, but not in canonical form: {', '.join(files)}; run `cotw fmt` to rewrite them")
    return report


def descriptor_problems(pkg: Package, report: Report) -> bool:
    """Layer 1. Returns True when the tables cannot be checked at all."""
    from . import profile

    d = pkg.descriptor
    before = len(report.problems)

    def add(message: str, rule: str = "descriptor", hint: str | None = None):
        report.add(Problem("descriptor", rule, message, DESCRIPTOR, None, None, None, hint))

    if d.get("$schema") != V2_PROFILE:
        add(f"'$schema' is {d.get('$schema')!r}; cotw packages are Data Package v2", hint=f"set \"$schema\": \"{V2_PROFILE}\"")
    unsafe = set()
    for res in d.get("resources", []):
        if isinstance(res, dict):
            for key in ("path", "schema"):
                value = res.get(key)
                if key == "schema" and not isinstance(value, str):
                    continue
                reason = unsafe_path_reason(value)
                if reason:
                    unsafe.add(id(res))
                    add(f"resource {res.get('name')!r} {key} {shorten(value)!r} {reason}; it was not read", "unsafe-path")
    for message in profile.errors(d, profile.PACKAGE):
        add(message, "profile")
    if not pkg.names():
        add("the descriptor declares no resources")
        return True
    seen = set()
    for res in d["resources"]:
        name = res.get("name") if isinstance(res, dict) else None
        if name in seen:
            add(f"resource name {name!r} is used twice", "duplicate-resource")
        seen.add(name)
        if isinstance(res, dict):
            if str(res.get("encoding", "")).lower() not in ("utf-8", "utf8"):
                add(f"resource {name!r} does not declare encoding 'utf-8'", hint="add \"encoding\": \"utf-8\"")
            delim = (res.get("dialect") or {}).get("delimiter") if isinstance(res.get("dialect"), dict) else None
            if delim != ",":
                add(f"resource {name!r} does not declare the CSV dialect's delimiter ','", hint="add \"dialect\": {\"delimiter\": \",\"}")
    if unsafe:
        return True
    try:
        schemas = {n: pkg.schema(n) for n in pkg.names()}
    except PackageError as exc:
        report.add(Problem("descriptor", "schema-file", exc.message, exc.file, exc.line))
        return True
    for name, sch in schemas.items():
        fields = [f.get("name") for f in sch["fields"] if isinstance(f, dict)]
        file = pkg.resource(name).get("schema") if isinstance(pkg.resource(name).get("schema"), str) else DESCRIPTOR
        def sadd(message):
            report.add(Problem("descriptor", "table-schema", f"{name}: {message}", file))
        for message in profile.errors(sch, profile.TABLE_SCHEMA):
            sadd(message)
        if len(set(fields)) != len(fields):
            sadd("a field name is used twice")
        for f in sch["fields"]:
            for key in ("x-verbatim-in", "x-precision"):
                if key in f and f[key] not in fields:
                    sadd(f"field {f.get('name')!r} {key} names {f[key]!r}, which is not a field")
        pk = sch.get("primaryKey") or []
        for k in [pk] if isinstance(pk, str) else pk:
            if k not in fields:
                sadd(f"primaryKey field {k!r} is not a field")
        for fk in sch.get("foreignKeys", []):
            ref = fk.get("reference", {})
            target = ref.get("resource") or name
            lf = fk.get("fields")
            for k in [lf] if isinstance(lf, str) else lf or []:
                if k not in fields:
                    sadd(f"foreign key field {k!r} is not a field")
            if target not in schemas:
                sadd(f"foreign key refers to resource {target!r}, which does not exist")
                continue
            tf = [f.get("name") for f in schemas[target]["fields"]]
            rf = ref.get("fields")
            for k in [rf] if isinstance(rf, str) else rf or []:
                if k not in tf:
                    sadd(f"foreign key refers to {target}.{k}, which is not a field")
    return len(report.problems) > before and any(p.rule in ("table-schema", "schema-file") for p in report.problems[before:])


def check_tables(pkg: Package, report: Report) -> dict:
    """Layer 2: structure, then the derived pandera schemas (lazy: every failure is collected)."""
    import pandera.pandas as pa

    from . import derive
    from ..io.reader import read_table

    tables = {name: read_table(pkg, name) for name in pkg.names()}
    frames = {}
    for name, t in tables.items():
        report.extend(t.problems)
        if t.frame is not None:
            frames[name] = t.frame
            report.rows[name] = len(t.frame)
    # a table whose rows could not all be read cannot say which keys exist: checking foreign keys
    # against it would report every reference to a lost row as dangling
    complete = {n: f for n, f in frames.items() if not any(p.rule in PARTIAL_READ for p in tables[n].problems)}
    refs = derive.fk_sets(pkg, complete)
    for name, t in tables.items():
        if t.frame is None:
            continue
        sch = derive.build(pkg, name, refs, complete)
        for check in [*sch.checks, *(c for col in sch.columns.values() for c in col.checks)]:
            check.n_failure_cases = MAX_KEPT  # pandera then reshapes (slowly) only these; _failures counts the rest
        try:
            sch.validate(t.frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            report.extend(_failures(sch, t, exc))
    return tables


def _failures(sch, table, exc) -> Problems:
    """The Problems of pandera's SchemaErrors, in bounded time and memory: per check, only the first
    MAX_KEPT failures in line order are described (a message per row, and the row looked up when the
    rule needs it); the others are only counted (`Problems.omit`), so the summary still counts all.
    cotw's own checks hand pandera at most MAX_KEPT failure cases each; their full count is in each
    error's check_output (one boolean per row)."""
    import numpy as np
    import pandas as pd

    registry = sch.metadata["cotw"]
    out = Problems()
    cases = exc.failure_cases
    failed = {}  # check name -> rows that failed it, for the checks whose failure cases pandera cut short
    for error in exc.schema_errors:
        name = getattr(error.check, "name", None)
        if name in registry and isinstance(error.check_output, pd.Series):
            failed[name] = failed.get(name, 0) + int((~error.check_output.fillna(True).astype(bool)).sum())
    checks = cases["check"].astype(str).to_numpy()
    columns = cases["column"].to_numpy()
    keys = np.where(checks == "not_nullable", np.char.add("not_nullable:", columns.astype(str)), checks).astype(object)
    index = pd.to_numeric(cases["index"], errors="coerce").to_numpy(dtype=float)  # NaN: a failure of the whole column
    # one problem per (check, row), the first MAX_KEPT per check in line order; a whole-column failure first
    order = pd.DataFrame({"key": keys, "idx": index})[checks != "column_in_dataframe"]  # a missing column: structure says it
    order = order.drop_duplicates(["key", "idx"]).sort_values("idx", kind="stable", na_position="first")
    rank = order.groupby("key", sort=False).cumcount().to_numpy()
    listed = order.groupby("key", sort=False).size()
    for key, n in listed.items():
        rule = registry.get(key)
        out.omit(rule.rule if rule else str(key), table.file, max(int(n), failed.get(key, 0)) - min(int(n), MAX_KEPT))
    values = cases["failure_case"].to_numpy()
    for pos in order.index[rank < MAX_KEPT]:
        check, column, value, key = checks[pos], columns[pos], values[pos], keys[pos]
        rule = registry.get(key)
        idx = None if np.isnan(index[pos]) else int(index[pos])
        line = table.line(idx) if idx is not None else None
        if idx is None and isinstance(value, str) and _RAISED.match(value):
            # pandera turns an exception inside a check into a failure case; say so, never as data
            out.append(Problem("schema", "internal-error", f"the check {key!r} could not run ({value}); please report this",
                               table.file, None, None if column is None else str(column)))
            continue
        if rule is None:
            out.append(Problem("schema", check, f"{column}: {value!r} fails {check}", table.file, line, str(column), str(value)))
            continue
        row = table.frame.loc[idx] if (rule.needs_row and idx is not None) else None
        col = rule.column
        if row is not None and col in row.index:
            value = row[col]
        value = None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        message, hint = rule.describe(value, row)
        out.append(Problem("schema", rule.rule, message, table.file, line, col, value, hint))
    return out


def check_provenance(pkg: Package, tables: dict, report: Report) -> None:
    """Layer 3: archives match their sha256; evidence occurs verbatim in its source."""
    from . import provenance

    src = tables.get("sources")
    texts, problems = provenance.archives(pkg, src.frame if src else None, src.lines if src else None, src.file if src else "data/sources.csv")
    report.extend(problems)
    for name, t in tables.items():
        if t.frame is not None:
            report.extend(provenance.verbatim(pkg, name, t.frame, t.lines, texts, t.file))
