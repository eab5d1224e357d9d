"""The wheel carries the data package (descriptor, data, schemas, archived sources) inside cotw/_package."""
from __future__ import annotations

import zipfile

import pytest

import cotw


@pytest.mark.slow
def test_wheel_carries_the_package(root, built_wheel):
    names = set(zipfile.ZipFile(built_wheel).namelist())
    pkg = cotw.Package.open(root)
    expected = {"cotw/_package/datapackage.json", "cotw/_package/CITATION.cff"}  # the download page cites from it
    for name in pkg.names():
        expected |= {f"cotw/_package/{pkg.path(name)}", f"cotw/_package/{pkg.resource(name)['schema']}"}
    expected |= {f"cotw/_package/{p.relative_to(root).as_posix()}" for p in (root / "seeds").iterdir()}
    assert expected <= names
    assert not any(n.startswith(("data/", "seeds/", "schema/")) for n in names), "no second copy outside the package"
