"""`cotw check` as a library call: run every layer, collect every problem, return one Report.

Layers: (1) the descriptor against the Data Package v2 profile and its own consistency;
(2) every table, read as written (structure) and checked with the derived pandera schemas
(types, constraints, keys, cross-column rules); (3) provenance; (4) optionally frictionless,
as an independent second opinion. Nothing outside the package is read; nothing is fetched.
"""
from __future__ import annotations

import re
from pathlib import Path

from .package import DESCRIPTOR, Package, PackageError, unsafe_path_reason
from .report import Problem, Report, shorten

V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LAYERS = ("descriptor", "schema", "provenance")
_RAISED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(Error|Exception)\(")
PARTIAL_READ = {"encoding", "empty-file", "delimiter", "header", "duplicate-column", "unbalanced-quote", "csv-syntax",
                "short-row", "long-row", "missing-file", "unreadable-file", "unsafe-path"}


def validate(path: str | Path | None = None, with_frictionless: bool = False) -> Report:
    """Validate the package at `path` (a directory or its datapackage.json; None: the installed data)."""
    report = Report(root=str(path) if path is not None else "installed data")
    report.layers = list(LAYERS) + (["frictionless"] if with_frictionless else [])
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
        from .second_opinion import frictionless_problems

        report.extend(frictionless_problems(pkg))
    if report.ok:
        from .fmt import non_canonical

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
    from .reader import read_table

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
        sch = derive.build(pkg, name, refs, complete, frame=t.frame)
        try:
            sch.validate(t.frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            report.extend(_failures(sch, t, exc.failure_cases))
    return tables


def _failures(sch, table, cases) -> list[Problem]:
    import pandas as pd

    registry = sch.metadata["cotw"]
    out: list[Problem] = []
    seen = set()
    for check, column, value, index in zip(cases["check"], cases["column"], cases["failure_case"], cases["index"]):
        check = str(check)
        if check in ("column_in_dataframe",):
            continue  # a missing column is reported by the structure layer
        key = f"not_nullable:{column}" if check == "not_nullable" else check
        rule = registry.get(key)
        idx = None if index is None or (isinstance(index, float) and pd.isna(index)) else int(index)
        if (key, idx) in seen:
            continue
        seen.add((key, idx))
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
