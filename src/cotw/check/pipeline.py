"""`cotw check` as a library call: run every layer, collect every problem, return one Report.

Layers: (1) the descriptor against the Data Package v2 profile and its own consistency;
(2) every table, read as written (structure) and checked, on arrow, with the checks derived from its
Table Schema (types, constraints, keys, cross-column rules); (3) provenance; (4) optionally frictionless,
as an independent second opinion. Nothing outside the package is read; nothing is fetched.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..package import DESCRIPTOR, Package, PackageError, not_a_package, unsafe_path_reason
from ..report import Problem, Problems, Report, names_list, shorten

V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
LAYERS = ("descriptor", "schema", "provenance")
MISSHAPEN = {"delimiter", "header", "extra-column", "missing-column", "duplicate-column", "long-row"}  # rows do not fit the schema
PARALLEL_FROM = 100_000  # rows in all from which the tables are judged two at a time
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

    # every check runs on arrow, and the failures are worded from it: no pandas
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
    """Every failure of table `table` under its failing checks `made` (check_tables), in words (failures.py)."""
    from .failures import describe as words

    return words(pkg, table, made)


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
