"""Layer 4: frictionless row validation of the same package, as an independent second opinion."""
from __future__ import annotations

import tempfile
from pathlib import Path

from ..package import DESCRIPTOR, Package
from ..report import Problem


def frictionless_problems(pkg: Package) -> list[Problem]:
    if pkg.zip is not None:
        # frictionless would unpack the zip itself, unchecked: give it the files cotw has read safely instead
        with tempfile.TemporaryDirectory(prefix="cotw-zip-") as tmp:
            return _problems(pkg, _unpacked(pkg, Path(tmp)))
    return _problems(pkg, pkg.root)


def _unpacked(pkg: Package, dest: Path) -> Path:
    """The descriptor and every data and schema file it names, read through the package, written under `dest`."""
    from ..io.safeio import MAX_JSON, UnsafeFile, unsafe_path_reason

    wanted = [(DESCRIPTOR, MAX_JSON)]
    for res in pkg.resources.values():
        wanted.append((res.get("path"), None))
        wanted.append((res.get("schema"), MAX_JSON))
    for rel, limit in wanted:
        if not isinstance(rel, str) or unsafe_path_reason(rel):
            continue  # already reported by the descriptor layer
        try:
            data = pkg.read_bytes(rel) if limit is None else pkg.read_bytes(rel, limit)
        except (OSError, UnsafeFile):  # missing or unsafe: frictionless reports the missing file in its own words
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest


def _problems(pkg: Package, root: Path) -> list[Problem]:
    import frictionless

    paths = {name: pkg.resource(name).get("path") for name in pkg.names()}
    fr = frictionless.validate(str(root / DESCRIPTOR))
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
