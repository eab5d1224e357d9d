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
PARALLEL_FROM = 100_000  # rows in all from which the tables are judged two at a time
_RAISED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(Error|Exception)\(")
PARTIAL_READ = {"encoding", "empty-file", "delimiter", "header", "duplicate-column", "unbalanced-quote", "csv-syntax",
                "short-row", "long-row", "missing-file", "unreadable-file", "unsafe-path"}


def validate(path: str | Path | None = None, with_frictionless: bool = False, defer_pandas: bool = False,
             base: str | Path | None = None) -> Report:
    """Validate the package at `path` (a directory or its datapackage.json; None: the installed data).
    `defer_pandas`: keep pandas out of the arrow stages (see cotw.io.quietarrow); for a process that
    does nothing else with pyarrow and pandas, such as `cotw check`. `base`: a trusted package folder
    or git ref whose descriptor and schemas judge the data, each change to them a `schema-changed`
    problem (see check/base.py)."""
    report = Report(root=str(path) if path is not None else "installed data")
    report.layers = list(LAYERS) + (["frictionless"] if with_frictionless else [])
    wrong = not_a_package(path)
    if wrong:
        report.add(Problem("usage", "not-a-package", wrong, str(path)))
        return report
    try:
        pkg = Package.open(path) if base is None else _based(path, str(base), report)
    except PackageError as exc:
        report.add(Problem("descriptor", "descriptor", exc.message, exc.file, exc.line))
        return report
    if pkg is None:  # the base could not be read: a usage error
        return report
    report.root = str(pkg.root)
    from contextlib import nullcontext

    from ..io.quietarrow import without_pandas

    # every check runs on arrow; pandera (which words a failure, with pandas) is imported only for a
    # table that has a problem, after the arrow stages
    with without_pandas() if defer_pandas else nullcontext():
        fatal = descriptor_problems(pkg, report)
        if fatal:
            return report
        tables, failing = check_tables(pkg, report)
        provenance = Problems()
        check_provenance(pkg, tables, provenance)
    for name, made in failing.items():
        report.extend(describe(pkg, tables[name], made))
    report.extend(provenance)
    if with_frictionless:
        misshapen = sorted({t.file for t in tables.values() if any(p.rule in MISSHAPEN for p in t.problems)})
        if misshapen:
            # frictionless slows down more than linearly with the cells that do not fit the header
            # (3,000 extra columns: 73 s), and could only repeat what the structure layer said
            report.layers.remove("frictionless")
            report.notices.append(f"frictionless was not run: the columns of {names_list(misshapen)} do not fit the schema "
                                  f"(fix the structure problems above first)")
        else:
            from .second_opinion import frictionless_problems, over_budget

            why = over_budget(pkg, report.problems)
            if why:
                report.layers.remove("frictionless")
                report.notices.append(f"frictionless was not run: {why}")
            else:
                report.extend(frictionless_problems(pkg))
    if report.ok:
        unknown = [n for n, t in tables.items() if t.canonical is None]
        files = [t.file for t in tables.values() if t.canonical is False]
        if unknown:  # a table the fast reader did not read: fmt's own pass says
            from ..io.canonical import non_canonical

            files += non_canonical(pkg, unknown)
        if files:
            report.notices.append(f"valid, but not in canonical form: {', '.join(files)}; run `cotw fmt` to rewrite them")
    return report


def _based(path, base: str, report: Report) -> Package | None:
    """The package at `path` under the rules of `base`, its changes to them reported; None (and a usage
    problem) when the base cannot be read."""
    from ..package import resolve_root
    from .base import BaseError, changes, load, rebase

    try:
        rules = load(base, resolve_root(path))
    except (BaseError, PackageError) as exc:
        message = exc.message if isinstance(exc, PackageError) else str(exc)
        report.add(Problem("usage", "base", f"the base cannot be read: {message}", str(base)))
        return None
    report.notices.append(f"judged by the descriptor and schemas of the base {rules.where}")
    report.extend(changes(path, rules))
    return rebase(path, rules)


def descriptor_problems(pkg: Package, report: Report) -> bool:
    """Layer 1. Returns True when the tables cannot be checked at all (the later layers are then skipped,
    so a broken descriptor is not echoed by a cascade of false data errors)."""
    problems, fatal = _descriptor(pkg)
    report.extend(problems)
    return bool(fatal)


def usable(pkg: Package) -> Package:
    """`pkg`, when its descriptor and schemas can be read safely; else the first problem that stops
    them, as a located PackageError. Every command that reads tables without `cotw check` calls this."""
    _, fatal = _descriptor(pkg)
    if fatal:
        p = fatal[0]
        raise PackageError(f"{p.message}; run `cotw check` for every problem", p.file or DESCRIPTOR, p.line)
    return pkg


_RESOURCE_PATH = re.compile(r"^resources/\d+/(path|schema)$")


def _descriptor(pkg: Package) -> tuple[list[Problem], list[Problem]]:
    """Every descriptor problem, and those of them after which no table can be read as declared."""
    from . import profile

    d = pkg.descriptor
    out: list[Problem] = []
    fatal: list[Problem] = []

    def add(message: str, rule: str = "descriptor", hint: str | None = None, file: str = DESCRIPTOR, stop: bool = True):
        out.append(Problem("descriptor", rule, message, file, None, None, None, hint))
        if stop:
            fatal.append(out[-1])

    if d.get("$schema") != V2_PROFILE:
        add(f"'$schema' is {shorten(repr(d.get('$schema')))}; cotw packages are Data Package v2", hint=f"set \"$schema\": \"{V2_PROFILE}\"", stop=False)
    for where, value, why in profile.references(d):
        if not _RESOURCE_PATH.match(where):  # a resource's path and schema file are checked just below
            add(f"at {where}: {shorten(value)!r} {why}", "remote-reference")
    for res in d["resources"]:  # Package.open made sure it is a list
        if isinstance(res, dict):
            for key in ("path", "schema"):
                value = res.get(key)
                if key == "schema" and not isinstance(value, str):
                    continue
                reason = unsafe_path_reason(value)
                if reason is None and isinstance(value, str) and profile.is_url(value):
                    reason = "is a URL; cotw reads only files inside the package and never fetches"
                if reason:
                    add(f"resource {shorten(res.get('name'))!r} {key} {shorten(value)!r} {reason}; it was not read", "unsafe-path")
    from . import links

    for message, hint in links.problems(d):
        add(message, "link-scheme", hint, stop=False)
    for message in profile.errors(d, profile.PACKAGE):
        add(message, "profile")  # every reader (exports, the codebook) relies on these shapes
    if not pkg.names():
        add("the descriptor declares no resources")
    seen = set()
    for res in d["resources"]:
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str):
            continue
        if not profile.NAME.fullmatch(name):
            add(f"resource name {shorten(name)!r} is not a valid Data Package name; exports use it as a file name",
                "resource-name", "use 1 to 100 lowercase letters, digits, '.', '-' and '_', not beginning with '.'")
        if name in seen:
            add(f"resource name {shorten(name)!r} is used twice", "duplicate-resource")
        seen.add(name)
        if str(res.get("encoding", "")).lower() not in ("utf-8", "utf8"):
            add(f"resource {shorten(name)!r} does not declare encoding 'utf-8'", hint="add \"encoding\": \"utf-8\"", stop=False)
        delim = res["dialect"].get("delimiter") if isinstance(res.get("dialect"), dict) else None
        if delim != ",":
            add(f"resource {shorten(name)!r} does not declare the CSV dialect's delimiter ','", hint="add \"dialect\": {\"delimiter\": \",\"}", stop=False)
    if fatal:
        return out, fatal
    try:
        schemas = {n: pkg.schema(n) for n in pkg.names()}
    except PackageError as exc:
        out.append(Problem("descriptor", "schema-file", exc.message, exc.file, exc.line))
        return out, [out[-1]]
    files = {n: pkg.resource(n)["schema"] if isinstance(pkg.resource(n).get("schema"), str) else DESCRIPTOR for n in schemas}
    for name, sch in schemas.items():
        for where, value, why in profile.references(sch):
            add(f"{name}: at {where}: {shorten(value)!r} {why}", "remote-reference", file=files[name])
    shaped = {}
    for name, sch in schemas.items():
        errors = list(profile.errors(sch, profile.TABLE_SCHEMA))
        for message in errors:
            add(f"{name}: {message}", "table-schema", file=files[name])
        if not errors:
            shaped[name] = sch
    for name, sch in shaped.items():
        for message in profile.schema_problems(name, sch, shaped, set(schemas)):
            add(f"{name}: {message}", "table-schema", file=files[name])
    return out, fatal


def check_tables(pkg: Package, report: Report) -> tuple[dict, dict]:
    """Layer 2: structure, then every derived check, on arrow. Returns the tables as read and, for each table
    with a failure, the checks that fail (`Checks.failing`; `describe` says what failed)."""
    from . import derive
    from .blocks import Cols
    from ..io.reader import read_table

    tables = {name: read_table(pkg, name) for name in pkg.names()}
    for name, t in tables.items():
        report.extend(t.problems)
        if t.arrow is not None:
            report.rows[name] = t.rows
    # a table whose rows could not all be read cannot say which keys exist: checking foreign keys
    # against it would report every reference to a lost row as dangling
    complete = derive.context_of({n: t for n, t in tables.items() if not any(p.rule in PARTIAL_READ for p in t.problems)})
    refs = derive.fk_sets(pkg, complete)

    def judge(name: str):
        cols = complete.get(name) or Cols.of_arrow(tables[name].arrow)
        return name, derive.checks(pkg, name, refs, complete, cols).failing(cols)

    names = [n for n, t in tables.items() if t.arrow is not None]
    if sum(tables[n].rows for n in names) < PARALLEL_FROM:
        judged = [judge(n) for n in names]
    else:  # arrow's kernels release the GIL: two tables at a time, on both cores
        from ..io.quietarrow import pool

        with pool(2) as workers:
            judged = list(workers.map(judge, names))
    return tables, {name: made for name, made in judged if made is not None}


def describe(pkg: Package, table, made) -> Problems:
    """Every failure of table `table` under its checks `made`, in words: pandera runs the same checks
    lazily and collects each failure case (see _failures)."""
    import pandera.pandas as pa

    from . import derive

    sch = derive.build(pkg, table.name, made=made)
    for check in [*sch.checks, *(c for col in sch.columns.values() for c in col.checks)]:
        check.n_failure_cases = MAX_KEPT  # pandera then reshapes (slowly) only these; _failures counts the rest
    try:
        sch.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(sch, table, exc)
    return Problems()


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
        col = rule.column
        # a check of the whole frame fails with the row's first cell: the rule's own cell is in the row
        row = table.frame.loc[idx] if ((rule.needs_row or column != col) and idx is not None) else None
        if row is not None and col in row.index:
            value = row[col]
        value = None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        message, hint = rule.describe(value, row)
        out.append(Problem("schema", rule.rule, message, table.file, line, col, value, hint))
    return out


def check_provenance(pkg: Package, tables: dict, report: Report | Problems) -> None:
    """Layer 3: archives match their sha256; evidence occurs verbatim in its source."""
    from . import provenance

    from .blocks import Cols

    cols = {name: Cols.of_arrow(t.arrow) for name, t in tables.items() if t.arrow is not None}
    src = tables.get("sources")
    texts, problems = provenance.archives(pkg, cols.get("sources"), src.lines if src else None, src.file if src else "data/sources.csv")
    report.extend(problems)
    changed = _changed_archives(problems, cols.get("sources"))
    indexes: dict = {}  # each text indexed once for all tables
    for name, t in tables.items():
        if name in cols:
            report.extend(provenance.verbatim(pkg, name, cols[name], t.lines, texts, t.file, indexes))
            if changed:
                report.extend(_unchecked(changed, pkg, name, cols[name], t))


def _changed_archives(problems, sources) -> dict[str, str]:
    """{source_id: location of its archive-changed problem}: the cause of its cells going unchecked."""
    changed = [p for p in problems if p.rule == "archive-changed"]
    if not changed or sources is None or not sources.has("source_id", "sha256"):
        return {}
    recorded = {}
    for sid, digest in zip(sources["source_id"].to_pylist(), sources["sha256"].to_pylist()):
        recorded.setdefault(digest, sid)
    return {recorded[p.value]: p.location() for p in changed if p.value in recorded}


def _unchecked(changed: dict[str, str], pkg: Package, name: str, cols, table) -> list:
    """What a changed archive causes in table `name`: its cells that cite that source are not looked up
    (the archive is not the one curated), one problem per column and source, under its cause."""
    from ..report import shorten

    out = []
    for f in pkg.schema(name)["fields"]:
        col, src_col = f["name"], f.get("x-verbatim-in")
        if not src_col or not cols.has(col, src_col):
            continue
        cells, sids = cols[col].to_pylist(), cols[src_col].to_pylist()
        for sid, cause in changed.items():
            rows = [i for i, (c, s) in enumerate(zip(cells, sids)) if s == sid and c is not None]
            if not rows:
                continue
            line = int(table.lines[rows[0]]) if table.lines is not None and rows[0] < len(table.lines) else None
            n = len(rows)
            out.append(Problem("provenance", "unverified",
                               f"{n} {col} cell{'s' if n != 1 else ''} from this line on cite source {shorten(sid)!r}, "
                               "whose archive changed: not checked against it", table.file, line, col, None,
                               "restore the archived text, or re-curate these rows against the new one", cause=cause))
    return out
