"""Layer 4: frictionless row validation of the same package, as an independent second opinion."""
from __future__ import annotations

from ..package import DESCRIPTOR, Package
from ..report import Problem


def frictionless_problems(pkg: Package) -> list[Problem]:
    import frictionless

    paths = {name: pkg.resource(name).get("path") for name in pkg.names()}
    fr = frictionless.validate(str(pkg.root / DESCRIPTOR))
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
