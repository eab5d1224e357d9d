"""Layer 4: frictionless row validation of the same package, as an independent second opinion.

frictionless opens files itself and follows symbolic links, so it never sees the package on disk:
it validates a private copy made only of the bytes cotw read through safeio (regular files inside
the package, within the size bounds), in a temporary directory removed afterwards. When a file it
would need cannot be read safely, frictionless is not run at all, and the report says why.

frictionless's time is not linear in everything a package holds (it compares each cell with every
value of an enum, and builds an error object for every bad row of a table once per table that refers
to it), so it runs only within budgets in code (limits.py): no enum of more than FRICTIONLESS_MAX_ENUM
values, at most FRICTIONLESS_MAX_TARGET_PROBLEMS problems found by cotw's own check in the tables that
foreign keys refer to, and it stops after FRICTIONLESS_MAX_ERRORS errors. Beyond them the report says
that frictionless was not run, and why.

frictionless also fetches whatever a descriptor points at (a `dialect`, `schema` or `profile` given as
a URL), so it never sees a descriptor or schema that holds such a reference, and it runs with an HTTP
session that refuses every request: nothing cotw runs opens a connection, whatever the descriptor says.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..io import safeio
from ..limits import FRICTIONLESS_MAX_ENUM, FRICTIONLESS_MAX_ERRORS, FRICTIONLESS_MAX_TARGET_PROBLEMS
from ..package import DESCRIPTOR, Package, PackageError
from ..report import Problem, Problems, shorten


def _targets(pkg: Package) -> set[str]:
    """The files of the tables that a foreign key refers to."""
    out = set()
    for name in pkg.names():
        try:
            keys = pkg.schema(name).get("foreignKeys")
        except PackageError:
            continue
        for fk in keys if isinstance(keys, list) else []:
            ref = fk.get("reference") if isinstance(fk, dict) else None
            target = (ref.get("resource") or name) if isinstance(ref, dict) else None
            path = pkg.resources.get(target, {}).get("path") if isinstance(target, str) else None
            if isinstance(path, str):
                out.add(path)
    return out


def over_budget(pkg: Package, problems: Problems) -> str | None:
    """Why frictionless would take longer than its budget on `pkg`, given what cotw's own check found, or None."""
    targets = _targets(pkg)
    found = sum(1 for p in problems if p.file in targets) + sum(n for (_, file), n in problems.omitted.items() if file in targets)
    if found > FRICTIONLESS_MAX_TARGET_PROBLEMS:
        return (f"cotw found {found:,} problems (above) in tables that foreign keys refer to, more than the "
                f"{FRICTIONLESS_MAX_TARGET_PROBLEMS:,} the second opinion is run with (frictionless builds an error for each, "
                "once per table that refers to them); fix them first")
    for name in pkg.names():
        try:
            fields = pkg.schema(name)["fields"]
        except PackageError:
            continue  # reported by frictionless_problems
        for f in fields:
            enum = f.get("constraints", {}).get("enum") if isinstance(f, dict) and isinstance(f.get("constraints"), dict) else None
            if isinstance(enum, list) and len(enum) > FRICTIONLESS_MAX_ENUM:
                return (f"field {shorten(f.get('name'), 40)!r} of table {shorten(name, 40)!r} has an enum of {len(enum):,} values, "
                        f"more than the {FRICTIONLESS_MAX_ENUM:,} the second opinion checks (frictionless compares each cell "
                        "with every value; cotw's own checks cover them)")
    return None


def refused(pkg: Package) -> list[Problem]:
    """The references (in the descriptor and the schema files) that frictionless would fetch or read."""
    from .profile import references

    out = [Problem("frictionless", "remote-reference", f"at {where}: {shorten(value)!r} {why}; frictionless was not run", DESCRIPTOR)
           for where, value, why in references(pkg.descriptor)]
    for name in pkg.names():
        try:
            schema, file = pkg.schema(name), pkg.resource(name).get("schema")
        except PackageError as exc:
            return out + [Problem("frictionless", "schema-file", f"{exc.message}; frictionless was not run", exc.file, exc.line)]
        file = file if isinstance(file, str) else DESCRIPTOR
        out += [Problem("frictionless", "remote-reference", f"{name}: at {where}: {shorten(value)!r} {why}; frictionless was not run", file)
                for where, value, why in references(schema)]
    return out


def _offline():
    """A requests session that refuses to send anything."""
    import requests

    class Offline(requests.Session):
        def send(self, request, **kwargs):
            raise requests.ConnectionError(f"cotw never fetches ({shorten(request.url)} was not requested)")

    return Offline()


def files(pkg: Package) -> list[tuple[str, int]]:
    """(path as written, size bound) of every file of the package that frictionless would open."""
    out = [(DESCRIPTOR, safeio.MAX_JSON)]
    for res in pkg.descriptor.get("resources", []):
        if not isinstance(res, dict):
            continue
        if isinstance(res.get("path"), str):
            out.append((res["path"], safeio.MAX_TABLE))
        for key in ("schema", "dialect"):  # either may be given as the path of a JSON file
            if isinstance(res.get(key), str):
                out.append((res[key], safeio.MAX_JSON))
    return list(dict.fromkeys(out))


def snapshot(pkg: Package, dest: Path) -> Problem | None:
    """Copy the files frictionless would open into `dest`, read safely; a Problem when one may not be read."""
    for rel, limit in files(pkg):
        try:
            data = pkg.read_bytes(rel, limit)
        except FileNotFoundError:
            continue  # cotw reports the missing file; frictionless will find it missing too
        except safeio.UnsafeFile as exc:
            return Problem("frictionless", "not-run", f"frictionless was not run: {shorten(rel)} {exc.reason}", rel)
        except OSError as exc:
            return Problem("frictionless", "not-run", f"frictionless was not run: cannot read {shorten(rel)}: {exc.strerror}", rel)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return None


def frictionless_problems(pkg: Package) -> list[Problem]:
    problems = refused(pkg)
    if problems:
        return problems
    import frictionless

    _remember_case_conversions()
    paths = {name: pkg.resource(name).get("path") for name in pkg.names()}
    with tempfile.TemporaryDirectory(prefix="cotw-frictionless-") as tmp:
        unreadable = snapshot(pkg, Path(tmp))
        if unreadable is not None:
            return [unreadable]
        try:
            with frictionless.system.use_context(trusted=False, http_session=_offline()):
                fr = frictionless.validate(os.path.join(tmp, DESCRIPTOR), limit_errors=FRICTIONLESS_MAX_ERRORS)
        except Exception as exc:  # a second opinion that fails is reported, never a traceback
            return [Problem("frictionless", "frictionless-error", f"frictionless could not validate the package: {shorten(exc, 300)}", DESCRIPTOR)]

        def here(message: str) -> str:  # the copy's location means nothing to the reader: name the package
            return message.replace(os.path.realpath(tmp), str(pkg.root)).replace(tmp, str(pkg.root))

        out = []
        for task in fr.tasks:
            file = paths.get(task.name, task.name)
            for err in task.errors:
                line = getattr(err, "row_number", None)
                column = getattr(err, "field_name", None)
                cell = getattr(err, "cell", None)
                out.append(Problem("frictionless", err.type, here(err.message), file, line, column, None if cell is None else str(cell)))
        for err in fr.errors:
            out.append(Problem("frictionless", err.type, here(err.message), DESCRIPTOR))
    return out


def _remember_case_conversions() -> None:
    """A shortcut into frictionless (pinned to 5.21 in pyproject.toml): each time it copies, exports or validates
    metadata it converts every property name between camelCase and snake_case again, ~29,000 conversions of a few
    dozen names for one small package, about a fifth of its time. The conversions (frictionless.vendors.stringcase)
    are pure functions of a short string, so they are remembered, at most CASE_NAMES of them. Measured: the second
    opinion on the shipped data 460 -> 410 ms CPU, on a tiny package 370 -> 315 ms; tests/test_second_opinion.py
    shows the same answers with and without it."""
    import functools

    from frictionless.vendors import stringcase

    for name in ("snakecase", "camelcase"):
        convert = getattr(stringcase, name)
        if getattr(convert, "remembered", None) is None:
            remembered = functools.lru_cache(maxsize=CASE_NAMES)(convert)

            def once(value, remembered=remembered, convert=convert):
                return remembered(value) if isinstance(value, str) else convert(value)

            once.remembered = convert
            setattr(stringcase, name, once)


CASE_NAMES = 1024  # case conversions remembered (frictionless's metadata has a few dozen property names)
