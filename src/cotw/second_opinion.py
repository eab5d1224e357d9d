"""Layer 4: frictionless row validation of the same package, as an independent second opinion.

frictionless fetches whatever the descriptor points at (a `dialect`, `schema` or `profile` given as a
URL), so it never sees a descriptor that holds such a reference, and it runs with an HTTP session that
refuses every request: nothing cotw runs opens a connection, whatever the descriptor says.
"""
from __future__ import annotations

from .package import DESCRIPTOR, Package, PackageError
from .report import Problem, shorten


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


def frictionless_problems(pkg: Package) -> list[Problem]:
    problems = refused(pkg)
    if problems:
        return problems
    import frictionless

    paths = {name: pkg.resource(name).get("path") for name in pkg.names()}
    try:
        with frictionless.system.use_context(trusted=False, http_session=_offline()):
            fr = frictionless.validate(str(pkg.root / DESCRIPTOR))
    except Exception as exc:  # a second opinion that fails is reported, never a traceback
        return [Problem("frictionless", "frictionless-error", f"frictionless could not validate the package: {shorten(exc, 300)}", DESCRIPTOR)]
    out = []
    for task in fr.tasks:
        file = paths.get(task.name, task.name)
        for err in task.errors:
            line = getattr(err, "row_number", None)
            column = getattr(err, "field_name", None)
            cell = getattr(err, "cell", None)
            out.append(Problem("frictionless", err.type, err.message, file, line, column, None if cell is None else str(cell)))
    for err in fr.errors:
        out.append(Problem("frictionless", err.type, err.message, DESCRIPTOR))
    return out
